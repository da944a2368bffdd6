"""SQLite budget book: reservations, their settlement, and the day's limits and realized P&L.

Each change is one ``BEGIN IMMEDIATE`` write: the reservation row and the bot's and the global
``spent`` rows are read and rewritten under the write lock, so concurrent callers queue.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from decimal import Decimal

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.sqlite_connection import BUDGET, SqliteConnection
from kalshi_bots.domain.models import Bot, BudgetLimits, BudgetReservation, BudgetState
from kalshi_bots.ports.errors import StoreError


def _held(row: sqlite3.Row) -> Decimal:
    """What a reservation row holds now: everything reserved minus everything given back."""
    return Decimal(row["amount"]) - Decimal(row["released"])


def _bot(row: sqlite3.Row) -> Bot:
    return codec.bot_of(str(row["bot"]), f"budget row {row['sk']}")


class SqliteBudgetBook(SqliteConnection):
    """:class:`~kalshi_bots.ports.store.BudgetBook` on the budget table (part of :class:`.SqliteStore`)."""

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
        item = codec.pnl_item(bot, day, pnl, key)
        with self._tx() as con:
            self._upsert(con, BUDGET, item, "INSERT OR IGNORE")

    def realized_pnl(self, day: date) -> Decimal:
        rows = self._query(f"SELECT pnl FROM {BUDGET} WHERE pk = ?", (r.pnl_pk(day),))  # noqa: S608
        return sum((Decimal(row["pnl"]) for row in rows), Decimal(0))
