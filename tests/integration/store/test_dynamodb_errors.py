"""DynamoDB failures reach the jobs as the port's errors, never as botocore exceptions."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config

from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.models import Asset, PriceTick
from kalshi_bots.ports.errors import StoreError

TICK = PriceTick(Asset.BTC, datetime(2025, 12, 11, 1, 45, tzinfo=UTC), Decimal(1))


@pytest.mark.dynamodb
def test_missing_tables_are_a_store_error(dynamodb_client: Any) -> None:
    store = DynamoStore(client=dynamodb_client, tables=TableNames.with_prefix("never_created_"))
    with pytest.raises(StoreError, match="PutItem on never_created_BTCPriceHistory"):
        store.put_price(TICK)


def test_unreachable_endpoint_is_transient() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )
    with pytest.raises(StoreError, match="DynamoDB GetItem"):
        DynamoStore(client=client).get_volatility(Asset.BTC)
