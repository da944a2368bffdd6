"""The spec's monitoring queries (its "Trade History" section), run with boto3 against DynamoDB Local
on tables written by DynamoStore: they must return exactly the bot's trades, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import table_definitions
from kalshi_bots.domain.models import (
    Bot,
    BudgetLimits,
    BudgetReservation,
    Mode,
    Side,
    TradeRecord,
    TradeStatus,
)

pytestmark = pytest.mark.dynamodb
SPEC_ATTRIBUTES = {
    "pk": "S",
    "sk": "S",
    "contract_ticker": "S",
    "side": "S",
    "quantity": "N",
    "price_cents": "N",
    "btc_price": "N",
    "strike_price": "N",
    "model_prob": "N",
    "market_prob": "N",
    "edge": "N",
    "kelly_fraction": "N",
    "status": "S",
}


def _trade(coid: str, at: datetime) -> TradeRecord:
    return TradeRecord(
        created_at=at,
        client_order_id=coid,
        bot=Bot.BTC_HOURLY,
        mode=Mode.PAPER,
        contract_ticker="KXBTCD-25DEC1102-T97499.99",
        side=Side.NO,
        quantity=2,
        price_cents=Decimal(41),
        btc_price=Decimal("97123.45"),
        strike_price=Decimal("97499.99"),
        model_prob=0.72,
        market_prob=0.59,
        edge=0.13,
        kelly_fraction=0.05,
        status=TradeStatus.PENDING,
    )


@pytest.fixture
def spec_tables(dynamodb_client: Any) -> Iterator[DynamoStore]:
    """The spec's own table names (no test prefix), dropped afterwards."""
    store = DynamoStore(client=dynamodb_client, page_size=2, price_ttl=timedelta(days=20000))
    store.init_schema()
    store.init_schema()  # `db init` twice is harmless
    yield store
    for definition in table_definitions():
        dynamodb_client.delete_table(TableName=definition.name)


def _all_pages(client: Any, operation: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page["Items"]]


def test_scan_and_day_query_return_exactly_the_trades(spec_tables: DynamoStore, dynamodb_client: Any) -> None:
    store = spec_tables
    day1 = [_trade(f"d1-{i}", datetime(2025, 12, 11, 1 + i, 45, 0, 1000 * i, tzinfo=UTC)) for i in range(4)]
    day2 = [_trade(f"d2-{i}", datetime(2025, 12, 12, 0, 45, i, tzinfo=UTC)) for i in range(3)]
    for t in day1 + day2:
        assert store.put_trade(t)
    assert not store.put_trade(day1[0])  # a retried write adds nothing
    store.update_trade(replace(day1[1], status=TradeStatus.EXECUTED, settlement_result="no"))
    # Budget, flags and job runs live in the budget table, never in the trade log.
    limits = BudgetLimits(global_limit=Decimal(10), per_bot=((Bot.BTC_HOURLY, Decimal(10)),))
    store.reserve_budget(BudgetReservation(Bot.BTC_HOURLY, date(2025, 12, 11), Decimal(1), "r1"), limits)
    store.set_flag("halt", "no")

    # aws dynamodb scan --table-name BTCTradeLog
    scanned = _all_pages(dynamodb_client, "scan", TableName="BTCTradeLog")
    assert sorted(i["client_order_id"]["S"] for i in scanned) == sorted(
        t.client_order_id for t in day1 + day2
    )
    assert {i["pk"]["S"] for i in scanned} == {"TRADE"}

    # aws dynamodb query --key-condition-expression "pk = :pk AND begins_with(sk, :date)" ...
    queried = _all_pages(
        dynamodb_client,
        "query",
        TableName="BTCTradeLog",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :date)",
        ExpressionAttributeValues={":pk": {"S": "TRADE"}, ":date": {"S": "2025-12-11"}},
    )
    assert [i["client_order_id"]["S"] for i in queried] == [t.client_order_id for t in day1]
    for item in queried:
        assert {name: next(iter(item[name])) for name in SPEC_ATTRIBUTES} == SPEC_ATTRIBUTES
        assert item["sk"]["S"].startswith("2025-12-11T")
        assert "+00:00#" in item["sk"]["S"]  # explicit offset, then the client order id
    assert queried[0]["edge"]["N"] == "13"  # percentage points, as the spec documents
    assert {i["status"]["S"] for i in queried} == {"pending", "executed"}
    assert [t.client_order_id for t in store.trades_on(date(2025, 12, 11))] == [
        t.client_order_id for t in day1
    ]
