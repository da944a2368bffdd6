"""The Lambda handlers in-process, in an offline AWS-shaped world.

- DynamoDB: the session's DynamoDB Local (``tests/dynamodb_local.py``), fresh prefixed tables per test.
- Kalshi, Coinbase, NWS: the sandbox fakes (``kalshi_bots.sandbox.launch.Sandbox``), on the real clock
  because the handlers build their dependencies exactly as on AWS (system clock included).
- SSM Parameter Store: a small fake speaking the ``AmazonSSM.GetParameter`` JSON protocol on 127.0.0.1,
  reached by boto3 through ``AWS_ENDPOINT_URL_SSM`` (the handler code has no test hooks).
- Events: the payloads AWS documents for EventBridge Scheduler targets (our ``Input`` with the
  scheduled time substituted), classic EventBridge "Scheduled Event"s and function URL requests
  (payload format 2.0).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.app.schedule import JobName
from kalshi_bots.entrypoints import aws_lambda
from kalshi_bots.sandbox.launch import Sandbox
from kalshi_bots.sandbox.server import FakeServer, Request, Response

KEY_ID = "lambda-test-key"
CREDENTIALS_PARAMETER = "/kalshi-bots/kalshi-credentials"
TOKEN_PARAMETER = "/kalshi-bots/volatility-api-token"
API_TOKEN = "test-token-" + uuid.uuid4().hex  # made up per run, never a real secret


def load_dynamodb_local() -> ModuleType:
    """``tests/dynamodb_local.py`` under the fixed name the other conftests use: one shared server."""
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
def dynamodb_endpoint() -> str:
    helper = load_dynamodb_local()
    try:
        return str(helper.shared().endpoint)
    except helper.DynamoDBLocalUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


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


@pytest.fixture
def fake_ssm() -> Iterator[FakeSsm]:
    ssm = FakeSsm()
    ssm.server.start()
    try:
        yield ssm
    finally:
        ssm.server.stop()


@pytest.fixture(scope="session")
def kalshi_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def world() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


class DynamoCalls:
    """Every DynamoDB action the handlers' clients perform, as IAM sees it: (action, table).

    A transaction is authorized per contained item (Put -> PutItem ...), a batch write as
    BatchWriteItem on each table it touches. Hooked on boto3's default session, which the store's
    client is created from (hooks must exist before the container builds its client)."""

    TRANSACT: ClassVar[dict[str, str]] = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        op = model.name
        if op == "TransactWriteItems":
            for item in params["TransactItems"]:
                [(kind, body)] = item.items()
                self.seen.add((self.TRANSACT[kind], body["TableName"]))
        elif op in ("BatchWriteItem", "BatchGetItem"):
            self.seen.update((op, table) for table in params["RequestItems"])
        elif "TableName" in params:
            self.seen.add((op, params["TableName"]))

    def clear(self) -> None:
        self.seen.clear()


@pytest.fixture(scope="session")
def dynamo_calls() -> Iterator[DynamoCalls]:
    import boto3

    calls = DynamoCalls()
    events = boto3._get_default_session().events
    events.register("provide-client-params.dynamodb.*", calls)
    try:
        yield calls
    finally:
        events.unregister("provide-client-params.dynamodb.*", calls)


@dataclass
class LambdaWorld:
    world: Sandbox
    ssm: FakeSsm
    store: DynamoStore  # the same tables the handlers use, for assertions
    tables: TableNames
    printed: list[str] = field(default_factory=list)


@pytest.fixture
def aws(
    dynamodb_endpoint: str,
    fake_ssm: FakeSsm,
    world: Sandbox,
    kalshi_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LambdaWorld]:
    """The environment the template gives a function, pointed at the offline world."""
    helper = load_dynamodb_local()
    tables = TableNames.with_prefix(f"l{uuid.uuid4().hex[:10]}_")
    store = DynamoStore(client=helper.make_client(dynamodb_endpoint), tables=tables)
    store.init_schema()  # on AWS the template creates them

    pem = kalshi_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    world.kalshi.register_key(KEY_ID, kalshi_key.public_key())
    fake_ssm.parameters[CREDENTIALS_PARAMETER] = json.dumps({"key_id": KEY_ID, "private_key_pem": pem})
    fake_ssm.parameters[TOKEN_PARAMETER] = API_TOKEN

    env = {
        # AWS SDK: fake credentials, region, and the two local endpoints.
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "AWS_ENDPOINT_URL_SSM": fake_ssm.server.url,
        # What infra/template.yaml sets (Globals + the signing functions' additions).
        "KALSHI_BOTS_MODE": "paper",
        "KALSHI_BOTS_STORE": "dynamodb",
        "KALSHI_BOTS_BTC_PRICE_TABLE": tables.btc_prices,
        "KALSHI_BOTS_ETH_PRICE_TABLE": tables.eth_prices,
        "KALSHI_BOTS_TRADE_LOG_TABLE": tables.trades,
        "KALSHI_BOTS_BUDGET_TABLE": tables.budget,
        "KALSHI_BOTS_LOG_LEVEL": "INFO",
        aws_lambda.API_TOKEN_PARAMETER_ENV: TOKEN_PARAMETER,
        # The sandbox instead of the internet.
        "KALSHI_BOTS_KALSHI_BASE_URL": world.urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": world.urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": world.urls.nws,
    }
    for name in list(__import__("os").environ):
        if name.startswith(("KALSHI_BOTS_", "AWS_", "SSM_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    aws_lambda.reset_container()
    try:
        yield LambdaWorld(world, fake_ssm, store, tables)
    finally:
        aws_lambda.reset_container()


def use_signing_mode(monkeypatch: pytest.MonkeyPatch, mode: str = "demo") -> None:
    """What the template adds to the four functions that sign Kalshi requests."""
    monkeypatch.setenv("KALSHI_BOTS_MODE", mode)
    monkeypatch.setenv(aws_lambda.CREDENTIALS_PARAMETER_ENV, CREDENTIALS_PARAMETER)
    aws_lambda.reset_container()


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
