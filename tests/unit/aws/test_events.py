"""The handlers' pure parts: reading the scheduled time from each event shape, secrets, token checks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.reasons import ErrorReason
from kalshi_bots.entrypoints import aws_lambda
from kalshi_bots.entrypoints.api_routes import authorized
from kalshi_bots.entrypoints.lambda_events import EventError, scheduled_for
from kalshi_bots.entrypoints.lambda_secrets import secret_environ

JOB = JobName.TRADE_BTC


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {"job": "trade-hourly-btc", "scheduled_time": "2025-12-11T01:45:00Z"},
            datetime(2025, 12, 11, 1, 45),
        ),
        (
            {"scheduled_time": "2025-12-11T01:45:27Z"},
            datetime(2025, 12, 11, 1, 45),
        ),  # rate(): seconds dropped
        ({"scheduled_time": "2025-12-10T20:45:00-05:00"}, datetime(2025, 12, 11, 1, 45)),
        (
            {
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "time": "2025-12-11T01:45:00Z",
                "detail": {},
            },
            datetime(2025, 12, 11, 1, 45),
        ),
    ],
)
def test_scheduled_time_from_each_event_shape(event: dict[str, Any], expected: datetime) -> None:
    assert scheduled_for(event, JOB) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        (
            {"job": "collect-prices-btc", "scheduled_time": "2025-12-11T01:45:00Z"},
            "check the schedule's target",
        ),
        ({"scheduled_time": "2025-12-11T01:45:00"}, "no UTC offset"),
        ({"scheduled_time": "<aws.scheduler.scheduled-time>"}, "not an ISO-8601 time"),
        ({"scheduled_time": 1733881500}, "must be an ISO-8601 string"),
        ({"detail-type": "Object Created", "time": "2025-12-11T01:45:00Z"}, "neither 'scheduled_time'"),
        ({}, "neither 'scheduled_time'"),
    ],
)
def test_bad_events_are_refused_with_what_and_where(event: dict[str, Any], complaint: str) -> None:
    with pytest.raises(EventError, match=complaint) as refused:
        scheduled_for(event, JOB)
    assert "trade-hourly-btc" in str(refused.value)


def test_a_non_object_event_is_refused() -> None:
    with pytest.raises(EventError, match="JSON object"):
        scheduled_for(["2025-12-11T01:45:00Z"], JOB)  # type: ignore[arg-type]


def test_error_results_raise_and_name_the_run() -> None:
    result = JobResult(
        JobName.COLLECT_BTC,
        datetime(2025, 12, 11, 1, 45, tzinfo=UTC),
        Outcome.ERROR,
        ErrorReason.TRANSIENT_ERROR,
        "y",
        True,
    )
    error = aws_lambda.JobFailedError(result)
    assert "collect-prices-btc run for 2025-12-11T01:45:00+00:00 failed (transient)" in str(error)


class Reads:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.names: list[str] = []

    def __call__(self, name: str) -> str:
        self.names.append(name)
        return self.values[name]


PEM = "-----BEGIN " + "PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n"
CREDS = {"/c": json.dumps({"key_id": "kid", "private_key_pem": PEM}), "/t": " tok \n"}


def test_secrets_are_read_only_where_the_mode_signs() -> None:
    reads = Reads(CREDS)
    env = {"SSM_KALSHI_CREDENTIALS": "/c", "KALSHI_BOTS_MODE": "paper"}
    assert secret_environ(env, reads) == {}
    assert reads.names == []
    got = secret_environ(env | {"KALSHI_BOTS_MODE": "live"}, reads)
    assert got == {"KALSHI_BOTS_KALSHI_API_KEY_ID": "kid", "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM": PEM}
    assert secret_environ({"SSM_API_TOKEN": "/t"}, reads) == {"KALSHI_BOTS_API_TOKEN": "tok"}


@pytest.mark.parametrize("stored", ["not json", json.dumps({"key_id": "kid"}), json.dumps(["kid", PEM])])
def test_malformed_credentials_say_what_is_expected_without_the_value(stored: str) -> None:
    reads = Reads({"/c": stored})
    with pytest.raises(RuntimeError, match="'key_id' and 'private_key_pem'") as failed:
        secret_environ({"SSM_KALSHI_CREDENTIALS": "/c", "KALSHI_BOTS_MODE": "demo"}, reads)
    assert stored not in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__


def test_token_check_fails_closed() -> None:
    # What the Lambda handler asks (never open): no configured token lets nobody in.
    assert authorized("Bearer abc", token="abc", open_access=False)
    assert not authorized("Bearer abd", token="abc", open_access=False)
    assert not authorized("Bearer ", token="abc", open_access=False)
    assert not authorized(None, token="abc", open_access=False)
    assert not authorized("Bearer abc", token=None, open_access=False)
    assert not authorized("Bearer ", token="", open_access=False)


def test_handler_module_imports_without_boto3_httpx_or_pydantic() -> None:
    # The init phase stays cheap: heavy libraries load on the first invocation (bench_cold_import.py).
    probe = (
        "import sys, kalshi_bots.entrypoints.aws_lambda;"
        "heavy = ('boto3', 'botocore', 'httpx', 'pydantic', 'cryptography');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
