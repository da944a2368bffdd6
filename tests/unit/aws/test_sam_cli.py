"""The deploy path of docs/aws.md, run with the project's own SAM CLI (``.tools/sam``, pinned):
from ``infra/``, ``sam build`` then ``sam deploy`` reads ``.aws-sam/build/template.yaml`` and
``infra/samconfig.toml``. The deploy itself needs an AWS account; everything before it is checked
here: the build succeeds, every ``CodeUri`` of the *built* template resolves to the zip (the bug a
Globals ``CodeUri`` had), ``sam validate --lint`` passes, and the one samconfig matches the template.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from sam_support import INFRA, REPO_ROOT, TEMPLATE, load_sam_template, sam_cli, sam_environment

from kalshi_bots.entrypoints import package

BUILT_TEMPLATE = Path(".aws-sam") / "build" / "template.yaml"
SAMCONFIG = INFRA / "samconfig.toml"


def run_sam(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(sam_cli()), *args], cwd=cwd, env=sam_environment(), capture_output=True, text=True, check=False
    )


def checkout_copy(tmp_path: Path, template_text: str | None = None) -> Path:
    """``infra/`` and a ``build/lambda.zip`` laid out as in the repository; returns the infra copy."""
    infra = tmp_path / "infra"
    shutil.copytree(INFRA, infra, ignore=shutil.ignore_patterns(".aws-sam"))
    if template_text is not None:
        (infra / "template.yaml").write_text(template_text, encoding="utf-8")
    package.build(tmp_path / "build" / "lambda.zip", code_only=True, bytecode=False)
    return infra


def unresolved_code_uris(built_template: Path) -> list[str]:
    """Every function whose CodeUri (its own, else the Globals one) does not name an existing file,
    relative to the built template's folder: how ``sam deploy`` resolves them."""
    template = load_sam_template(built_template)
    default = template.get("Globals", {}).get("Function", {}).get("CodeUri")
    missing = []
    for name, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        uri = res["Properties"].get("CodeUri", default)
        if not isinstance(uri, str) or not (built_template.parent / uri).resolve().is_file():
            missing.append(f"{name}: {uri!r}")
    return missing


@pytest.mark.sam
def test_sam_build_then_every_code_uri_resolves_to_the_zip(tmp_path: Path) -> None:
    infra = checkout_copy(tmp_path)
    built = run_sam("build", cwd=infra)  # exactly as docs/aws.md: `cd infra && sam build`
    assert built.returncode == 0, built.stdout + built.stderr
    built_template = infra / BUILT_TEMPLATE
    assert unresolved_code_uris(built_template) == []
    functions = [
        res
        for res in load_sam_template(built_template)["Resources"].values()
        if res["Type"].endswith("Function")
    ]
    zips = {(built_template.parent / res["Properties"]["CodeUri"]).resolve() for res in functions}
    assert zips == {(tmp_path / "build" / "lambda.zip").resolve()}


@pytest.mark.sam
def test_the_check_catches_a_globals_code_uri(tmp_path: Path) -> None:
    # The documented deploy used to fail this way: sam build copies Globals untouched, so the
    # relative path then points inside .aws-sam/. The check above must see that.
    text = TEMPLATE.read_text(encoding="utf-8")
    moved = text.replace("      CodeUri: ../build/lambda.zip\n", "").replace(
        "Globals:\n  Function:\n", "Globals:\n  Function:\n    CodeUri: ../build/lambda.zip\n", 1
    )
    assert moved != text
    infra = checkout_copy(tmp_path, moved)
    built = run_sam("build", cwd=infra)
    assert built.returncode == 0, built.stdout + built.stderr
    missing = unresolved_code_uris(infra / BUILT_TEMPLATE)
    functions = [
        r for r in load_sam_template(TEMPLATE)["Resources"].values() if r["Type"].endswith("Function")
    ]
    assert len(missing) == len(functions)  # every function
    assert all(m.endswith(": '../build/lambda.zip'") for m in missing), missing


@pytest.mark.sam
def test_sam_validate_lint() -> None:
    # From infra/, as documented; samconfig.toml's [default.validate.parameters] turns --lint on
    # anyway. The absolute path of the project's sam: no reliance on PATH.
    result = run_sam("validate", "--lint", "--region", "us-east-1", cwd=INFRA)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid SAM Template" in result.stdout + result.stderr


def test_there_is_one_samconfig_next_to_the_template() -> None:
    found = sorted(
        p.relative_to(REPO_ROOT).as_posix()
        for p in REPO_ROOT.rglob("samconfig*")
        if not {".venv", ".tools", ".git", "build"} & set(p.relative_to(REPO_ROOT).parts)
    )
    assert found == ["infra/samconfig.toml"]


def test_samconfig_overrides_name_template_parameters_with_allowed_values() -> None:
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"  # the stack creates IAM roles
    assert deploy["resolve_s3"] is True
    assert "template_file" not in deploy  # sam deploy must pick .aws-sam/build/template.yaml
    assert config["default"]["global"]["parameters"]["stack_name"] == "kalshi-bots"
    parameters = load_sam_template()["Parameters"]
    for override in deploy["parameter_overrides"]:
        name, _, value = override.partition("=")
        assert name in parameters, override
        allowed = parameters[name].get("AllowedValues")
        assert allowed is None or value in [str(a) for a in allowed], override
        assert value == str(parameters[name]["Default"]), f"{override}: the example should show the default"
