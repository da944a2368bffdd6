"""Risk gates over the store: kill switch, daily realized-loss halt, budget reservations.

Budget: the order path reserves ``contracts x (price + fee)`` under the client_order_id before the
order, re-asserts it right before the POST, and once the outcome is known books what the order really
cost (:func:`book_spend`: the unfilled part is given back). Reconcile books the same from what the
exchange reports, so a crash, a lost reply or a late order ends with the budget holding real spend.

Everything here **fails closed**: if the store cannot be read, the answer is "do not trade" with the
reason :data:`STORE_UNAVAILABLE`, never a default that lets an order through.

Days: budgets and realized P&L are kept per **trading day = America/New_York calendar date**, the zone
Kalshi's markets are defined in, so a day's limits reset at ET midnight, not at UTC midnight.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from kalshi_bots.domain.decision import NoTradeReason
from kalshi_bots.domain.markets import NEW_YORK, require_aware
from kalshi_bots.domain.models import BudgetLimits, BudgetReservation, TradeRecord, TradeStatus
from kalshi_bots.domain.orders import trade_spend
from kalshi_bots.ports.errors import StoreError
from kalshi_bots.ports.store import Store

HALT_FLAG = "halt"  # store flag: any non-empty value stops all trading until cleared
STORE_UNAVAILABLE = "store_unavailable"  # not a NoTradeReason: an error (outcome ERROR), not a choice
KILL_SWITCH = NoTradeReason.KILL_SWITCH.value
LOSS_LIMIT = NoTradeReason.LOSS_LIMIT.value
BUDGET_EXCEEDED = NoTradeReason.BUDGET_EXCEEDED.value


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


def pre_send_refusal(store: Store, budget: BudgetReservation, limits: BudgetLimits) -> str | None:
    """The last look before an order POST: why it must not go out now, or ``None``.

    Re-asserts the reservation (a no-op when it still holds ``budget.amount``; if something gave it
    back meanwhile, it is held again under the limits or refused), then the daily loss gate, then the
    kill switch last, so a ``halt`` set while the run was gathering data stops it here.
    """
    try:
        if not store.reserve_budget(budget, limits):
            return BUDGET_EXCEEDED
        if loss_limit_hit(store, budget.day, limits):
            return LOSS_LIMIT
        if kill_switch_on(store):
            return KILL_SWITCH
    except StoreError:
        return STORE_UNAVAILABLE
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


def book_spend(store: Store, trade: TradeRecord) -> Decimal:
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
