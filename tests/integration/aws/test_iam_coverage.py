"""The template's grants are enough: every DynamoDB action a handler really performs (recorded from
its boto3 client while it runs against DynamoDB Local) is allowed to that function by
infra/template.yaml. The unit tests prove the grants are minimal; this proves they are sufficient,
so a store change that needs a new action fails here instead of as AccessDenied on AWS."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aws_world import (
    API_TOKEN,
    DynamoCalls,
    LambdaWorld,
    function_url_event,
    quote_every_strike_cheap,
    scheduler_event,
    use_signing_mode,
)

from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.app.schedule import SCHEDULE, JobName
from kalshi_bots.entrypoints import aws_lambda

pytestmark = pytest.mark.dynamodb


def load_sam_support() -> ModuleType:
    name = "_kalshi_bots_tests_sam_support"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "unit" / "aws" / "sam_support.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def granted() -> dict[str, set[tuple[str, str]]]:
    """Function name -> {(dynamodb action, table logical id)} from the translated template."""
    sam = load_sam_support()
    cfn = sam.translate(sam.load_sam_template())
    out: dict[str, set[tuple[str, str]]] = {}
    for logical_id, res in cfn["Resources"].items():
        if res["Type"] != "AWS::Lambda::Function":
            continue
        role = cfn["Resources"][res["Properties"]["Role"]["Fn::GetAtt"][0]]
        pairs: set[tuple[str, str]] = set()
        for policy in role["Properties"].get("Policies", []):
            statements = policy["PolicyDocument"]["Statement"]
            for st in statements if isinstance(statements, list) else [statements]:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                for action in actions:
                    for resource in resources:
                        if action.startswith("dynamodb:") and isinstance(resource, dict):
                            pairs.add((action, resource["Fn::GetAtt"][0]))
        out[logical_id] = pairs
    return out


def as_template_names(seen: set[tuple[str, str]], tables: TableNames) -> set[tuple[str, str]]:
    """(Query, "l1234_BTCPriceHistory") -> ("dynamodb:Query", "BTCPriceHistory")."""
    logical = dict(zip(tables.all(), TableNames().all(), strict=True))
    return {(f"dynamodb:{op}", logical[table]) for op, table in seen}


def run_and_record(calls: DynamoCalls, invoke: Any) -> set[tuple[str, str]]:
    calls.clear()
    invoke()
    return set(calls.seen)


@pytest.mark.parametrize("alerts", [False, True], ids=["no-alerts", "alerts"])
def test_every_handler_uses_only_what_its_role_allows(
    dynamo_calls: DynamoCalls,
    aws: LambdaWorld,
    monkeypatch: pytest.MonkeyPatch,
    granted: dict[str, set[tuple[str, str]]],
    alerts: bool,
) -> None:
    if alerts:  # the alert path reads and writes its state in the store too (nothing listens there)
        monkeypatch.setenv("KALSHI_BOTS_ALERT_WEBHOOKS", "http://127.0.0.1:9/hook")
        monkeypatch.setenv("KALSHI_BOTS_ALERT_NO_TRADE_STREAK", "1")
    now = aws.this_minute()
    function_of = {rule.job: rule.function for rule in SCHEDULE}
    used: dict[str, set[tuple[str, str]]] = {}

    def invoke(job: JobName, at: datetime | None = None) -> None:
        event = scheduler_event(job, at or now)
        used[function_of[job]] = as_template_names(
            run_and_record(dynamo_calls, lambda: aws_lambda.HANDLERS[job](event, None)), aws.tables
        )

    invoke(JobName.COLLECT_BTC)
    invoke(JobName.COLLECT_ETH)
    invoke(JobName.CLEANUP)
    invoke(JobName.RECORD_MARKET, now.replace(minute=45))  # :45 snapshots a ladder and settles events
    use_signing_mode(aws, monkeypatch, "demo")  # the trading path that really sends (and records) an order
    quote_every_strike_cheap(aws, now)
    invoke(JobName.TRADE_BTC)
    assert aws.world.kalshi.orders, "the trading run placed no order: the recording would miss that path"
    invoke(JobName.RECONCILE)
    invoke(JobName.WEATHER)
    used["ETHVolatilityAPI"] = as_template_names(
        run_and_record(
            dynamo_calls,
            lambda: aws_lambda.volatility_api(function_url_event("/volatility/BTC", API_TOKEN), None),
        ),
        aws.tables,
    )

    for function, actions in used.items():
        missing = actions - granted[function]
        assert not missing, f"{function} performs {sorted(missing)} which its role does not allow"
    # The recording saw the real paths: the order was logged, the API read VOL/LATEST.
    assert ("dynamodb:PutItem", "BTCTradeLog") in used["BTCTradingBot"]
    assert used["ETHVolatilityAPI"] == {("dynamodb:GetItem", "BTCPriceHistory")}
    assert ("dynamodb:PutItem", "KalshiTradingBudget") in used["MarketRecorder"]  # a snapshot was stored
