"""Risk gates over the store: kill switch, daily realized-loss halt, budget reservations.

Budget: the order path reserves ``contracts x (price + fee)`` under the client_order_id before the
order, re-asserts it right before the POST, and once the outcome is known books what the order really
cost (:func:`book_spend`: the unfilled part is given back). Reconcile books the same from what the
exchange reports, so a crash, a lost reply or a late order ends with the budget holding real spend.

Everything here **fails closed**: a refusal is a :class:`Refusal` value; a store that cannot be read is
not a refusal but a ``StoreError``, which propagates to the runner (``store_unavailable``, no order),
never a default that lets an order through.

Days: budgets and realized P&L are kept per **trading day = America/New_York calendar date**, the zone
Kalshi's markets are defined in, so a day's limits reset at ET midnight, not at UTC midnight.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.markets import NEW_YORK, require_aware
from kalshi_bots.domain.models import BudgetLimits, BudgetReservation, TradeRecord, TradeStatus
from kalshi_bots.domain.orders import trade_spend
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.ports.store import BudgetBook, FlagStore

HALT_FLAG = "halt"  # store flag: any non-empty value stops all trading until cleared
# Where a refusal came from, as its detail: the gate before anything is read, or the order path.
GATE, ORDER_PATH = "risk gate", "order path"


class RiskBook(FlagStore, BudgetBook, Protocol):
    """What the risk gates read and book: the kill switch flag, the day's P&L and the budget."""


def trading_day(now: datetime) -> date:
    """The ET calendar date of ``now``: the day budgets and P&L are booked on."""
    return require_aware(now, "now").astimezone(NEW_YORK).date()


def gate_refusal(store: RiskBook, day: date, limits: BudgetLimits) -> Refusal | None:
    """Why trading is not allowed right now (kill switch, loss limit), or ``None`` if both gates pass.

    Raises StoreError when the store cannot be read: the run ends in ``store_unavailable``, no order.
    """
    if kill_switch_on(store):
        return Refusal(NoTradeReason.KILL_SWITCH, GATE)
    if loss_limit_hit(store, day, limits):
        return Refusal(NoTradeReason.LOSS_LIMIT, GATE)
    return None


def kill_switch_on(store: FlagStore) -> bool:
    """Raises StoreError when the flag cannot be read (no order either way)."""
    return bool(store.get_flag(HALT_FLAG))


def loss_limit_hit(store: BudgetBook, day: date, limits: BudgetLimits) -> bool:
    """Realized P&L of the day at or below ``-daily_loss_limit``. A limit of 0 means no loss halt."""
    if limits.daily_loss_limit <= 0:
        return False
    return store.realized_pnl(day) <= -limits.daily_loss_limit


def halt(store: FlagStore, reason: str) -> None:
    """Turn the kill switch on (the CLI's ``halt``)."""
    store.set_flag(HALT_FLAG, reason.strip() or "halted")


def resume(store: FlagStore) -> None:
    store.set_flag(HALT_FLAG, None)


def pre_send_refusal(store: RiskBook, budget: BudgetReservation, limits: BudgetLimits) -> Refusal | None:
    """The last look before an order POST: why it must not go out now, or ``None``.

    Re-asserts the reservation (a no-op when it still holds ``budget.amount``; if something gave it
    back meanwhile, it is held again under the limits or refused), then the daily loss gate, then the
    kill switch last, so a ``halt`` set while the run was gathering data stops it here. Raises
    StoreError when the store cannot answer (the caller sends nothing).
    """
    if not store.reserve_budget(budget, limits):
        return Refusal(NoTradeReason.BUDGET_EXCEEDED, ORDER_PATH)
    if loss_limit_hit(store, budget.day, limits):
        return Refusal(NoTradeReason.LOSS_LIMIT, ORDER_PATH)
    if kill_switch_on(store):
        return Refusal(NoTradeReason.KILL_SWITCH, ORDER_PATH)
    return None


def booking(trade: TradeRecord) -> BudgetReservation:
    """The reservation a logged trade's spend belongs to, holding what the trade really cost.

    Its key is the one the order path reserved under: the trade's client_order_id on the trading day
    of its ``created_at`` (the order path writes the record with the same ``now`` it books the day of).
    """
    return BudgetReservation(
        bot=trade.bot,
        day=trading_day(trade.created_at),
        amount=trade_spend(trade),
        reservation_id=trade.client_order_id,
    )


def book_spend(store: BudgetBook, trade: TradeRecord) -> Decimal:
    """Make the trade's reservation hold exactly what the trade cost (0 if nothing filled): releases
    the unfilled part, and re-reserves spend discovered later. Returns the change. Raises StoreError."""
    return store.settle_budget(booking(trade))


def expected_hold(reservation: BudgetReservation, trade: TradeRecord | None) -> Decimal | None:
    """What a reservation should hold given its trade record; ``None`` while that is not known yet.

    No record (a run died between reserving and writing it, so no order was ever sent for it) or a
    record booked on another day: nothing. A pending record: unknown until its outcome is. Otherwise
    what the trade cost.
    """
    if trade is None:
        return Decimal(0)
    if trade.status is TradeStatus.PENDING:
        return None
    own = booking(trade)
    return own.amount if own.day == reservation.day else Decimal(0)
