"""The template's grants are enough: every DynamoDB action a handler really performs (recorded from
its botocore client while it runs against DynamoDB Local), and for a grant limited to some partition
keys (``dynamodb:LeadingKeys``) every key it touches, is allowed to that function by
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

from kalshi_bots.adapters.store import records
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


Grants = dict[str, set[tuple[str, str]]]
# Function -> (action, table) -> the partition keys it is limited to (dynamodb:LeadingKeys).
LimitedGrants = dict[str, dict[tuple[str, str], set[str]]]


def leading_keys(statement: dict[str, Any]) -> set[str] | None:
    condition = statement.get("Condition")
    if condition is None:
        return None
    values = condition["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
    return set(values if isinstance(values, list) else [values])


@pytest.fixture(scope="module")
def grants() -> tuple[Grants, LimitedGrants]:
    """From the translated template: function -> {(dynamodb action, table logical id)} granted
    without condition, and those granted only for some partition keys."""
    sam = load_sam_support()
    cfn = sam.translate(sam.load_sam_template())
    plain: Grants = {}
    limited: LimitedGrants = {}
    for logical_id, res in cfn["Resources"].items():
        if res["Type"] != "AWS::Lambda::Function":
            continue
        role = cfn["Resources"][res["Properties"]["Role"]["Fn::GetAtt"][0]]
        pairs: set[tuple[str, str]] = set()
        keyed: dict[tuple[str, str], set[str]] = {}
        for policy in role["Properties"].get("Policies", []):
            statements = policy["PolicyDocument"]["Statement"]
            for st in statements if isinstance(statements, list) else [statements]:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                keys = leading_keys(st)
                for action in actions:
                    for resource in resources:
                        if action.startswith("dynamodb:") and isinstance(resource, dict):
                            pair = (action, resource["Fn::GetAtt"][0])
                            if keys is None:
                                pairs.add(pair)
                            else:
                                keyed.setdefault(pair, set()).update(keys)
        plain[logical_id] = pairs
        limited[logical_id] = keyed
    return plain, limited


def as_template_names(seen: set[tuple[str, str]], tables: TableNames) -> set[tuple[str, str]]:
    """(Query, "l1234_BTCPriceHistory") -> ("dynamodb:Query", "BTCPriceHistory")."""
    logical = dict(zip(tables.all(), TableNames().all(), strict=True))
    return {(f"dynamodb:{op}", logical[table]) for op, table in seen}


def keys_as_template_names(seen: set[tuple[str, str, str]], tables: TableNames) -> set[tuple[str, str, str]]:
    logical = dict(zip(tables.all(), TableNames().all(), strict=True))
    return {(f"dynamodb:{op}", logical[table], pk) for op, table, pk in seen}


@pytest.mark.parametrize("alerts", [False, True], ids=["no-alerts", "alerts"])
def test_every_handler_uses_only_what_its_role_allows(
    dynamo_calls: DynamoCalls,
    aws: LambdaWorld,
    monkeypatch: pytest.MonkeyPatch,
    grants: tuple[Grants, LimitedGrants],
    alerts: bool,
) -> None:
    if alerts:  # the alert path reads and writes its state in the store too (nothing listens there)
        monkeypatch.setenv("KALSHI_BOTS_ALERT_WEBHOOKS", "http://127.0.0.1:9/hook")
        monkeypatch.setenv("KALSHI_BOTS_ALERT_NO_TRADE_STREAK", "1")
    plain, limited = grants
    now = aws.this_minute()
    function_of = {rule.job: rule.function for rule in SCHEDULE}
    used: dict[str, set[tuple[str, str]]] = {}
    used_keys: dict[str, set[tuple[str, str, str]]] = {}

    def record(function: str, invoke: Any) -> None:
        dynamo_calls.clear()
        invoke()
        used[function] = used.get(function, set()) | as_template_names(dynamo_calls.seen, aws.tables)
        used_keys[function] = used_keys.get(function, set()) | keys_as_template_names(
            dynamo_calls.keys, aws.tables
        )

    def invoke(job: JobName, at: datetime | None = None) -> None:
        record(function_of[job], lambda: aws_lambda.HANDLERS[job](scheduler_event(job, at or now), None))

    invoke(JobName.COLLECT_BTC)
    invoke(JobName.COLLECT_ETH)
    invoke(JobName.CLEANUP)
    invoke(JobName.RECORD_MARKET, now.replace(minute=45))  # :45 snapshots a ladder and settles events
    use_signing_mode(aws, monkeypatch, "demo")  # the trading path that really sends (and records) an order
    quote_every_strike_cheap(aws, now)
    invoke(JobName.TRADE_BTC)
    orders = aws.world.kalshi.orders
    assert orders, "the trading run placed no order: the recording would miss that path"
    # Settle the traded market, so the reconciler takes the trade out of the open-trade index: the
    # one delete any function makes, which its role allows only for that partition key.
    aws.world.kalshi.settle(str(orders[0]["ticker"]), "no")
    invoke(JobName.RECONCILE)
    invoke(JobName.WEATHER)
    record(
        "ETHVolatilityAPI",
        lambda: aws_lambda.volatility_api(function_url_event("/volatility/BTC", API_TOKEN), None),
    )

    for function, actions in used.items():
        missing = actions - plain[function] - set(limited[function])
        assert not missing, f"{function} performs {sorted(missing)} which its role does not allow"
        for action, table, pk in used_keys[function]:
            allowed = limited[function].get((action, table))
            if (action, table) not in plain[function] and allowed is not None:
                assert pk in allowed, f"{function}: {action} on {table} item pk={pk!r} is outside {allowed}"
    # The recording saw the real paths: the order was logged, the settled trade left the index,
    # the API read VOL/LATEST.
    assert ("dynamodb:PutItem", "BTCTradeLog") in used["BTCTradingBot"]
    assert ("dynamodb:DeleteItem", "KalshiTradingBudget", records.OPEN_TRADE_PK) in used_keys["Reconciler"]
    assert used["ETHVolatilityAPI"] == {("dynamodb:GetItem", "BTCPriceHistory")}
    assert ("dynamodb:PutItem", "KalshiTradingBudget") in used["MarketRecorder"]  # a snapshot was stored
