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

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "infra" / "template.yaml"


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
    fragment["Globals"]["Function"]["CodeUri"] = "s3://placeholder-bucket/lambda.zip"
    return transform(fragment, {}, NoManagedPolicies())  # type: ignore[no-any-return]
