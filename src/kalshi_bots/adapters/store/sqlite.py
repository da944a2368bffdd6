"""SQLite backend (the local default): the spec's tables in one file, safe across threads and processes.

Each thread gets its own connection (sqlite3 connections must not be shared); WAL lets readers run
beside the writer; every read-check-write (budget, claims, trade updates) runs in ``BEGIN IMMEDIATE``
so the write lock is taken before the check, and a busy timeout makes waiting writers queue.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.sqlite_schema import MIGRATIONS
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, RecordedEvent, Trigger
from kalshi_bots.domain.models import (
    Asset,
    Bot,
    BudgetLimits,
    BudgetReservation,
    BudgetState,
    JobRun,
    PriceTick,
    RunStatus,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
)
from kalshi_bots.ports.errors import ConflictError, StoreError

TRADES = '"BTCTradeLog"'
BUDGET = '"KalshiTradingBudget"'
BUSY_TIMEOUT_S = 30.0


def _price_table(asset: Asset) -> str:
    return f'"{asset.value}PriceHistory"'


def _sql_value(value: codec.Value) -> str | int | bytes:
    return str(value) if isinstance(value, Decimal) else value


def _held(row: sqlite3.Row) -> Decimal:
    """What a reservation row holds now: everything reserved minus everything given back."""
    return Decimal(row["amount"]) - Decimal(row["released"])


def _row_item(row: sqlite3.Row) -> codec.Item:
    return {k: row[k] for k in row.keys() if row[k] is not None}  # noqa: SIM118 (Row has no __iter__ of keys)


class SqliteStore:
    def __init__(self, path: str, *, snapshot_ttl: timedelta = sc.SNAPSHOT_TTL) -> None:
        if not path:
            raise ValueError("SqliteStore needs a file path (KALSHI_BOTS_SQLITE_PATH)")
        self.path = path
        self.snapshot_ttl = snapshot_ttl  # recorder rows expire like DynamoDB's TTL (see cleanup)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.init_schema()  # jobs may start on a fresh file: initialise on open

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
        return [codec.item_to_price(asset, _row_item(row)) for row in rows]

    def latest_price(self, asset: Asset) -> PriceTick | None:
        rows = self._query(
            f"SELECT sk, price FROM {_price_table(asset)} WHERE pk = ? ORDER BY sk DESC LIMIT 1",  # noqa: S608
            (r.PRICE_PK,),
        )
        return codec.item_to_price(asset, _row_item(rows[0])) if rows else None

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
        return codec.item_to_vol(asset, _row_item(rows[0])) if rows else None

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
        return codec.item_to_trade(_row_item(rows[0])) if rows else None

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
        return [codec.item_to_trade(_row_item(row)) for row in rows]

    # --- budget ---------------------------------------------------------------------------
    def _budget_row(self, con: sqlite3.Connection, pk: str, sk: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = con.execute(
            f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?",  # noqa: S608
            (pk, sk),
        ).fetchone()
        return row

    def _spent(self, con: sqlite3.Connection, pk: str, sk: str) -> Decimal:
        row = self._budget_row(con, pk, sk)
        return Decimal(row["spent"]) if row is not None and row["spent"] is not None else Decimal(0)

    def reserve_budget(self, reservation: BudgetReservation, limits: BudgetLimits) -> bool:
        r.check_positive(reservation.amount, "reservation amount")
        pk = r.budget_pk(reservation.day)
        with self._tx() as con:
            row = self._budget_row(con, pk, r.reservation_sk(reservation.reservation_id))
            more = reservation.amount - (_held(row) if row is not None else Decimal(0))
            if more <= 0:
                return True
            bot = _bot(row) if row is not None else reservation.bot
            bot_spent = self._spent(con, pk, r.bot_sk(bot)) + more
            all_spent = self._spent(con, pk, r.GLOBAL_SK) + more
            if bot_spent > limits.limit_for(bot) or all_spent > limits.global_limit:
                return False
            self._move(con, reservation, row, more)
            return True

    def release_budget(self, reservation: BudgetReservation, amount: Decimal) -> Decimal:
        r.check_positive(amount, "released amount")
        pk, rsk = r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        with self._tx() as con:
            row = self._budget_row(con, pk, rsk)
            if row is None:
                raise StoreError(
                    f"release_budget: unknown reservation {reservation.reservation_id!r} on {reservation.day}"
                )
            given = min(amount, _held(row))
            if given > 0:
                self._move(con, replace(reservation, at=None), row, -given)
            return given

    def settle_budget(self, reservation: BudgetReservation) -> Decimal:
        r.check_not_negative(reservation.amount, "settled amount")
        pk, rsk = r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        with self._tx() as con:
            row = self._budget_row(con, pk, rsk)
            change = reservation.amount - (_held(row) if row is not None else Decimal(0))
            if change != 0:
                self._move(con, reservation, row, change)
            return change

    def _move(
        self,
        con: sqlite3.Connection,
        reservation: BudgetReservation,
        row: sqlite3.Row | None,
        change: Decimal,
    ) -> None:
        """Hold ``change`` more (or give back ``-change``) under the reservation, inside ``con``'s write."""
        pk = r.budget_pk(reservation.day)
        amount = Decimal(row["amount"]) if row is not None else Decimal(0)
        released = Decimal(row["released"]) if row is not None else Decimal(0)
        bot = _bot(row) if row is not None else reservation.bot
        at = row["reserved_at"] if row is not None else None
        if reservation.at is not None:
            at = r.iso_micro(reservation.at, "reservation time")
        item: codec.Item = {
            "pk": pk,
            "sk": r.reservation_sk(reservation.reservation_id),
            "bot": bot.value,
            "amount": amount + max(change, Decimal(0)),
            "released": released + max(-change, Decimal(0)),
        }
        if at is not None:
            item["reserved_at"] = at
        self._upsert(con, BUDGET, item)
        self._upsert(
            con,
            BUDGET,
            {
                "pk": pk,
                "sk": r.bot_sk(bot),
                "bot": bot.value,
                "spent": self._spent(con, pk, r.bot_sk(bot)) + change,
            },
        )
        self._upsert(
            con, BUDGET, {"pk": pk, "sk": r.GLOBAL_SK, "spent": self._spent(con, pk, r.GLOBAL_SK) + change}
        )

    def reservations(self, day: date) -> list[BudgetReservation]:
        rows = self._query(
            f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk >= 'RES#' AND sk < 'RES$' ORDER BY sk",  # noqa: S608
            (r.budget_pk(day),),
        )
        return [
            BudgetReservation(
                _bot(row),
                day,
                _held(row),
                r.reservation_id_from_sk(str(row["sk"])),
                None if row["reserved_at"] is None else r.parse_iso(row["reserved_at"], "reserved_at"),
            )
            for row in rows
        ]

    def budget_state(self, bot: Bot, day: date, limits: BudgetLimits) -> BudgetState:
        rows = self._query(
            f"SELECT spent FROM {BUDGET} WHERE pk = ? AND sk = ?",  # noqa: S608
            (r.budget_pk(day), r.bot_sk(bot)),
        )
        spent = Decimal(rows[0]["spent"]) if rows else Decimal(0)
        return BudgetState(bot=bot, day=day, limit=limits.limit_for(bot), spent=spent)

    def record_realized_pnl(self, bot: Bot, day: date, pnl: Decimal, key: str) -> None:
        item: codec.Item = {
            "pk": r.pnl_pk(day),
            "sk": key,
            "bot": bot.value,
            "pnl": codec.decimal_number(pnl, "pnl"),
        }
        with self._tx() as con:
            self._upsert(con, BUDGET, item, "INSERT OR IGNORE")

    def realized_pnl(self, day: date) -> Decimal:
        rows = self._query(f"SELECT pnl FROM {BUDGET} WHERE pk = ?", (r.pnl_pk(day),))  # noqa: S608
        return sum((Decimal(row["pnl"]) for row in rows), Decimal(0))

    def get_flag(self, name: str) -> str | None:
        rows = self._query(f"SELECT value FROM {BUDGET} WHERE pk = ? AND sk = ?", (r.FLAG_PK, name))  # noqa: S608
        return str(rows[0]["value"]) if rows else None

    def set_flag(self, name: str, value: str | None) -> None:
        with self._tx() as con:
            if value is None:
                con.execute(f"DELETE FROM {BUDGET} WHERE pk = ? AND sk = ?", (r.FLAG_PK, name))  # noqa: S608
            else:
                self._upsert(con, BUDGET, {"pk": r.FLAG_PK, "sk": name, "value": value})

    # --- job runs -------------------------------------------------------------------------
    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        sk, at = r.jobrun_sk(job, scheduled_for), r.as_utc(now, "now")
        with self._tx() as con:
            row = self._budget_row(con, r.JOBRUN_PK, sk)
            if row is not None and not r.claimable(
                codec.run_status_of(str(row["outcome"]), sk),
                r.parse_iso(row["lease_until"], "job run lease"),
                at,
            ):
                return False
            item: codec.Item = {
                "pk": r.JOBRUN_PK,
                "sk": sk,
                "owner": owner,
                "lease_until": r.iso_micro(at + timedelta(seconds=lease_seconds), "lease_until"),
                "outcome": RunStatus.RUNNING.value,
                "detail": "",
                "expires_at": r.jobrun_expires_at(scheduled_for),
            }
            self._upsert(con, BUDGET, item)
            return True

    def finish_run(
        self, job: str, scheduled_for: datetime, owner: str, outcome: RunStatus, detail: str
    ) -> None:
        sk = r.jobrun_sk(job, scheduled_for)
        with self._tx() as con:
            changed = con.execute(
                f"UPDATE {BUDGET} SET outcome = ?, detail = ? WHERE pk = ? AND sk = ? AND owner = ?",  # noqa: S608
                (outcome.value, detail, r.JOBRUN_PK, sk, owner),
            ).rowcount
            if changed != 1:
                raise ConflictError(f"finish_run: {sk} is not held by {owner!r}")

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        sql = f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?"  # noqa: S608
        rows = self._query(sql, (r.JOBRUN_PK, r.jobrun_sk(job, scheduled_for)))
        return _job_run(rows[0]) if rows else None

    def last_runs(self) -> list[JobRun]:
        # sk = <job>#<fixed-width time>: the max sk per job prefix is that job's latest run.
        rows = self._query(
            f"SELECT max(sk) AS sk FROM {BUDGET} WHERE pk = ? GROUP BY substr(sk, 1, instr(sk, '#'))",  # noqa: S608
            (r.JOBRUN_PK,),
        )
        runs = []
        for latest in rows:
            sql = f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?"  # noqa: S608
            runs.append(_job_run(self._query(sql, (r.JOBRUN_PK, latest["sk"]))[0]))
        return sorted(runs, key=lambda run: run.job)

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

    # --- market recorder (ports.snapshots.SnapshotStore) -----------------------------------
    def put_snapshot(self, snapshot: MarketSnapshot) -> bool:
        items = sc.snapshot_items(snapshot, self.snapshot_ttl)
        marker = sc.event_item(sc.recorded_event(snapshot), ttl=self.snapshot_ttl)
        with self._tx() as con:
            self._upsert(con, BUDGET, marker, "INSERT OR IGNORE")
            return [self._upsert(con, BUDGET, item, "INSERT OR IGNORE") for item in items][-1] == 1

    def snapshots_between(
        self, start: datetime, end: datetime, trigger: Trigger | None = None
    ) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        kinds = [trigger] if trigger is not None else list(Trigger)
        found: list[tuple[str, str, MarketSnapshot]] = []
        for kind in kinds:
            rows = self._query(
                f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ?",  # noqa: S608
                (sc.snapshot_pk(kind), lo, hi),
            )
            found += [(str(row["sk"]), kind.value, sc.item_to_snapshot(_row_item(row))) for row in rows]
        return [snap for _, _, snap in sorted(found, key=lambda t: (t[0], t[1]))]

    def decisions_between(self, start: datetime, end: datetime) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        rows = self._query(
            f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk",  # noqa: S608
            (sc.snapshot_pk(sc.LOOKED), lo, hi),
        )
        return [sc.item_to_snapshot(_row_item(row)) for row in rows]

    def unsettled_events(self, closed_from: datetime, closed_before: datetime) -> list[RecordedEvent]:
        return [event for event, result in self._events(closed_from, closed_before) if result is None]

    def put_event_result(self, result: EventResult) -> None:
        event = RecordedEvent(result.event_ticker, result.series_ticker, result.close_time)
        item = sc.event_item(event, result, self.snapshot_ttl)
        with self._tx() as con:
            self._upsert(con, BUDGET, item)

    def event_results(self, closed_from: datetime, closed_before: datetime) -> list[EventResult]:
        return [result for _, result in self._events(closed_from, closed_before) if result is not None]

    def _events(
        self, closed_from: datetime, closed_before: datetime
    ) -> list[tuple[RecordedEvent, EventResult | None]]:
        lo, hi = sc.time_bounds(closed_from, closed_before)
        rows = self._query(
            f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk",  # noqa: S608
            (r.SNAPEVENT_PK, lo, hi),
        )
        return [sc.item_to_event(_row_item(row)) for row in rows]


def _bot(row: sqlite3.Row) -> Bot:
    return codec.bot_of(str(row["bot"]), f"budget row {row['sk']}")


def _job_run(row: sqlite3.Row) -> JobRun:
    job, sched = str(row["sk"]).split("#", 1)
    return JobRun(
        job=job,
        scheduled_for=r.parse_iso(sched, "job run"),
        owner=str(row["owner"]),
        lease_until=r.parse_iso(row["lease_until"], "job run lease"),
        outcome=codec.run_status_of(str(row["outcome"]), f"job run {row['sk']}"),
        detail=str(row["detail"] or ""),
    )
