"""Pick a store backend by name. Backends are imported only when chosen (boto3 only for DynamoDB)."""

from __future__ import annotations

from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.ports.store import Store

DEFAULT_SQLITE_PATH = "kalshi-bots.db"
_DEFAULT_TABLES = TableNames()


def open_store(
    kind: str,
    *,
    sqlite_path: str | None = None,
    btc_price_table: str = _DEFAULT_TABLES.btc_prices,
    eth_price_table: str = _DEFAULT_TABLES.eth_prices,
    trade_log_table: str = _DEFAULT_TABLES.trades,
    budget_table: str = _DEFAULT_TABLES.budget,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> Store:
    """``kind`` is ``sqlite`` (the default backend; the file is initialised on open), ``dynamodb``
    (tables are the AWS template's; call ``init_schema()`` for DynamoDB Local) or ``memory``.

    ``endpoint_url`` None lets boto3 use ``AWS_ENDPOINT_URL_DYNAMODB`` / its usual configuration.
    """
    if kind == "sqlite":
        from kalshi_bots.adapters.store.sqlite import SqliteStore

        return SqliteStore(sqlite_path or DEFAULT_SQLITE_PATH)
    if kind == "dynamodb":
        from kalshi_bots.adapters.store.dynamodb import DynamoStore

        tables = TableNames(btc_price_table, eth_price_table, trade_log_table, budget_table)
        return DynamoStore(tables=tables, endpoint_url=endpoint_url, region=region)
    if kind == "memory":
        from kalshi_bots.adapters.store.memory import MemoryStore

        return MemoryStore()
    raise ValueError(f"unknown store kind {kind!r}: expected sqlite, dynamodb or memory")
