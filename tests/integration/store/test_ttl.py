"""Old prices leave DynamoDB through TTL (free), not through paid deletes: the tables are created with
TTL on ``expires_at`` and price rows carry it. (DynamoDB Local does sweep expired items, but on its own
schedule - sometimes within a second, sometimes not within 45 s - so the sweep itself is not asserted.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TTL_ATTRIBUTE, TableNames
from kalshi_bots.domain.models import Asset, PriceTick

pytestmark = pytest.mark.dynamodb


def test_tables_have_ttl_and_price_rows_carry_it(dynamodb_client: Any) -> None:
    tables = TableNames.with_prefix(f"ttl{uuid.uuid4().hex[:8]}_")
    store = DynamoStore(client=dynamodb_client, tables=tables)  # production TTLs
    store.init_schema()
    for name, expected in (
        (tables.btc_prices, "ENABLED"),
        (tables.eth_prices, "ENABLED"),
        (tables.budget, "ENABLED"),
        (tables.trades, "DISABLED"),
    ):
        ttl = dynamodb_client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == expected, name
        if expected == "ENABLED":
            assert ttl["AttributeName"] == TTL_ATTRIBUTE

    at = datetime(2025, 12, 11, 1, 45, 31, tzinfo=UTC)
    assert store.put_price(PriceTick(Asset.BTC, at, Decimal(1)))
    raw = dynamodb_client.get_item(
        TableName=tables.btc_prices, Key={"pk": {"S": "PRICE"}, "sk": {"S": "2025-12-11T01:45:00+00:00"}}
    )["Item"]
    # Epoch seconds (a Number, as TTL requires), 180 minutes after the row's minute.
    assert raw[TTL_ATTRIBUTE] == {"N": str(int(datetime(2025, 12, 11, 4, 45, tzinfo=UTC).timestamp()))}
