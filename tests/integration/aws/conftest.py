"""The Lambda handlers in-process, in an offline AWS-shaped world.

- DynamoDB: the session's DynamoDB Local (``tests/dynamodb_local.py``), fresh prefixed tables per test.
- Kalshi, Coinbase, NWS: the sandbox fakes (``kalshi_bots.sandbox.launch.Sandbox``). They, the handlers'
  container and the CLI all run on one injected clock (``aws_world.WorldClock``: pinned minute, real
  seconds), so no test depends on the minute it starts.
- SSM Parameter Store: a small fake speaking the ``AmazonSSM.GetParameter`` JSON protocol on 127.0.0.1,
  reached by botocore through ``AWS_ENDPOINT_URL_SSM`` (the handler code has no test hooks).
- Events: the payloads AWS documents for EventBridge Scheduler targets (our ``Input`` with the
  scheduled time substituted), classic EventBridge "Scheduled Event"s and function URL requests
  (payload format 2.0).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aws_world import (
    API_TOKEN,
    CREDENTIALS_PARAMETER,
    KEY_ID,
    TOKEN_PARAMETER,
    DynamoCalls,
    FakeSsm,
    LambdaWorld,
    WorldClock,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.entrypoints import aws_lambda, lambda_secrets
from kalshi_bots.sandbox.launch import Sandbox


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
def clock() -> WorldClock:
    return WorldClock()


@pytest.fixture
def world(clock: WorldClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock.now) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def dynamo_calls() -> Iterator[DynamoCalls]:
    from kalshi_bots.adapters.aws_session import aws_session

    calls = DynamoCalls()
    session = aws_session()  # the process's one botocore session, which the store's client uses
    session.register("provide-client-params.dynamodb.*", calls)
    try:
        yield calls
    finally:
        session.unregister("provide-client-params.dynamodb.*", calls)


@pytest.fixture
def aws(
    dynamodb_endpoint: str,
    dynamodb_client: Any,
    fake_ssm: FakeSsm,
    world: Sandbox,
    clock: WorldClock,
    kalshi_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LambdaWorld]:
    """The environment the template gives a function, pointed at the offline world."""
    tables = TableNames.with_prefix(f"l{uuid.uuid4().hex[:10]}_")
    store = DynamoStore(client=dynamodb_client, tables=tables)
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
        lambda_secrets.API_TOKEN_PARAMETER_ENV: TOKEN_PARAMETER,
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
    lambda_world = LambdaWorld(world, fake_ssm, store, tables, clock)
    lambda_world.new_container()
    try:
        yield lambda_world
    finally:
        aws_lambda.reset_container()
