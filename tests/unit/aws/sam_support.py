"""The SAM template, parsed and translated to plain CloudFormation offline.

cfn-lint alone barely checks values inside ``AWS::Serverless::*`` resources, so the tests lint the
output of the SAM translator too (``../shared/reference/infra-local-aws.md`` section 2). The
translator needs a region, an S3 ``CodeUri`` instead of the local zip, and a managed-policy loader;
our template names no managed policies by name, so the loader returns nothing.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
INFRA = REPO_ROOT / "infra"
TEMPLATE = INFRA / "template.yaml"
SAM_CLI = REPO_ROOT / ".tools" / "sam" / "bin" / "sam"  # make test installs it (requirements/tools/sam.txt)


def sam_cli() -> Path:
    """The project's SAM CLI. Missing: skip, except in CI (``CI`` set), where that is a failure."""
    if SAM_CLI.is_file():
        return SAM_CLI
    message = f"the SAM CLI is not installed at {SAM_CLI}: `make test` (or `make tools`) installs it"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def sam_environment() -> dict[str, str]:
    """The caller's environment, minus any way for sam to reach AWS: fake credentials, no instance
    metadata, every endpoint on a closed local port. ``sam build`` and ``sam validate --lint`` need
    no AWS; if a future SAM CLI tried, the test fails here instead of calling out."""
    return {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }


def load_sam_template(path: Path = TEMPLATE) -> dict[str, Any]:
    from cfnlint.decode.cfn_yaml import load  # understands !Ref/!GetAtt/!Sub short forms

    loaded = load(str(path))
    # cfn-lint returns str/dict subclasses carrying line marks: plain JSON types compare simply.
    return json.loads(json.dumps(loaded))


def translate(sam: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    class NoManagedPolicies(ManagedPolicyLoader):
        def __init__(self) -> None:  # the real one needs an IAM client
            pass

        def load(self) -> dict[str, str]:
            return {}

    fragment = copy.deepcopy(sam)
    for resource in fragment["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://placeholder-bucket/lambda.zip"
    return transform(fragment, {}, NoManagedPolicies())  # type: ignore[no-any-return]
