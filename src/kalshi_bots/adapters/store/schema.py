"""The spec's four DynamoDB tables: names, keys, billing and TTL.

The AWS template is checked against :func:`table_definitions` (same names, key schema and TTL
attribute), so local ``db init`` and the deployed stack create the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kalshi_bots.domain.models import Asset

TTL_ATTRIBUTE = "expires_at"
KEY_SCHEMA: list[dict[str, str]] = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
ATTRIBUTE_DEFINITIONS: list[dict[str, str]] = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
]
BILLING_MODE = "PAY_PER_REQUEST"


@dataclass(frozen=True, slots=True)
class TableNames:
    btc_prices: str = "BTCPriceHistory"
    eth_prices: str = "ETHPriceHistory"
    trades: str = "BTCTradeLog"
    budget: str = "KalshiTradingBudget"

    @classmethod
    def with_prefix(cls, prefix: str) -> TableNames:
        """The default names with ``prefix`` in front (tests sharing one DynamoDB Local)."""
        d = cls()
        return cls(prefix + d.btc_prices, prefix + d.eth_prices, prefix + d.trades, prefix + d.budget)

    def prices(self, asset: Asset) -> str:
        return self.btc_prices if asset is Asset.BTC else self.eth_prices

    def all(self) -> tuple[str, str, str, str]:
        return (self.btc_prices, self.eth_prices, self.trades, self.budget)


@dataclass(frozen=True, slots=True)
class TableDefinition:
    name: str
    ttl_attribute: str | None  # old price rows and job-run rows expire for free

    def create_table_request(self) -> dict[str, Any]:
        return {
            "TableName": self.name,
            "KeySchema": KEY_SCHEMA,
            "AttributeDefinitions": ATTRIBUTE_DEFINITIONS,
            "BillingMode": BILLING_MODE,
        }


def table_definitions(names: TableNames | None = None) -> tuple[TableDefinition, ...]:
    n = names or TableNames()
    return (
        TableDefinition(n.btc_prices, TTL_ATTRIBUTE),
        TableDefinition(n.eth_prices, TTL_ATTRIBUTE),
        TableDefinition(n.trades, None),
        TableDefinition(n.budget, TTL_ATTRIBUTE),
    )
