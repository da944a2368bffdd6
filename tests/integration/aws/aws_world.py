"""Shared pieces of the Lambda handler tests: the offline AWS-shaped world and AWS's event payloads.

The fixtures that assemble them are in conftest.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from kalshi_bots.adapters.clock import AcceleratedClock
from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints import aws_lambda, lambda_secrets
from kalshi_bots.sandbox.launch import Sandbox
from kalshi_bots.sandbox.server import FakeServer, Request, Response

KEY_ID = "lambda-test-key"
CREDENTIALS_PARAMETER = "/kalshi-bots/kalshi-credentials"
TOKEN_PARAMETER = "/kalshi-bots/volatility-api-token"
API_TOKEN = "test-token-" + uuid.uuid4().hex  # made up per run, never a real secret


class FakeSsm:
    """``GetParameter`` over SSM's JSON 1.1 protocol; records which names were read."""

    def __init__(self) -> None:
        self.parameters: dict[str, str] = {}
        self.reads: list[str] = []
        self.server = FakeServer()
        self.server.route("POST", "/", self._handle)

    def _handle(self, request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        if target != "AmazonSSM.GetParameter":
            return Response.json({"__type": "InvalidAction", "message": target}, 400)
        body = request.json()
        name = body["Name"]
        with self.server.lock:
            self.reads.append(name)
            value = self.parameters.get(name)
        if value is None:
            return Response.json({"__type": "ParameterNotFound", "message": f"{name} not found"}, 400)
        parameter = {"Name": name, "Type": "SecureString", "Value": value, "Version": 1}
        return Response.json({"Parameter": parameter}, headers={"Content-Type": "application/x-amz-json-1.1"})


class DynamoCalls:
    """Every DynamoDB action the handlers' clients perform, as IAM sees it: (action, table).

    A transaction is authorized per contained item (Put -> PutItem ...), a batch write as
    BatchWriteItem on each table it touches. Hooked on the process's botocore session
    (``adapters.aws_session``), which the store's client is created from (hooks must exist before
    the container builds its client)."""

    TRANSACT: ClassVar[dict[str, str]] = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        # (action, table, partition key) of single-item writes and reads: what an IAM condition on
        # dynamodb:LeadingKeys is evaluated against.
        self.keys: set[tuple[str, str, str]] = set()

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        op = model.name
        if op == "TransactWriteItems":
            for item in params["TransactItems"]:
                [(kind, body)] = item.items()
                self._record(self.TRANSACT[kind], body)
        elif op in ("BatchWriteItem", "BatchGetItem"):
            self.seen.update((op, table) for table in params["RequestItems"])
        elif "TableName" in params:
            self._record(op, params)

    def _record(self, action: str, body: dict[str, Any]) -> None:
        self.seen.add((action, body["TableName"]))
        item = body.get("Key") or body.get("Item")
        if item is not None:
            self.keys.add((action, body["TableName"], item["pk"]["S"]))

    def clear(self) -> None:
        self.seen.clear()
        self.keys.clear()


@dataclass
class LambdaWorld:
    world: Sandbox
    ssm: FakeSsm
    store: DynamoStore  # the same tables the handlers use, for assertions
    tables: TableNames
    clock: WorldClock  # the handlers', the CLI's and the fakes' time
    printed: list[str] = field(default_factory=list)

    def this_minute(self) -> datetime:
        return self.clock.this_minute()

    def new_container(self) -> None:
        """A fresh Lambda container (cold start) on the tests' clock: environment changes take effect."""
        aws_lambda.reset_container(clock=self.clock)


def use_signing_mode(aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch, mode: str = "demo") -> None:
    """What the template adds to the four functions that sign Kalshi requests."""
    monkeypatch.setenv("KALSHI_BOTS_MODE", mode)
    monkeypatch.setenv(lambda_secrets.CREDENTIALS_PARAMETER_ENV, CREDENTIALS_PARAMETER)
    aws.new_container()


# ----------------------------------------------------------------------------- event payloads
def iso_z(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduler_event(job: JobName, when: datetime) -> dict[str, Any]:
    """What EventBridge Scheduler delivers: the template's Input with the placeholder substituted."""
    return {"job": job.value, "scheduled_time": iso_z(when)}


def eventbridge_event(when: datetime, rule: str = "BTCPriceCollector-EveryMinute") -> dict[str, Any]:
    """A classic EventBridge rule's "Scheduled Event" (shape from the EventBridge user guide)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": iso_z(when),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"],
        "detail": {},
    }


def function_url_event(path: str, token: str | None, method: str = "GET") -> dict[str, Any]:
    """A Lambda function URL request, payload format 2.0 (shape from the Lambda developer guide)."""
    headers = {"host": "abcdefg.lambda-url.us-east-1.on.aws", "user-agent": "curl/8.5.0", "accept": "*/*"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefg",
            "domainName": "abcdefg.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abcdefg",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": "24/Nov/2026:03:20:00 +0000",
            "timeEpoch": 1795490400000,
        },
        "isBase64Encoded": False,
    }


def quote_every_strike_cheap(aws: LambdaWorld, now: datetime) -> str:
    """NO asks of 0.40 on every strike of the next hour's event: the model's edge is large."""
    event_ticker = hourly_target(Asset.BTC, now).event_ticker
    kalshi = aws.world.kalshi
    tickers = list(kalshi.state.events[event_ticker].market_tickers)
    assert tickers, f"the sandbox listed no markets for {event_ticker}"
    for ticker in tickers:
        kalshi.set_quote(ticker, yes_bid=Decimal("0.60"), yes_ask=Decimal("0.62"))
    return event_ticker


class WorldClock:
    """The AWS tests' injected time: the minute is pinned, seconds tick in real time.

    Every test starts at :44:30 (30 s before the :45 trading run, a quarter of an hour before the
    event it trades closes), so no test depends on the minute it starts. The date and the hour stay
    today's: DynamoDB Local expires price rows by TTL (3 h) against its own, real clock."""

    def __init__(self) -> None:
        today = datetime.now(UTC).replace(minute=44, second=30, microsecond=0)
        self._clock = AcceleratedClock(today, 1.0)

    def now(self) -> datetime:
        return self._clock.now()

    def this_minute(self) -> datetime:
        return self.now().replace(second=0, microsecond=0)
