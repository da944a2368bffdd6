"""Build the Lambda artifact ``build/lambda.zip`` (``make package``): our package plus its runtime
dependencies, built for the Lambda platform (arm64, CPython 3.12 by default), without boto3.

    python -m kalshi_bots.entrypoints.package build/lambda.zip               # code + dependencies
    python -m kalshi_bots.entrypoints.package --code-only build/code.zip     # our code only (offline)

Dependencies are fetched by ``pip install --only-binary=:all: --platform ... --python-version ...``,
so the wheels match the Lambda runtime, not this machine. boto3/botocore are left out: the Lambda
Python runtime ships them and they would add ~35 MB. The zip is reproducible: sorted entries, fixed
timestamps and permissions, no ``__pycache__``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import kalshi_bots

DISTRIBUTION = "kalshi-bots"
PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})
DEFAULT_PLATFORM = "manylinux2014_aarch64"  # the template's Architectures: [arm64]
DEFAULT_PYTHON = "3.12"  # the template's Runtime: python3.12
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: identical bytes for identical input
SKIPPED_DIRS = frozenset({"__pycache__", "tests"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True, slots=True)
class BuildReport:
    path: Path
    files: int
    unzipped_bytes: int
    zipped_bytes: int

    def summary(self) -> str:
        return (
            f"{self.path}: {self.files} files, {self.unzipped_bytes / 1e6:.1f} MB unzipped, "
            f"{self.zipped_bytes / 1e6:.1f} MB zipped (Lambda limits: 250 MB / 50 MB)"
        )


def _name_of(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from requirement {requirement!r}")
    return match.group(0).lower().replace("_", "-")


def runtime_requirements() -> list[str]:
    """The installed distribution's runtime requirements (no extras), minus what Lambda provides."""
    declared = metadata.requires(DISTRIBUTION) or []
    kept = []
    for requirement in declared:
        if "extra ==" in requirement.replace('"', "").replace("'", ""):
            continue
        if _name_of(requirement) in PROVIDED_BY_RUNTIME:
            continue
        kept.append(requirement.split(";", 1)[0].strip())
    return kept


def pip_install(requirements: Sequence[str], target: Path, platform: str, python_version: str) -> None:
    """Install wheels for the Lambda platform into ``target`` (needs PyPI)."""
    if not requirements:
        return
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--only-binary=:all:", "--implementation", "cp", "--platform", platform,
        "--python-version", python_version, "--target", str(target), *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pip could not fetch the Lambda dependencies ({platform}, cp{python_version}):\n"
                           f"{result.stderr.strip()}")  # fmt: skip
    for name in PROVIDED_BY_RUNTIME:  # pulled in transitively by something: the runtime has them
        for path in target.glob(f"{name}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def copy_package(staging: Path) -> None:
    """Copy ``kalshi_bots`` (this installed package's source) into the staging folder."""
    source = Path(kalshi_bots.__file__).resolve().parent
    shutil.copytree(
        source,
        staging / "kalshi_bots",
        ignore=shutil.ignore_patterns(*SKIPPED_DIRS, *(f"*{s}" for s in SKIPPED_SUFFIXES)),
    )


def _files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not (SKIPPED_DIRS & set(relative.parts))
            and path.suffix not in SKIPPED_SUFFIXES
        ):
            yield path


def write_zip(staging: Path, out: Path) -> BuildReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = unzipped = 0
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in _files(staging):
            info = zipfile.ZipInfo(path.relative_to(staging).as_posix(), date_time=FIXED_TIME)
            info.external_attr = (0o755 if path.stat().st_mode & 0o111 else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            archive.writestr(info, data)
            files += 1
            unzipped += len(data)
    tmp.replace(out)
    return BuildReport(out, files, unzipped, out.stat().st_size)


def build(
    out: Path,
    *,
    code_only: bool = False,
    platform: str = DEFAULT_PLATFORM,
    python_version: str = DEFAULT_PYTHON,
) -> BuildReport:
    with tempfile.TemporaryDirectory(prefix="kalshi-bots-package-") as tmp:
        staging = Path(tmp)
        if not code_only:
            pip_install(runtime_requirements(), staging, platform, python_version)
        copy_package(staging)
        return write_zip(staging, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the AWS Lambda artifact.")
    parser.add_argument("out", type=Path, nargs="?", default=Path("build/lambda.zip"))
    parser.add_argument("--code-only", action="store_true", help="package only kalshi_bots (no pip, offline)")
    parser.add_argument("--platform", default=DEFAULT_PLATFORM)
    parser.add_argument("--python-version", default=DEFAULT_PYTHON)
    args = parser.parse_args(argv)
    try:
        report = build(
            args.out, code_only=args.code_only, platform=args.platform, python_version=args.python_version
        )
    except RuntimeError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
