"""The one order path every trading job uses (hourly crypto and weather).

Order of operations, each step guarding against a crash at any point:

1. **Reserve** the budget (``contracts * (price + fee per contract)``), idempotent per client_order_id.
   Refused -> no order. Store down -> no order.
2. **Write the trade record as ``pending``** keyed by the deterministic client_order_id. If the record
   already exists, another run owns this decision -> no order (this is what makes a re-run, a platform
   retry or a concurrent duplicate place at most one order).
3. **Send** the order once (IOC limit).
4. **Update** the record: ``executed`` (something filled) / ``failed`` (IOC filled nothing) / ``rejected``
   (the exchange refused it), then **release** the unfilled part of the reservation.

If the send's outcome is unknown (timeout, crash, unreadable reply) the record stays ``pending`` and
nothing is re-sent: reconcile looks the order up by client_order_id later and finishes steps 4.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.domain.decision import NoTradeReason
from kalshi_bots.domain.models import (
    BudgetReservation,
    OrderIntent,
    OrderResult,
    TradeRecord,
    TradeStatus,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.ports.errors import (
    AuthError,
    ExternalServiceError,
    NotFoundError,
    RejectedError,
    StoreError,
)

logger = logging.getLogger(__name__)

BUDGET_EXCEEDED = NoTradeReason.BUDGET_EXCEEDED.value
ALREADY_TRADED = NoTradeReason.ALREADY_TRADED.value
ORDER_REJECTED = "order_rejected"
OUTCOME_UNKNOWN = "order_outcome_unknown"
NOT_FILLED = "not_filled"


class PlacementStatus(StrEnum):
    FILLED = "filled"  # at least one contract filled
    NOT_FILLED = "not-filled"  # the IOC found nothing at our price
    REFUSED = "refused"  # no order sent (budget, duplicate, store)
    REJECTED = "rejected"  # the exchange refused the order
    UNKNOWN = "unknown"  # sent, outcome unknown: the record stays pending for reconcile


@dataclass(frozen=True, slots=True)
class OrderPlan:
    bot: str
    day: date  # trading day the budget is booked on
    intent: OrderIntent
    record: TradeRecord  # status pending, every decision attribute filled
    cost_per_contract: Decimal  # outcome price + fee per contract, dollars


@dataclass(frozen=True, slots=True)
class Placement:
    status: PlacementStatus
    reason: str = ""
    record: TradeRecord | None = None
    store_failed: bool = False  # a store failure stopped or followed the order (retry may help)

    @property
    def order_sent(self) -> bool:
        return self.status in (PlacementStatus.FILLED, PlacementStatus.NOT_FILLED, PlacementStatus.UNKNOWN)


def outcome_price_of_fill(side: Side, result: OrderResult) -> Decimal | None:
    """Average price per contract of the outcome bought (``average_fill_price`` is YES-book)."""
    if result.average_fill_price is None:
        return None
    yes = result.average_fill_price
    return yes if side is Side.YES else Decimal(1) - yes


def place_order(deps: Deps, plan: OrderPlan) -> Placement:
    intent = plan.intent
    reservation = risk.Reservation(
        budget=BudgetReservation(
            bot=plan.bot,
            day=plan.day,
            amount=plan.cost_per_contract * intent.count,
            reservation_id=intent.client_order_id,
        ),
        contracts=intent.count,
        cost_per_contract=plan.cost_per_contract,
    )
    try:
        if not risk.reserve(deps.store, reservation, deps.params.budget):
            return Placement(PlacementStatus.REFUSED, BUDGET_EXCEEDED)
        if not deps.store.put_trade(plan.record):
            # Another run wrote this decision first; its reservation is the same (same id), keep it.
            return Placement(PlacementStatus.REFUSED, ALREADY_TRADED)
    except StoreError as exc:
        log_event(logger, "order.store_failed", f"no order: {exc}", logging.ERROR, ticker=intent.ticker)
        return Placement(PlacementStatus.REFUSED, risk.STORE_UNAVAILABLE, store_failed=True)

    try:
        result = deps.exchange.create_order(intent)
    except (RejectedError, AuthError, NotFoundError) as exc:
        code = getattr(exc, "code", "") or type(exc).__name__
        reason = f"{ORDER_REJECTED}: {code}: {exc}"
        return _finish(
            deps, plan, reservation=reservation, result=None, status=TradeStatus.REJECTED, reason=reason
        )
    except ExternalServiceError as exc:
        # Timeout, 5xx, crash mid-request, unreadable reply, OrderOutcomeUnknownError: the order may
        # exist. Leave it pending; never send again (reconcile resolves it by client_order_id).
        log_event(
            logger,
            "order.outcome_unknown",
            f"order outcome unknown, left pending for reconcile: {exc}",
            logging.WARNING,
            ticker=intent.ticker,
            client_order_id=intent.client_order_id,
        )
        log_trade(plan.record)
        return Placement(PlacementStatus.UNKNOWN, f"{OUTCOME_UNKNOWN}: {exc}", plan.record)
    status = TradeStatus.EXECUTED if result.fill_count > 0 else TradeStatus.FAILED
    reason = "" if result.fill_count > 0 else NOT_FILLED
    return _finish(deps, plan, reservation=reservation, result=result, status=status, reason=reason)


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
        reason="" if filled > 0 else NOT_FILLED,
    )


def _finish(
    deps: Deps,
    plan: OrderPlan,
    *,
    reservation: risk.Reservation,
    result: OrderResult | None,
    status: TradeStatus,
    reason: str,
) -> Placement:
    if result is None:
        record = replace(plan.record, status=status, reason=reason)
        filled = Decimal(0)
    else:
        record = resolved_record(plan.record, result)
        filled = result.fill_count
    placement_status = {
        TradeStatus.EXECUTED: PlacementStatus.FILLED,
        TradeStatus.FAILED: PlacementStatus.NOT_FILLED,
        TradeStatus.REJECTED: PlacementStatus.REJECTED,
    }[record.status]
    try:
        # Update first, release second: if the update fails the record stays pending and reconcile
        # (which releases when it moves a trade out of pending) does the release exactly once.
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
        return Placement(placement_status, reason or "record_update_failed", record, store_failed=True)
    try:
        risk.release_unfilled(deps.store, reservation, filled)
    except StoreError as exc:
        # Leaves budget reserved: the safe direction (less to spend today), so only log it.
        log_event(logger, "budget.release_failed", str(exc), logging.WARNING, ticker=record.contract_ticker)
    log_trade(record)
    return Placement(placement_status, reason, record)


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
        decision="trade",
        **trade_fields(record),
    )
