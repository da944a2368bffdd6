"""The Lambda artifact builder, in its offline mode (our code only; the dependency step needs PyPI)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kalshi_bots.entrypoints import package


def test_runtime_requirements_leave_out_what_lambda_provides() -> None:
    names = {package._name_of(r) for r in package.runtime_requirements()}
    assert "httpx" in names
    assert "cryptography" in names
    assert not names & package.PROVIDED_BY_RUNTIME
    assert "pytest" not in names  # extras (dev) are not runtime requirements


def test_code_only_zip_holds_the_package_without_caches(tmp_path: Path) -> None:
    report = package.build(tmp_path / "code.zip", code_only=True)
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


def test_build_is_reproducible(tmp_path: Path) -> None:
    first = package.build(tmp_path / "a.zip", code_only=True)
    second = package.build(tmp_path / "b.zip", code_only=True)
    assert first.path.read_bytes() == second.path.read_bytes()


def test_handlers_import_from_the_zip_alone(tmp_path: Path) -> None:
    # zipimport: the module must import with only the artifact (plus the stdlib) on the path.
    report = package.build(tmp_path / "code.zip", code_only=True)
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]]; import kalshi_bots.entrypoints.aws_lambda as m;"
        "assert m.__file__.startswith(sys.argv[1]), m.__file__; print(sorted(m.HANDLERS))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(report.path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "collect-prices-btc" in result.stdout


def test_cli_reports_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.zip"
    assert package.main(["--code-only", str(out)]) == 0
    assert out.is_file()
    assert "MB unzipped" in capsys.readouterr().out
