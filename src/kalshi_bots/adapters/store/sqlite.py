"""SQLite backend (the local default): the spec's tables in one file, safe across threads and processes.

The store is assembled by concept: schema, prices, trades, flags and documents here; the budget book in
:mod:`.sqlite_budget`, the run log in :mod:`.sqlite_runs`, the market recorder in
:mod:`.sqlite_recorder`; all of them on the per-thread connections and write transactions of
:mod:`.sqlite_connection`.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.sqlite_budget import SqliteBudgetBook
from kalshi_bots.adapters.store.sqlite_connection import BUDGET, TRADES, row_item
from kalshi_bots.adapters.store.sqlite_recorder import SqliteRecorder
from kalshi_bots.adapters.store.sqlite_runs import SqliteRunLog
from kalshi_bots.adapters.store.sqlite_schema import MIGRATIONS
from kalshi_bots.domain.models import Asset, PriceTick, TradeRecord, TradeStatus, VolatilitySnapshot
from kalshi_bots.ports.errors import StoreError


def _price_table(asset: Asset) -> str:
    return f'"{asset.value}PriceHistory"'


class SqliteStore(SqliteBudgetBook, SqliteRunLog, SqliteRecorder):
    def __init__(self, path: str, *, snapshot_ttl: timedelta = sc.SNAPSHOT_TTL) -> None:
        super().__init__(path)
        self.snapshot_ttl = snapshot_ttl  # recorder rows expire like DynamoDB's TTL (see cleanup)
        self.init_schema()  # jobs may start on a fresh file: initialise on open

    def init_schema(self) -> None:
        """Apply the migrations this file has not seen yet. Idempotent, safe from several processes."""
        with self._tx() as con:
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = con.execute("SELECT max(version) FROM schema_version").fetchone()
            current = int(row[0] or 0)
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                for statement in statements:
                    con.execute(statement)
                con.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    # --- prices ---------------------------------------------------------------------------
    def put_price(self, tick: PriceTick) -> bool:
        item = codec.price_item(tick)
        with self._tx() as con:
            return self._upsert(con, _price_table(tick.asset), item, "INSERT OR IGNORE") == 1

    def prices_between(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        bounds = r.price_sk_range(start, end)
        if bounds is None:
            return []
        rows = self._query(
            f"SELECT sk, price FROM {_price_table(asset)} WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk",  # noqa: S608
            (r.PRICE_PK, *bounds),
        )
        return [codec.item_to_price(asset, row_item(row)) for row in rows]

    def latest_price(self, asset: Asset) -> PriceTick | None:
        rows = self._query(
            f"SELECT sk, price FROM {_price_table(asset)} WHERE pk = ? ORDER BY sk DESC LIMIT 1",  # noqa: S608
            (r.PRICE_PK,),
        )
        return codec.item_to_price(asset, row_item(rows[0])) if rows else None

    def put_volatility(self, snapshot: VolatilitySnapshot) -> None:
        item = codec.vol_item(snapshot)
        with self._tx() as con:
            try:
                self._upsert(con, _price_table(snapshot.asset), item)
            except sqlite3.OperationalError as exc:
                raise ValueError(f"volatility snapshot has a window the schema does not know: {exc}") from exc

    def get_volatility(self, asset: Asset) -> VolatilitySnapshot | None:
        rows = self._query(
            f"SELECT * FROM {_price_table(asset)} WHERE pk = ? AND sk = ?",  # noqa: S608
            (r.VOL_PK, r.VOL_SK),
        )
        return codec.item_to_vol(asset, row_item(rows[0])) if rows else None

    def delete_prices_before(self, asset: Asset, cutoff: datetime) -> int:
        """Delete old price rows. SQLite has no TTL, so this also drops job-run and recorder rows whose
        TTL (``expires_at``) has passed by ``cutoff``, as DynamoDB would (not counted in the result)."""
        bound = r.price_sk_before(cutoff)
        with self._tx() as con:
            con.execute(
                f"DELETE FROM {BUDGET} WHERE expires_at <= ? "  # noqa: S608
                "AND (pk = ? OR pk = ? OR substr(pk, 1, 5) = ?)",
                (int(r.as_utc(cutoff, "cutoff").timestamp()), r.JOBRUN_PK, r.SNAPEVENT_PK, r.SNAP_PK_PREFIX),
            )
            return con.execute(
                f"DELETE FROM {_price_table(asset)} WHERE pk = ? AND sk < ?",  # noqa: S608
                (r.PRICE_PK, bound),
            ).rowcount

    # --- trades ---------------------------------------------------------------------------
    def put_trade(self, trade: TradeRecord) -> bool:
        item = codec.trade_item(trade)
        with self._tx() as con:
            return self._upsert(con, TRADES, item, "INSERT OR IGNORE") == 1

    def update_trade(self, trade: TradeRecord) -> None:
        item = codec.trade_item(trade)
        with self._tx() as con:
            row = con.execute(
                f"SELECT sk FROM {TRADES} WHERE client_order_id = ?",  # noqa: S608
                (trade.client_order_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"update_trade: no trade with client_order_id {trade.client_order_id!r}")
            if row["sk"] != item["sk"]:
                raise ValueError(f"update_trade: created_at is the sort key and cannot change ({row['sk']})")
            self._upsert(con, TRADES, item)

    def get_trade(self, client_order_id: str) -> TradeRecord | None:
        rows = self._query(f"SELECT * FROM {TRADES} WHERE client_order_id = ?", (client_order_id,))  # noqa: S608
        return codec.item_to_trade(row_item(rows[0])) if rows else None

    def trades_on(self, day: date) -> list[TradeRecord]:
        return self._trades("pk = ? AND substr(sk, 1, 10) = ?", (r.TRADE_PK, r.day_prefix(day)))

    def all_trades(self) -> list[TradeRecord]:
        return self._trades("pk = ?", (r.TRADE_PK,))

    def open_trades(self) -> list[TradeRecord]:
        return self._trades(
            "pk = ? AND (status = ? OR (status = ? AND settlement_result IS NULL))",
            (r.TRADE_PK, TradeStatus.PENDING.value, TradeStatus.EXECUTED.value),
        )

    def _trades(self, where: str, args: tuple[object, ...]) -> list[TradeRecord]:
        rows = self._query(f"SELECT * FROM {TRADES} WHERE {where} ORDER BY sk", args)  # noqa: S608
        return [codec.item_to_trade(row_item(row)) for row in rows]

    # --- flags ----------------------------------------------------------------------------
    def get_flag(self, name: str) -> str | None:
        rows = self._query(f"SELECT value FROM {BUDGET} WHERE pk = ? AND sk = ?", (r.FLAG_PK, name))  # noqa: S608
        return str(rows[0]["value"]) if rows else None

    def set_flag(self, name: str, value: str | None) -> None:
        with self._tx() as con:
            if value is None:
                con.execute(f"DELETE FROM {BUDGET} WHERE pk = ? AND sk = ?", (r.FLAG_PK, name))  # noqa: S608
            else:
                self._upsert(con, BUDGET, {"pk": r.FLAG_PK, "sk": name, "value": value})

    # --- documents ------------------------------------------------------------------------
    def put_doc(self, kind: str, key: str, body: str, *, only_if_absent: bool = False) -> bool:
        item: codec.Item = {"pk": r.doc_pk(kind), "sk": key, "body": body}
        with self._tx() as con:
            return (
                self._upsert(con, BUDGET, item, "INSERT OR IGNORE" if only_if_absent else "INSERT OR REPLACE")
                == 1
            )

    def get_doc(self, kind: str, key: str) -> str | None:
        rows = self._query(f"SELECT body FROM {BUDGET} WHERE pk = ? AND sk = ?", (r.doc_pk(kind), key))  # noqa: S608
        return str(rows[0]["body"]) if rows else None

    def list_docs(self, kind: str) -> list[tuple[str, str]]:
        rows = self._query(f"SELECT sk, body FROM {BUDGET} WHERE pk = ? ORDER BY sk", (r.doc_pk(kind),))  # noqa: S608
        return [(str(row["sk"]), str(row["body"])) for row in rows]
