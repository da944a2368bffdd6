"""Session fixtures: the SAM template, parsed and translated once (see sam_support.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sam_support import load_sam_template, translate


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    return load_sam_template()


@pytest.fixture(scope="session")
def cfn_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    return translate(sam_template)
