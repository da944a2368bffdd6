"""SQLite connections for :class:`.SqliteStore`: one per thread, and the write/read helpers every part
of the store (prices, trades, budget book, run log, recorder) shares.

Each thread gets its own connection (sqlite3 connections must not be shared); WAL lets readers run
beside the writer; every read-check-write (budget, claims, trade updates) runs in ``BEGIN IMMEDIATE``
so the write lock is taken before the check, and a busy timeout makes waiting writers queue.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from kalshi_bots.adapters.store import codec
from kalshi_bots.ports.errors import StoreError

TRADES = '"BTCTradeLog"'
BUDGET = '"KalshiTradingBudget"'
BUSY_TIMEOUT_S = 30.0


def _sql_value(value: codec.Value) -> str | int | bytes:
    return str(value) if isinstance(value, Decimal) else value


def row_item(row: sqlite3.Row) -> codec.Item:
    return {k: row[k] for k in row.keys() if row[k] is not None}  # noqa: SIM118 (Row has no __iter__ of keys)


class SqliteConnection:
    """The file's connections (one per thread) and the helpers every part of the store writes with."""

    def __init__(self, path: str) -> None:
        if not path:
            raise ValueError("SqliteStore needs a file path (KALSHI_BOTS_SQLITE_PATH)")
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    # --- connections ----------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            try:
                # One connection per thread; check_same_thread is off only so close() may close them all.
                con = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
            con.row_factory = sqlite3.Row
            self._local.con = con
            with self._all_lock:
                self._all.append(con)
        return con

    def close(self) -> None:
        with self._all_lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        con = self._con()
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite {self.path}: cannot start a write: {exc}") from exc
        try:
            yield con
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(con)
            raise StoreError(f"SQLite {self.path}: {exc}") from exc
        except BaseException:
            self._rollback(con)
            raise

    @staticmethod
    def _rollback(con: sqlite3.Connection) -> None:
        if con.in_transaction:  # some errors end the transaction themselves
            con.execute("ROLLBACK")

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self._con().execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite {self.path}: {exc}") from exc

    @staticmethod
    def _upsert(
        con: sqlite3.Connection, table: str, item: codec.Item, verb: str = "INSERT OR REPLACE"
    ) -> int:
        cols = ", ".join(item)
        marks = ", ".join("?" for _ in item)
        args = tuple(_sql_value(v) for v in item.values())
        return con.execute(f"{verb} INTO {table} ({cols}) VALUES ({marks})", args).rowcount

    def _budget_row(self, con: sqlite3.Connection, pk: str, sk: str) -> sqlite3.Row | None:
        """The budget table's row (pk, sk) read inside ``con``'s write (budget book and run log)."""
        row: sqlite3.Row | None = con.execute(
            f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?",  # noqa: S608
            (pk, sk),
        ).fetchone()
        return row
