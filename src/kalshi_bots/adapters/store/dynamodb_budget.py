"""DynamoDB budget book: reservations, their settlement, and the day's limits and realized P&L.

Every change moves three items in one transaction: the reservation (written only if it is exactly as
read: an optimistic lock, retried when a concurrent call changed it) and the bot's and the global
``spent`` counters (``ADD``, conditional on the limit when reserving). Key layout in :mod:`.records`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.dynamodb_io import (
    NOT_EXISTS,
    ConditionFailedError,
    DynamoIO,
    key,
    to_wire,
    values,
)
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.models import Bot, BudgetLimits, BudgetReservation, BudgetState
from kalshi_bots.ports.errors import ConflictError, StoreError

RESERVATION_TRIES = 20  # optimistic retries when concurrent calls keep changing one reservation


def _decimal(item: codec.Item, name: str) -> Decimal:
    return Decimal(str(item[name]))


def _held(item: codec.Item | None) -> Decimal:
    """What a reservation item holds now (nothing if there is no item)."""
    return Decimal(0) if item is None else _decimal(item, "amount") - _decimal(item, "released")


def _bot(item: codec.Item) -> Bot:
    return codec.bot_of(str(item["bot"]), f"budget item {item['sk']!s}")


class DynamoBudgetBook:
    """:class:`~kalshi_bots.ports.store.BudgetBook` on the budget table (part of :class:`.DynamoStore`)."""

    io: DynamoIO  # both set by DynamoStore.__init__
    tables: TableNames

    def _spend_update(self, pk: str, sk: str, amount: Decimal, cap: Decimal | None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.tables.budget,
            "Key": key(pk, sk),
            "UpdateExpression": "ADD #spent :amount",
            "ExpressionAttributeNames": {"#spent": "spent"},
            "ExpressionAttributeValues": values(amount=amount),
        }
        if cap is not None:  # spend + amount <= limit, written as spent <= limit - amount
            update["ConditionExpression"] = "attribute_not_exists(#spent) OR #spent <= :cap"
            update["ExpressionAttributeValues"] = values(amount=amount, cap=cap)
        return {"Update": update}

    def reserve_budget(self, reservation: BudgetReservation, limits: BudgetLimits) -> bool:
        r.check_positive(reservation.amount, "reservation amount")
        pk = r.budget_pk(reservation.day)
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            more = reservation.amount - _held(held)
            if more <= 0:
                return True
            bot = reservation.bot if held is None else _bot(held)
            bot_limit = limits.limit_for(bot)
            if more > bot_limit or more > limits.global_limit:
                return False
            try:
                self.io.transact(
                    [
                        self._reservation_write(reservation, held, more),
                        self._spend_update(pk, r.bot_sk(bot), more, bot_limit - more),
                        self._spend_update(pk, r.GLOBAL_SK, more, limits.global_limit - more),
                    ]
                )
            except ConditionFailedError as exc:
                if exc.reasons and exc.reasons[0] == "ConditionalCheckFailed":
                    continue  # a concurrent call changed this reservation: read it again
                return False  # a limit would be exceeded
            return True
        raise ConflictError(f"reserve_budget: {reservation.reservation_id!r} kept changing under us")

    def release_budget(self, reservation: BudgetReservation, amount: Decimal) -> Decimal:
        r.check_positive(amount, "released amount")
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            if held is None:
                raise StoreError(
                    f"release_budget: unknown reservation {reservation.reservation_id!r} on {reservation.day}"
                )
            given = min(amount, _held(held))
            if given <= 0 or self._try_move(replace(reservation, at=None), held, -given):
                return given
        raise ConflictError(f"release_budget: {reservation.reservation_id!r} kept changing under us")

    def settle_budget(self, reservation: BudgetReservation) -> Decimal:
        r.check_not_negative(reservation.amount, "settled amount")
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            change = reservation.amount - _held(held)
            if change == 0 or self._try_move(reservation, held, change):
                return change
        raise ConflictError(f"settle_budget: {reservation.reservation_id!r} kept changing under us")

    def reservations(self, day: date) -> list[BudgetReservation]:
        rows = self.io.query(
            self.tables.budget, "pk = :pk AND begins_with(sk, :res)", pk=r.budget_pk(day), res="RES#"
        )
        return [
            BudgetReservation(
                _bot(item),
                day,
                _held(item),
                r.reservation_id_from_sk(str(item["sk"])),
                None if "reserved_at" not in item else r.parse_iso(str(item["reserved_at"]), "reserved_at"),
            )
            for item in rows
        ]

    def _reservation_item(self, reservation: BudgetReservation) -> codec.Item | None:
        return self.io.get(
            self.tables.budget, r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        )

    def _try_move(self, reservation: BudgetReservation, held: codec.Item | None, change: Decimal) -> bool:
        """Hold ``change`` more (or give back ``-change``), no limit; False if the reservation changed
        since ``held`` was read (the caller reads again)."""
        pk = r.budget_pk(reservation.day)
        bot = reservation.bot if held is None else _bot(held)
        try:
            self.io.transact(
                [
                    self._reservation_write(reservation, held, change),
                    self._spend_update(pk, r.bot_sk(bot), change, None),
                    self._spend_update(pk, r.GLOBAL_SK, change, None),
                ]
            )
        except ConditionFailedError:
            return False
        return True

    def _reservation_write(
        self, reservation: BudgetReservation, held: codec.Item | None, change: Decimal
    ) -> dict[str, Any]:
        """The reservation item's write, conditional on it being exactly as read (optimistic lock)."""
        pk, rsk = r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        add, give = max(change, Decimal(0)), max(-change, Decimal(0))
        at = None if reservation.at is None else r.iso_micro(reservation.at, "reservation time")
        if held is None:
            item: codec.Item = {
                "pk": pk,
                "sk": rsk,
                "bot": reservation.bot.value,
                "amount": add,
                "released": give,
            }
            if at is not None:
                item["reserved_at"] = at
            put = {"TableName": self.tables.budget, "Item": to_wire(item), "ConditionExpression": NOT_EXISTS}
            return {"Put": put}
        amount, released = _decimal(held, "amount"), _decimal(held, "released")
        update: dict[str, Any] = {
            "TableName": self.tables.budget,
            "Key": key(pk, rsk),
            "UpdateExpression": "SET #amount = :amount, #released = :released",
            "ConditionExpression": "#amount = :old_amount AND #released = :old_released",
            "ExpressionAttributeNames": {"#amount": "amount", "#released": "released"},
        }
        named: dict[str, codec.Value] = {
            "amount": amount + add,
            "released": released + give,
            "old_amount": amount,
            "old_released": released,
        }
        if at is not None:
            update["UpdateExpression"] += ", #at = :at"
            update["ExpressionAttributeNames"]["#at"] = "reserved_at"
            named["at"] = at
        update["ExpressionAttributeValues"] = values(**named)
        return {"Update": update}

    def budget_state(self, bot: Bot, day: date, limits: BudgetLimits) -> BudgetState:
        item = self.io.get(self.tables.budget, r.budget_pk(day), r.bot_sk(bot))
        spent = Decimal(0) if item is None else Decimal(item.get("spent", 0))  # type: ignore[arg-type]
        return BudgetState(bot=bot, day=day, limit=limits.limit_for(bot), spent=spent)

    def record_realized_pnl(self, bot: Bot, day: date, pnl: Decimal, key: str) -> None:
        item = codec.pnl_item(bot, day, pnl, key)
        self.io.put(self.tables.budget, item, NOT_EXISTS)

    def realized_pnl(self, day: date) -> Decimal:
        rows = self.io.query(self.tables.budget, "pk = :pk", pk=r.pnl_pk(day))
        return sum((Decimal(item["pnl"]) for item in rows), Decimal(0))  # type: ignore[arg-type]
