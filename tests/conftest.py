"""Suite-wide fixtures. Tests needing ../shared carry the ``shared_data`` marker and skip cleanly
when it is absent (a user's fresh clone has no ../shared; CI has it)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs ../shared (looked for {SHARED})")
    for item in items:
        if "shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED


# Placeholder PEM headers in tests are written as two joined literals ("-----BEGIN " + "PRIVATE KEY-----"):
# they are not key material (real test keys are generated at test time), and the split keeps secret
# scanners from flagging them.
