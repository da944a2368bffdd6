"""The market recorder on DynamoDB Local: its items expire by TTL, and a simulated day of its writes and
reads (``bench/bench_recorder_cost.py``, the same code the figures in docs/model.md come from) stays under
the issue's $0.05 a month, even with a 100-strike ladder and a cold Lambda container every minute."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.market_snapshot import EventResult, Trigger

pytestmark = pytest.mark.dynamodb
BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_recorder_cost.py"


def bench() -> ModuleType:
    name = "_kalshi_bots_bench_recorder_cost"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_every_recorder_item_carries_the_ttl(dynamodb_client: Any) -> None:
    b = bench()
    tables = TableNames.with_prefix(f"rttl{uuid.uuid4().hex[:8]}_")
    store = DynamoStore(client=dynamodb_client, tables=tables)  # production TTLs
    store.init_schema()
    at = datetime(2025, 12, 11, 1, 45, tzinfo=UTC)
    decision = b.hourly_snapshot(at, Trigger.DECISION, "KXBTCD-SIM25121102", 21, True)
    store.put_snapshot(decision)
    outcomes = tuple((s.ticker, "no") for s in decision.strikes)
    store.put_event_result(EventResult(decision.event_ticker, "KXBTCD", decision.close_time, outcomes))
    items = dynamodb_client.scan(TableName=tables.budget)["Items"]
    kinds = {item["pk"]["S"]: int(item["expires_at"]["N"]) for item in items}
    ttl = int((at + timedelta(days=30)).timestamp())
    close_ttl = int((decision.close_time + timedelta(days=30)).timestamp())
    assert kinds == {"SNAP#decision": ttl, "SNAP#looked": ttl, "SNAPEVENT": close_ttl}


@pytest.mark.slow
def test_a_day_of_recording_costs_under_five_cents_a_month(dynamodb_client: Any) -> None:
    m = bench().measure(dynamodb_client, 100, 24, cold=True)
    total = m["requests_usd"] + m["storage_usd"]
    assert total < 0.05, m
    assert m["snapshot_bytes"] <= 2048  # two write units per minute snapshot of a 100-strike ladder
    assert set(m["writes"]) == {"record-market", "settle", "trade-decision", "weather-decision"}
    assert m["rru_day"] < 500  # one VOL/LATEST read per recorder run, one small query an hour
