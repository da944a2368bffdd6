"""The one order path every trading job uses (hourly crypto and weather).

Order of operations, each step guarding against a crash at any point:

1. **Reserve** the budget (``contracts * (price + fee per contract)``) under the client_order_id. A
   reservation is identified by id *and* amount: a retry of the same decision at a higher price holds
   only the difference more, under the limits, or is refused. Refused -> no order.
2. **Write the trade record as ``pending``** keyed by the deterministic client_order_id. If the record
   already exists, another run owns this decision -> no order (this is what makes a re-run, a platform
   retry or a concurrent duplicate place at most one order). From here on this run owns the id.
3. **Claim the group** if the plan has one (weather: the event, see :mod:`.claims`). Taken -> no order.
4. **Re-check right before the POST**: the reservation still covers the order, the daily loss gate, and
   the kill switch last (:func:`risk.pre_send_refusal`). Any refusal -> the record becomes ``failed``
   with that reason, the reservation is given back, no order.
5. **Send** the order once (IOC limit).
6. **Update** the record: ``executed`` (something filled) / ``failed`` (IOC filled nothing) / ``rejected``
   (a definitive 4xx: the order does not exist), then **book** what the order really cost on its
   reservation (:func:`risk.book_spend`: the unfilled part is given back, never more than was held).

**Store failures** are not refusals: a ``StoreError`` before the POST propagates to the runner (which
reports ``store_unavailable``) and no order is sent; if the record was already written, it is first
closed as ``failed`` (``store_unavailable``) when the store still lets us, else it stays ``pending`` for
reconcile, which finds no order and releases the budget. After the POST the outcome is reported, with
``record_saved=False`` when the record could not be updated (reconcile completes it).

What it returns is a :class:`Placement` value: the status, and what goes with it (the refusal, the
exchange's rejection code and message, the record), never a formatted reason to be split back.

Unknown outcome is the default: any failure of the POST other than a definitive rejection
(:data:`~kalshi_bots.domain.orders.DEFINITIVE_REJECTION_STATUSES`) leaves the record ``pending`` with
its whole reservation held, and nothing is re-sent: reconcile looks the order up by client_order_id
later and books it.

**The remaining window.** The kill switch is read last in step 4, then the request is built, signed and
sent: a ``halt`` set after that read (a few milliseconds of local work, plus the request's own transit)
does not stop the order. A ``halt`` set any time before it does, however long the run spent gathering
data. Likewise the budget re-assert and the loss gate are read a few store calls before the POST; a
concurrent order of another bot can only take budget that is free, never this order's reservation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.claims import claim_group
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.order_plan import OrderPlan
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.market_snapshot import TradeDecision
from kalshi_bots.domain.models import (
    BudgetReservation,
    OrderResult,
    Side,
    TradeRecord,
    TradeStatus,
)
from kalshi_bots.domain.orders import intent_problem, is_definitive_rejection
from kalshi_bots.domain.reasons import ErrorReason, NoTradeReason, OrderReason, Reason
from kalshi_bots.ports.errors import (
    AuthError,
    ExternalServiceError,
    NotFoundError,
    RejectedError,
    StoreError,
)

logger = logging.getLogger(__name__)

# Reasons a record was closed by the last look before the POST: no order was sent for it, ever (its
# client_order_id is never sent later either), so reconcile need not look it up on the exchange.
NOT_SENT_REASONS: frozenset[str] = frozenset(
    {
        NoTradeReason.BUDGET_EXCEEDED,
        NoTradeReason.ALREADY_TRADED,
        NoTradeReason.KILL_SWITCH,
        NoTradeReason.LOSS_LIMIT,
        ErrorReason.STORE_UNAVAILABLE,
    }
)


class PlacementStatus(StrEnum):
    FILLED = "filled"  # at least one contract filled
    NOT_FILLED = "not-filled"  # the IOC found nothing at our price
    REFUSED = "refused"  # no order sent (budget, duplicate, claim, kill switch, loss limit, bad intent)
    REJECTED = "rejected"  # the exchange refused the order
    UNKNOWN = "unknown"  # sent, outcome unknown: the record stays pending for reconcile


@dataclass(frozen=True, slots=True)
class Rejection:
    """The exchange's definitive refusal of an order, as it gave it."""

    code: str  # the exchange's error code (or the error type when it gave none)
    message: str

    def record_reason(self) -> str:
        """The trade record's reason: ``order_rejected: <code>: <message>`` (the stored form)."""
        return f"{ErrorReason.ORDER_REJECTED.value}: {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Placement:
    """What became of one plan. ``refusal``: why nothing was sent (REFUSED); ``rejection``: what the
    exchange said (REJECTED); ``failure``: what went wrong with the POST (UNKNOWN: the order may exist)."""

    status: PlacementStatus
    record: TradeRecord | None = None
    refusal: Refusal | None = None
    rejection: Rejection | None = None
    failure: str = ""
    record_saved: bool = True  # False: the outcome is known, its record not updated (reconcile will)

    @property
    def reason(self) -> Reason | None:
        """The one reason the placement reports (None for a fill)."""
        if self.refusal is not None:
            return self.refusal.reason
        return _STATUS_REASON.get(self.status)

    @property
    def detail(self) -> str:
        if self.refusal is not None:
            return self.refusal.detail
        if self.rejection is not None:
            return f"{self.rejection.code}: {self.rejection.message}"
        return self.failure


_STATUS_REASON: dict[PlacementStatus, Reason] = {
    PlacementStatus.NOT_FILLED: OrderReason.NOT_FILLED,
    PlacementStatus.REJECTED: ErrorReason.ORDER_REJECTED,
    PlacementStatus.UNKNOWN: ErrorReason.ORDER_OUTCOME_UNKNOWN,
}


def outcome_price_of_fill(side: Side, result: OrderResult) -> Decimal | None:
    """Average price per contract of the outcome bought (``average_fill_price`` is YES-book)."""
    if result.average_fill_price is None:
        return None
    yes = result.average_fill_price
    return yes if side is Side.YES else Decimal(1) - yes


def place_order(deps: Deps, plan: OrderPlan) -> Placement:
    """Steps 1-6 of the module doc. Raises StoreError when the store fails before the POST (no order)."""
    intent = plan.intent
    problem = intent_problem(intent)
    if problem is not None:
        # A price or count the exchange cannot take: refuse before anything is reserved or written.
        log_event(logger, "order.invalid", f"no order: {problem}", logging.ERROR, ticker=intent.ticker)
        return _refused(NoTradeReason.INVALID_INPUT, problem)
    budget = BudgetReservation(
        bot=plan.bot,
        day=plan.day,
        amount=plan.cost_per_contract * intent.count,
        reservation_id=intent.client_order_id,
        at=deps.clock.now(),
    )
    if not deps.store.reserve_budget(budget, deps.params.budget):
        detail = f"holding {budget.amount} for {plan.bot} on {plan.day} would pass a daily limit"
        return _refused(NoTradeReason.BUDGET_EXCEEDED, detail)
    if not deps.store.put_trade(plan.record):
        _restore_owner_booking(deps, plan)
        return _refused(NoTradeReason.ALREADY_TRADED, f"trade {intent.client_order_id} exists")

    refusal = _last_look(deps, plan, budget)
    if refusal is not None:
        return _not_sent(deps, plan, refusal)

    try:
        result = deps.exchange.create_order(intent)
    except (RejectedError, AuthError, NotFoundError) as exc:
        http_status = exc.status if isinstance(exc, RejectedError) else 0
        if is_definitive_rejection(http_status):
            code = getattr(exc, "code", "") or type(exc).__name__
            return _finish(deps, plan, result=None, rejection=Rejection(code, str(exc)))
        return _unknown(plan, exc)
    except ExternalServiceError as exc:
        # Timeout, 5xx, crash mid-request, unreadable reply, OrderOutcomeUnknownError: the order may
        # exist. Leave it pending; never send again (reconcile resolves it by client_order_id).
        return _unknown(plan, exc)
    return _finish(deps, plan, result=result, rejection=None)


def _refused(reason: NoTradeReason, detail: str) -> Placement:
    return Placement(PlacementStatus.REFUSED, refusal=Refusal(reason, detail))


def _last_look(deps: Deps, plan: OrderPlan, budget: BudgetReservation) -> Refusal | None:
    """Claims, then the re-checks of :func:`risk.pre_send_refusal`; the reason not to send, or None.

    The record is ours by now: a store failure closes it (best effort) before it propagates."""
    try:
        if plan.exclusive_group and not claim_group(
            deps.store, plan.exclusive_group, plan.intent.client_order_id
        ):
            return Refusal(
                NoTradeReason.ALREADY_TRADED, f"{plan.exclusive_group} is claimed by another order"
            )
        return risk.pre_send_refusal(deps.store, budget, deps.params.budget)
    except StoreError:
        _close_not_sent(deps, plan, ErrorReason.STORE_UNAVAILABLE)
        raise


def _restore_owner_booking(deps: Deps, plan: OrderPlan) -> None:
    """Another run owns this client_order_id. If it already finished, our reserve may have topped its
    reservation up again after it booked its real spend: book that spend once more. (If it is still in
    flight it books its own outcome last, which overwrites ours.) Best effort: reconcile re-books too."""
    mine = BudgetReservation(plan.bot, plan.day, Decimal(0), plan.intent.client_order_id)
    try:
        held = risk.expected_hold(mine, deps.store.get_trade(plan.intent.client_order_id))
        if held is not None:
            deps.store.settle_budget(replace(mine, amount=held))
    except StoreError as exc:
        log_event(logger, "budget.rebook_failed", str(exc), logging.WARNING, ticker=plan.intent.ticker)


def _not_sent(deps: Deps, plan: OrderPlan, refusal: Refusal) -> Placement:
    """The last look refused: the record (ours) becomes failed with the reason, the hold is released.
    A store failure here propagates (nothing was sent; the pending record is reconcile's)."""
    log_event(
        logger,
        "order.not_sent",
        f"order not sent: {refusal.reason.value}",
        logging.WARNING,
        ticker=plan.intent.ticker,
        client_order_id=plan.intent.client_order_id,
        reason=refusal.reason,
    )
    return Placement(PlacementStatus.REFUSED, _close_failed(deps, plan, refusal.reason), refusal=refusal)


def _close_not_sent(deps: Deps, plan: OrderPlan, reason: ErrorReason) -> None:
    """Best effort after a store failure in the last look: close our record as failed (no order was
    sent) and release its hold. If the store fails again the record stays pending: reconcile finds no
    order for it and releases the budget."""
    try:
        _close_failed(deps, plan, reason)
    except StoreError as exc:
        log_event(logger, "order.record_update_failed", str(exc), logging.ERROR, ticker=plan.intent.ticker)


def _close_failed(deps: Deps, plan: OrderPlan, reason: Reason) -> TradeRecord:
    """The plan's record as failed (no order was sent) with ``reason``, its hold released. Raises
    StoreError."""
    record = replace(plan.record, status=TradeStatus.FAILED, reason=reason.value)
    deps.store.update_trade(record)
    risk.book_spend(deps.store, record)
    return record


def _unknown(plan: OrderPlan, exc: Exception) -> Placement:
    log_event(
        logger,
        "order.outcome_unknown",
        f"order outcome unknown, left pending for reconcile: {exc}",
        logging.WARNING,
        ticker=plan.intent.ticker,
        client_order_id=plan.intent.client_order_id,
    )
    log_trade(plan.record)
    return Placement(PlacementStatus.UNKNOWN, plan.record, failure=str(exc))


def resolved_record(record: TradeRecord, result: OrderResult) -> TradeRecord:
    """The record updated from an exchange order result (used by the order path and by reconcile)."""
    filled = result.fill_count
    fill_price = outcome_price_of_fill(record.side, result)
    return replace(
        record,
        status=TradeStatus.EXECUTED if filled > 0 else TradeStatus.FAILED,
        order_id=result.order_id,
        fill_count=filled,
        fees_dollars=result.fees_paid,
        price_cents=record.price_cents if fill_price is None or filled <= 0 else fill_price * 100,
        reason="" if filled > 0 else OrderReason.NOT_FILLED.value,
    )


_PLACED = {
    TradeStatus.EXECUTED: PlacementStatus.FILLED,
    TradeStatus.FAILED: PlacementStatus.NOT_FILLED,
    TradeStatus.REJECTED: PlacementStatus.REJECTED,
}


def _finish(
    deps: Deps, plan: OrderPlan, *, result: OrderResult | None, rejection: Rejection | None
) -> Placement:
    """The exchange answered (``result``) or definitively refused (``rejection``): update, then book."""
    if result is not None:
        record = resolved_record(plan.record, result)
    else:
        reason = "" if rejection is None else rejection.record_reason()
        record = replace(plan.record, status=TradeStatus.REJECTED, reason=reason)
    status = _PLACED[record.status]
    try:
        # Update first, book second: if the update fails the record stays pending and reconcile
        # (which books whatever it resolves) books it; booking is absolute, so doing it twice is harmless.
        deps.store.update_trade(record)
    except StoreError as exc:
        log_event(
            logger,
            "order.record_update_failed",
            f"order done but trade record not updated (reconcile will): {exc}",
            logging.ERROR,
            ticker=record.contract_ticker,
            client_order_id=record.client_order_id,
        )
        return Placement(status, record, rejection=rejection, failure=str(exc), record_saved=False)
    try:
        risk.book_spend(deps.store, record)
    except StoreError as exc:
        # Leaves the whole amount reserved: the safe direction (less to spend today); reconcile books it.
        log_event(logger, "budget.book_failed", str(exc), logging.WARNING, ticker=record.contract_ticker)
    log_trade(record)
    return Placement(status, record, rejection=rejection)


def trade_fields(record: TradeRecord) -> dict[str, Any]:
    """The spec's trade-log attributes (plus ours) of a record, for the structured log."""
    return {
        "client_order_id": record.client_order_id,
        "bot": record.bot,
        "mode": record.mode,
        "contract_ticker": record.contract_ticker,
        "side": record.side,
        "quantity": record.quantity,
        "price_cents": record.price_cents,
        "btc_price": record.btc_price,
        "strike_price": record.strike_price,
        "model_prob": record.model_prob,
        "market_prob": record.market_prob,
        "edge": record.edge,
        "kelly_fraction": record.kelly_fraction,
        "status": record.status,
        "order_id": record.order_id,
        "fill_count": record.fill_count,
        "fees_dollars": record.fees_dollars,
        "reason": record.reason,
    }


def log_trade(record: TradeRecord) -> None:
    log_event(
        logger,
        "trade.recorded",
        f"{record.contract_ticker} {record.side.value} x{record.quantity} @ {record.price_cents}c: "
        f"{record.status.value} {record.reason}".strip(),
        decision=TradeDecision.TRADE,
        **trade_fields(record),
    )
