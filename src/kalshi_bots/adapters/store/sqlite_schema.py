"""SQLite mirror of the four DynamoDB tables: same table names, same key and attribute columns.

Numbers that are Decimals in DynamoDB are TEXT here (exact; SQLite's REAL would round them).
Migrations are append-only: each entry is applied once, in order, recorded in ``schema_version``.
"""

from __future__ import annotations

from kalshi_bots.adapters.store.codec import vol_attribute_names
from kalshi_bots.domain.models import VOL_WINDOWS_MINUTES


def _vol_columns() -> str:
    cols: list[str] = []
    for minutes in VOL_WINDOWS_MINUTES:
        std, rng, move, samples = vol_attribute_names(minutes)
        cols += [f"{std} TEXT", f"{rng} TEXT", f"{move} TEXT", f"{samples} INTEGER"]
    return ", ".join(cols)


def _price_table(name: str) -> str:
    return (
        f'CREATE TABLE IF NOT EXISTS "{name}" (pk TEXT NOT NULL, sk TEXT NOT NULL, price TEXT, '
        f"expires_at INTEGER, {_vol_columns()}, computed_at TEXT, last_price TEXT, recent_prices BLOB, "
        "PRIMARY KEY (pk, sk)) WITHOUT ROWID"
    )


TRADE_COLUMNS = (
    "pk TEXT NOT NULL, sk TEXT NOT NULL, contract_ticker TEXT NOT NULL, side TEXT NOT NULL, "
    "quantity INTEGER NOT NULL, price_cents TEXT NOT NULL, btc_price TEXT, strike_price TEXT, "
    "model_prob TEXT NOT NULL, market_prob TEXT NOT NULL, edge TEXT NOT NULL, "
    "kelly_fraction TEXT NOT NULL, status TEXT NOT NULL, client_order_id TEXT NOT NULL UNIQUE, "
    "order_id TEXT, fill_count TEXT NOT NULL, fees TEXT NOT NULL, settlement_result TEXT, pnl TEXT, "
    "mode TEXT NOT NULL, bot TEXT NOT NULL, reason TEXT NOT NULL, scheduled_for TEXT"
)

BUDGET_COLUMNS = (
    "pk TEXT NOT NULL, sk TEXT NOT NULL, bot TEXT, spent TEXT, amount TEXT, released TEXT, pnl TEXT, "
    "value TEXT, owner TEXT, lease_until TEXT, outcome TEXT, detail TEXT, body TEXT"
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        _price_table("BTCPriceHistory"),
        _price_table("ETHPriceHistory"),
        f'CREATE TABLE IF NOT EXISTS "BTCTradeLog" ({TRADE_COLUMNS}, PRIMARY KEY (pk, sk)) WITHOUT ROWID',
        f'CREATE TABLE IF NOT EXISTS "KalshiTradingBudget" ({BUDGET_COLUMNS}, PRIMARY KEY (pk, sk)) '
        "WITHOUT ROWID",
        'CREATE INDEX IF NOT EXISTS "BTCTradeLog_status" ON "BTCTradeLog" (status)',
    ),
    # 2: job-run rows carry the TTL attribute, as on DynamoDB (cleanup removes expired ones here).
    ('ALTER TABLE "KalshiTradingBudget" ADD COLUMN expires_at INTEGER',),
    # 3: a reservation keeps when it was last asked for (reconcile's grace for crash-leaked ones).
    ('ALTER TABLE "KalshiTradingBudget" ADD COLUMN reserved_at TEXT',),
)
