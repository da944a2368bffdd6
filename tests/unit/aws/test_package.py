"""The Lambda artifact builder, offline (our code only; the locked dependencies need PyPI), and the
lock files it and `make` install from."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from sam_support import REPO_ROOT

from kalshi_bots.app.schedule import SCHEDULE
from kalshi_bots.entrypoints import package

REQUIREMENTS = REPO_ROOT / "requirements"
THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
PYC_TAG = sys.implementation.cache_tag  # e.g. cpython-311


# ----------------------------------------------------------------------------- lock files
def pyproject() -> dict[str, object]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(lock: str) -> dict[str, str]:
    """name -> version of a lock (a universal lock may pin a name twice, per Python: first wins)."""
    out: dict[str, str] = {}
    for spec in package.locked_requirements(REQUIREMENTS / lock).values():
        name, _, version = spec.partition("==")
        out.setdefault(package._name_of(name), version)
    return out


def declared(extra: str | None = None) -> list[Requirement]:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    raw = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(r) for r in raw]


@pytest.mark.parametrize(("lock", "extra"), [("run.txt", None), ("lambda.txt", None), ("dev.txt", "dev")])
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, extra: str | None) -> None:
    pinned = pins(lock)
    for requirement in declared(extra) + (declared() if extra else []):
        name = package._name_of(requirement.name)
        assert name in pinned, f"{lock} does not pin {name}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]} outside {requirement}: run `make lock`"
        )


def test_lambda_ships_exactly_the_runtime_lock_without_what_lambda_provides() -> None:
    runtime, shipped = pins("run.txt"), pins("lambda.txt")
    assert shipped == runtime  # what the tests run is what the Lambda gets, version for version
    assert not set(shipped) & package.PROVIDED_BY_RUNTIME
    assert not {"pytest", "mypy", "ruff", "matplotlib"} & set(shipped)


def test_dev_lock_agrees_with_the_runtime_lock() -> None:
    dev = pins("dev.txt")
    assert {name: dev.get(name) for name in pins("run.txt")} == pins("run.txt")


@pytest.mark.parametrize(
    "lock", ["run.txt", "dev.txt", "lambda.txt", "tools/sam.txt", "tools/runtimes.txt", "tools/uv.txt"]
)
def test_every_pin_carries_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=\S)", (REQUIREMENTS / lock).read_text(encoding="utf-8"))
    for entry in entries:
        if entry.startswith("#") or not entry.strip():
            continue
        assert "==" in entry.splitlines()[0], entry
        assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_sam_cli_is_pinned_in_its_own_lock() -> None:
    assert pins("tools/sam.txt")["aws-sam-cli"] == "1.170.0"
    assert "aws-sam-cli" not in pins("dev.txt")  # its dependencies would fight the dev tools'


def test_a_lock_that_bundles_boto3_or_is_unpinned_is_refused(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled.txt"
    bundled.write_text("boto3==1.40.0 \\\n    --hash=sha256:00\n")
    with pytest.raises(package.PackageError, match="Lambda runtime provides"):
        package.check_lock(bundled)
    loose = tmp_path / "loose.txt"
    loose.write_text("httpx>=0.27\n")
    with pytest.raises(package.PackageError, match="not pinned"):
        package.locked_requirements(loose)
    with pytest.raises(package.PackageError, match="not found"):
        package.check_lock(tmp_path / "missing.txt")


# ----------------------------------------------------------------------------- the zip
def build_code(out: Path, *, bytecode: bool) -> package.BuildReport:
    """Our code only, compiled (if asked) by this interpreter for this Python version."""
    return package.build(out, code_only=True, bytecode=bytecode, python_version=THIS_PYTHON)


def test_code_only_zip_without_bytecode_holds_the_package_and_no_caches(tmp_path: Path) -> None:
    report = build_code(tmp_path / "code.zip", bytecode=False)
    with zipfile.ZipFile(report.path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert "kalshi_bots/entrypoints/aws_lambda.py" in names
    assert "kalshi_bots/app/schedule.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("boto3/", "botocore/"))]
    assert {i.date_time for i in infos} == {package.FIXED_TIME}
    assert report.files == len(names)
    assert report.unzipped_bytes == sum(i.file_size for i in infos)
    assert report.bytecode_for is None


def test_bytecode_is_unchecked_hash_for_every_module_and_names_var_task(tmp_path: Path) -> None:
    report = build_code(tmp_path / "code.zip", bytecode=True)
    with zipfile.ZipFile(report.path) as archive:
        names = set(archive.namelist())
        pyc = archive.read(f"kalshi_bots/app/__pycache__/schedule.{PYC_TAG}.pyc")
    sources = {n for n in names if n.endswith(".py")}
    compiled = {n for n in names if n.endswith(".pyc")}
    assert len(compiled) == len(sources)  # one .pyc per module, for the target version
    # PEP 552 header: flags 0b01 = hash-based and not checked against the source.
    assert int.from_bytes(pyc[4:8], "little") == 0b01
    assert b"/var/task/kalshi_bots/app/schedule.py" in pyc  # tracebacks on Lambda name real files
    assert report.bytecode_for == THIS_PYTHON


def test_the_runtime_loads_the_bytecode_without_looking_at_the_source(tmp_path: Path) -> None:
    # Break a source after packaging: with unchecked-hash bytecode the module still imports, so a
    # cold start never compiles (and /var/task being read-only could not cache it anyway).
    report = build_code(tmp_path / "code.zip", bytecode=True)
    task = tmp_path / "task"
    with zipfile.ZipFile(report.path) as archive:
        archive.extractall(task)
    source = task / "kalshi_bots" / "app" / "schedule.py"
    source.write_text(source.read_text() + "\nraise SystemExit('compiled from source')\n")
    probe = "import sys; sys.path[:0] = [sys.argv[1]]; from kalshi_bots.app import schedule as s; "
    probe += "print(len(s.SCHEDULE))"
    result = subprocess.run(
        [sys.executable, "-I", "-B", "-c", probe, str(task)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(SCHEDULE))


def test_build_is_reproducible(tmp_path: Path) -> None:
    first = build_code(tmp_path / "a.zip", bytecode=True)
    second = build_code(tmp_path / "b.zip", bytecode=True)
    assert first.path.read_bytes() == second.path.read_bytes()


def test_handlers_import_from_the_zip_alone(tmp_path: Path) -> None:
    # zipimport: the module must import with only the artifact (plus the stdlib) on the path.
    report = build_code(tmp_path / "code.zip", bytecode=False)
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]]; import kalshi_bots.entrypoints.aws_lambda as m;"
        "assert m.__file__.startswith(sys.argv[1]), m.__file__; print(sorted(m.HANDLERS))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(report.path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "collect-prices-btc" in result.stdout


def test_bytecode_needs_an_interpreter_of_the_target_version() -> None:
    with pytest.raises(package.PackageError, match=r"CPython 2\.7 interpreter"):
        package.resolve_bytecode_python("2.7", None)
    with pytest.raises(package.PackageError, match="would not load"):
        package.resolve_bytecode_python("2.7", sys.executable)
    assert package.resolve_bytecode_python(THIS_PYTHON, None) == sys.executable


def test_find_interpreter_checks_what_it_finds() -> None:
    found = package.find_interpreter(THIS_PYTHON)
    assert found is not None and package.interpreter_version(found) == THIS_PYTHON
    assert package.interpreter_version(str(REPO_ROOT / "no-such-python")) is None
    true = shutil.which("true")
    assert true is None or package.interpreter_version(true) is None


def test_cli_reports_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.zip"
    assert package.main(["--code-only", "--no-bytecode", str(out)]) == 0
    assert out.is_file()
    assert "MB unzipped" in capsys.readouterr().out


def test_cli_explains_a_missing_target_interpreter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert package.main(["--code-only", "--python-version", "2.7", str(tmp_path / "x.zip")]) == 1
    assert "--bytecode-python" in capsys.readouterr().err


def test_only_the_target_versions_bytecode_is_shipped(tmp_path: Path) -> None:
    # pip (or an earlier build) may leave bytecode of another interpreter behind: the runtime would
    # ignore it, so it must not take space in the zip. Nor may anything be reproducible only by luck.
    staging = tmp_path / "staging"
    cache = staging / "pkg" / "__pycache__"
    cache.mkdir(parents=True)
    (staging / "pkg" / "__init__.py").write_text("")
    for tag in ("cpython-311", "cpython-312", "cpython-313"):
        (cache / f"__init__.{tag}.pyc").write_bytes(tag.encode())
    with zipfile.ZipFile(package.write_zip(staging, tmp_path / "a.zip", bytecode_for="3.12").path) as archive:
        assert sorted(archive.namelist()) == ["pkg/__init__.py", "pkg/__pycache__/__init__.cpython-312.pyc"]
    with zipfile.ZipFile(package.write_zip(staging, tmp_path / "b.zip").path) as archive:
        assert archive.namelist() == ["pkg/__init__.py"]
