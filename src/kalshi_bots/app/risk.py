"""Risk gates over the store: kill switch, daily realized-loss halt, budget reservations.

Everything here **fails closed**: if the store cannot be read, the answer is "do not trade" with the
reason :data:`STORE_UNAVAILABLE`, never a default that lets an order through.

Days: budgets and realized P&L are kept per **trading day = America/New_York calendar date**, the zone
Kalshi's markets are defined in, so a day's limits reset at ET midnight, not at UTC midnight.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from kalshi_bots.domain.decision import NoTradeReason
from kalshi_bots.domain.markets import NEW_YORK, require_aware
from kalshi_bots.domain.models import BudgetLimits, BudgetReservation
from kalshi_bots.ports.errors import StoreError
from kalshi_bots.ports.store import Store

HALT_FLAG = "halt"  # store flag: any non-empty value stops all trading until cleared
STORE_UNAVAILABLE = "store_unavailable"  # not a NoTradeReason: an error (outcome ERROR), not a choice
KILL_SWITCH = NoTradeReason.KILL_SWITCH.value
LOSS_LIMIT = NoTradeReason.LOSS_LIMIT.value
RESERVATION_DOC = "reservation"  # doc kind: what was reserved for a client_order_id (for reconcile)


def trading_day(now: datetime) -> date:
    """The ET calendar date of ``now``: the day budgets and P&L are booked on."""
    return require_aware(now, "now").astimezone(NEW_YORK).date()


def gate_refusal(store: Store, day: date, limits: BudgetLimits) -> str | None:
    """Why trading is not allowed right now, or ``None`` if the kill switch and loss gates pass.

    Returns :data:`KILL_SWITCH`, :data:`LOSS_LIMIT` or :data:`STORE_UNAVAILABLE`.
    """
    try:
        if kill_switch_on(store):
            return KILL_SWITCH
        if loss_limit_hit(store, day, limits):
            return LOSS_LIMIT
    except StoreError:
        return STORE_UNAVAILABLE
    return None


def kill_switch_on(store: Store) -> bool:
    """Raises StoreError when the flag cannot be read (callers treat that as "on")."""
    return bool(store.get_flag(HALT_FLAG))


def loss_limit_hit(store: Store, day: date, limits: BudgetLimits) -> bool:
    """Realized P&L of the day at or below ``-daily_loss_limit``. A limit of 0 means no loss halt."""
    if limits.daily_loss_limit <= 0:
        return False
    return store.realized_pnl(day) <= -limits.daily_loss_limit


def halt(store: Store, reason: str) -> None:
    """Turn the kill switch on (the CLI's ``halt``)."""
    store.set_flag(HALT_FLAG, reason.strip() or "halted")


def resume(store: Store) -> None:
    store.set_flag(HALT_FLAG, None)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A reserved amount plus the per-contract cost it was computed from (to release unfilled parts)."""

    budget: BudgetReservation
    contracts: int
    cost_per_contract: Decimal  # price + fee per contract, dollars

    def unfilled_amount(self, filled: Decimal) -> Decimal:
        unfilled = max(Decimal(0), Decimal(self.contracts) - filled)
        return min(self.budget.amount, unfilled * self.cost_per_contract)

    def to_json(self) -> str:
        b = self.budget
        return json.dumps(
            {
                "bot": b.bot,
                "day": b.day.isoformat(),
                "amount": str(b.amount),
                "reservation_id": b.reservation_id,
                "contracts": self.contracts,
                "cost_per_contract": str(self.cost_per_contract),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Reservation:
        raw = json.loads(text)
        return cls(
            budget=BudgetReservation(
                bot=raw["bot"],
                day=date.fromisoformat(raw["day"]),
                amount=Decimal(raw["amount"]),
                reservation_id=raw["reservation_id"],
            ),
            contracts=int(raw["contracts"]),
            cost_per_contract=Decimal(raw["cost_per_contract"]),
        )


def reserve(store: Store, reservation: Reservation, limits: BudgetLimits) -> bool:
    """Reserve before the order. Remembers the reservation as a doc so reconcile can release it later.

    Idempotent per reservation id (= client_order_id). Raises StoreError if the store fails: callers
    refuse to trade.
    """
    if not store.reserve_budget(reservation.budget, limits):
        return False
    store.put_doc(RESERVATION_DOC, reservation.budget.reservation_id, reservation.to_json())
    return True


def load_reservation(store: Store, reservation_id: str) -> Reservation | None:
    text = store.get_doc(RESERVATION_DOC, reservation_id)
    return None if text is None else Reservation.from_json(text)


def release_unfilled(store: Store, reservation: Reservation, filled: Decimal) -> Decimal:
    """Give back the unfilled part once; returns the amount released (0 if nothing to release).

    Called at most once per order outcome: the trade record's status change is what guards against a
    second release (only the run or the reconcile that moves a trade out of ``pending`` releases).
    """
    amount = reservation.unfilled_amount(filled)
    if amount > 0:
        store.release_budget(reservation.budget, amount)
    return amount
