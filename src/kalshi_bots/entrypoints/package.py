"""Build the Lambda artifact ``build/lambda.zip`` (``make package``): our package plus its runtime
dependencies, pinned by ``requirements/lambda.txt`` (versions and hashes), built for the Lambda
platform (arm64, CPython 3.12 by default), with precompiled bytecode, without boto3.

    python -m kalshi_bots.entrypoints.package build/lambda.zip               # code + dependencies
    python -m kalshi_bots.entrypoints.package --code-only build/code.zip     # our code only (offline)

Dependencies are fetched by ``pip install --require-hashes --no-deps --only-binary=:all: --platform
... --python-version ...`` from the lock file, so the wheels match the Lambda runtime, not this
machine, and nothing unpinned or unhashed gets in. boto3/botocore are not in the lock: the Lambda
Python runtime ships them and they would add ~35 MB.

Bytecode: ``/var/task`` is read-only, so without ``__pycache__`` in the zip every cold container
compiles every module it imports (about 0.4 s of a cold start). The zip therefore carries ``.pyc``
files compiled by an interpreter of the *target* version (bytecode is version-specific) with
``unchecked-hash`` invalidation: the runtime loads them without comparing the source's mtime,
which the zip's fixed timestamps would not match anyway. Their recorded paths are ``/var/task/...``,
so tracebacks on Lambda point at the real files.

The zip is reproducible: sorted entries, fixed timestamps and permissions.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import kalshi_bots

PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})
DEFAULT_PLATFORM = "manylinux2014_aarch64"  # the template's Architectures: [arm64]
DEFAULT_PYTHON = "3.12"  # the template's Runtime: python3.12
DEFAULT_LOCK = Path("requirements/lambda.txt")
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the zip: the path recorded in the bytecode
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: identical bytes for identical input
SKIPPED_DIRS = frozenset({"tests"})
SOURCE_CACHE = "__pycache__"


class PackageError(RuntimeError):
    """The artifact cannot be built as asked; the message says what to do."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    path: Path
    files: int
    unzipped_bytes: int
    zipped_bytes: int
    bytecode_for: str | None  # "3.12" when .pyc files are included

    def summary(self) -> str:
        bytecode = f"bytecode for CPython {self.bytecode_for}" if self.bytecode_for else "no bytecode"
        return (
            f"{self.path}: {self.files} files, {self.unzipped_bytes / 1e6:.1f} MB unzipped, "
            f"{self.zipped_bytes / 1e6:.1f} MB zipped, {bytecode} (Lambda limits: 250 MB / 50 MB)"
        )


# --------------------------------------------------------------------------- the lock file
def _name_of(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def locked_requirements(lock: Path) -> dict[str, str]:
    """``{name: "name==version"}`` of a pip lock file (``requirements/*.txt``); hashes are kept by pip."""
    pinned: dict[str, str] = {}
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("-", "--")):
            continue
        spec = line.split(";", 1)[0].split("\\", 1)[0].strip()
        if "==" not in spec:
            raise PackageError(f"{lock}: {spec!r} is not pinned with ==; regenerate the lock (make lock)")
        pinned[_name_of(spec)] = spec
    return pinned


def check_lock(lock: Path) -> None:
    if not lock.is_file():
        raise PackageError(f"lock file {lock} not found (run from the repository root, or pass --lock)")
    bundled = sorted(set(locked_requirements(lock)) & PROVIDED_BY_RUNTIME)
    if bundled:
        raise PackageError(f"{lock} pins {bundled}, which the Lambda runtime provides: leave them out")


def pip_install(lock: Path, target: Path, platform: str, python_version: str) -> None:
    """Install the locked wheels for the Lambda platform into ``target`` (needs PyPI)."""
    check_lock(lock)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--require-hashes", "--no-deps", "--no-compile", "--only-binary=:all:", "--implementation", "cp",
        "--platform", platform, "--python-version", python_version, "--target", str(target),
        "-r", str(lock),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(f"pip could not fetch the Lambda dependencies ({platform}, cp{python_version}):\n"
                           f"{result.stderr.strip()}")  # fmt: skip


def copy_package(staging: Path) -> None:
    """Copy ``kalshi_bots`` (this installed package's source) into the staging folder."""
    source = Path(kalshi_bots.__file__).resolve().parent
    shutil.copytree(
        source,
        staging / "kalshi_bots",
        ignore=shutil.ignore_patterns(*SKIPPED_DIRS, SOURCE_CACHE, "*.pyc", "*.pyo"),
    )


# --------------------------------------------------------------------------- bytecode
def interpreter_version(python: str) -> str | None:
    """``"3.12"`` for a working CPython interpreter at ``python``, else None."""
    probe = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = done.stdout.split()
    if done.returncode != 0 or len(parts) != 3 or parts[0] != "CPython":
        return None
    return f"{parts[1]}.{parts[2]}"


def find_interpreter(version: str) -> str | None:
    """A CPython ``version`` interpreter: this one, ``pythonX.Y`` on PATH, or a pyenv install."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions"
    pyenv = sorted(pyenv_versions.glob(f"{version}.*/bin/python{version}"), reverse=True)
    candidates = [
        shutil.which(f"python{version}"),
        *(str(p) for p in pyenv),
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ]
    for candidate in candidates:
        if candidate and interpreter_version(candidate) == version:
            return candidate
    return None


def compile_bytecode(staging: Path, python: str) -> None:
    """``.pyc`` next to every module (``__pycache__``), valid without a source mtime check."""
    command = [
        python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
        "-s", str(staging), "-p", LAMBDA_TASK_ROOT, str(staging),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(f"compileall failed with {python}:\n{(result.stdout + result.stderr).strip()}")


# --------------------------------------------------------------------------- the zip
def _files(root: Path, *, bytecode_for: str | None) -> Iterable[Path]:
    """Every file to ship: sources and data, plus the ``.pyc`` of the target version only (never
    bytecode some other interpreter left behind, which the runtime would ignore)."""
    keep_tag = None if bytecode_for is None else f".cpython-{bytecode_for.replace('.', '')}."
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIPPED_DIRS & set(relative.parts):
            continue
        cached = SOURCE_CACHE in relative.parts or path.suffix in (".pyc", ".pyo")
        if cached and (keep_tag is None or keep_tag not in path.name):
            continue
        yield path


def write_zip(staging: Path, out: Path, *, bytecode_for: str | None = None) -> BuildReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = unzipped = 0
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in _files(staging, bytecode_for=bytecode_for):
            info = zipfile.ZipInfo(path.relative_to(staging).as_posix(), date_time=FIXED_TIME)
            info.external_attr = (0o755 if path.stat().st_mode & 0o111 else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            archive.writestr(info, data)
            files += 1
            unzipped += len(data)
    tmp.replace(out)
    return BuildReport(out, files, unzipped, out.stat().st_size, bytecode_for)


def resolve_bytecode_python(python_version: str, bytecode_python: str | None) -> str:
    python = bytecode_python or find_interpreter(python_version)
    if python is None:
        raise PackageError(
            f"bytecode for the Lambda runtime needs a CPython {python_version} interpreter and none was "
            f"found (python{python_version} on PATH, pyenv). Install one, pass --bytecode-python PATH, "
            "or build with --no-bytecode (every cold start then compiles the modules it imports)"
        )
    found = interpreter_version(python)
    if found != python_version:
        raise PackageError(f"{python} is CPython {found}, not {python_version}: its bytecode would not load")
    return python


def build(
    out: Path,
    *,
    code_only: bool = False,
    platform: str = DEFAULT_PLATFORM,
    python_version: str = DEFAULT_PYTHON,
    lock: Path = DEFAULT_LOCK,
    bytecode: bool = True,
    bytecode_python: str | None = None,
) -> BuildReport:
    """Stage dependencies and our package, compile them for ``python_version``, zip them."""
    python = resolve_bytecode_python(python_version, bytecode_python) if bytecode else None
    with tempfile.TemporaryDirectory(prefix="kalshi-bots-package-") as tmp:
        staging = Path(tmp)
        if not code_only:
            pip_install(lock, staging, platform, python_version)
        copy_package(staging)
        if python is not None:
            compile_bytecode(staging, python)
        return write_zip(staging, out, bytecode_for=python_version if python else None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the AWS Lambda artifact.")
    parser.add_argument("out", type=Path, nargs="?", default=Path("build/lambda.zip"))
    parser.add_argument("--code-only", action="store_true", help="package only kalshi_bots (no pip, offline)")
    parser.add_argument("--platform", default=DEFAULT_PLATFORM)
    parser.add_argument("--python-version", default=DEFAULT_PYTHON, help="the Lambda runtime's, e.g. 3.12")
    parser.add_argument("--lock", type=Path, default=DEFAULT_LOCK, help="pip lock file with hashes")
    parser.add_argument("--no-bytecode", dest="bytecode", action="store_false", help="ship sources only")
    parser.add_argument("--bytecode-python", help="interpreter of --python-version that compiles the .pyc")
    args = parser.parse_args(argv)
    try:
        report = build(
            args.out,
            code_only=args.code_only,
            platform=args.platform,
            python_version=args.python_version,
            lock=args.lock,
            bytecode=args.bytecode,
            bytecode_python=args.bytecode_python,
        )
    except PackageError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
