"""DynamoDB Local for the store integration tests: the same per-process server as the contract suite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def load_dynamodb_local() -> ModuleType:
    """``tests/dynamodb_local.py``, loaded once under a fixed name so all test folders share its server."""
    name = "_kalshi_bots_tests_dynamodb_local"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "dynamodb_local.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def dynamodb_client() -> Any:
    helper = load_dynamodb_local()
    try:
        return helper.shared().client()
    except helper.DynamoDBLocalUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
