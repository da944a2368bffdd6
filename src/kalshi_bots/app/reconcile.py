"""``reconcile`` (hourly, and after trading runs): bring the trade log and the budget up to date from
the exchange. Nothing is ever re-sent; every repair books what the exchange says was spent.

1. **Pending trades** (written before an order whose outcome we never saw): look the order up by
   client_order_id. Found -> ``executed``/``failed`` with fill count and fees. Not found
   ``PENDING_GRACE`` after it was written -> ``failed`` (``order_not_found``).
2. **Closed trades that may be wrong** (:mod:`.reconcile_repairs`): a ``failed``/``rejected`` record
   without an exchange order id, written within ``LOOKBACK``, is looked up again by client_order_id:
   an order that showed up after the grace, or a reply that said "rejected" about an order the
   exchange had in fact accepted, turns it into what the exchange says.
3. **Fills** since the oldest open trade: a record is corrected from its order's fills whatever its
   status (a ``failed`` record whose order has fills becomes ``executed``); a fill whose order is not in
   the log is matched by client_order_id when the exchange gives one, or **recorded** as a discovered
   trade.
4. **Budget**: every trade resolved or repaired above has its reservation set to what it really cost
   (re-reserving spend found late, releasing what did not fill). Then every reservation of today and
   yesterday (ET) is checked against its record: one a crash left without a record (no order can
   exist: orders are sent only after their record is written) is released once ``PENDING_GRACE`` old,
   the others are set to their trade's cost.
5. **Settlements**: an executed trade whose market settled gets ``settlement_result`` and its realized
   P&L (``fill_count * payout - cost - fees``), booked once per trade (``record_realized_pnl`` keyed by
   client_order_id, so a re-run cannot double count) on the ET day of the settlement; so a repaired or
   discovered trade's P&L reaches the daily loss limit like any other.

Trades are processed one by one; a lookup failing for one is logged and retried next run.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.placement import resolved_record
from kalshi_bots.app.reconcile_repairs import (
    DISCOVERED_BOT,
    IN_FLIGHT,
    LOOKBACK,
    PENDING_GRACE,
    Tally,
    apply_fills,
    book,
    repair_closed,
    true_up_reservations,
)
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.models import Settlement, TradeRecord, TradeStatus
from kalshi_bots.ports.errors import ExternalServiceError, TransientError

logger = logging.getLogger(__name__)

JOB = "reconcile"
ORDER_NOT_FOUND = "order_not_found"

__all__ = [
    "DISCOVERED_BOT",
    "JOB",
    "LOOKBACK",
    "ORDER_NOT_FOUND",
    "PENDING_GRACE",
    "realized_pnl",
    "reconcile",
]


def reconcile(deps: Deps, scheduled_for: datetime) -> JobResult:
    now = deps.clock.now()
    tally = Tally()
    open_trades = deps.store.open_trades()
    for trade in open_trades:
        if trade.status is TradeStatus.PENDING:
            _resolve_pending(deps, trade, now, tally)
    since = min((t.created_at for t in open_trades), default=now) - LOOKBACK
    rows = {t.client_order_id: t for t in _trades_since(deps, since)}
    repair_closed(deps, rows, now, tally)
    apply_fills(deps, since, rows, tally)
    true_up_reservations(deps, rows, now, tally)
    _apply_settlements(deps, since, tally)
    data: dict[str, Any] = {
        "open_trades": len(open_trades),
        "resolved": tally.resolved,
        "expired": tally.expired,
        "repaired": tally.repaired,
        "fills_corrected": tally.fills_corrected,
        "discovered": tally.discovered,
        "budget_rebooked": tally.rebooked,
        "leaks_released": tally.leaks_released,
        "settled": tally.settled,
        "errors": tally.errors,
    }
    log_event(logger, "reconcile.done", f"reconcile {data}", **data)
    if tally.errors:
        return JobResult(
            JOB,
            scheduled_for,
            Outcome.ERROR,
            "partial",
            "; ".join(tally.errors)[:500],
            transient=True,
            data=data,
        )
    return JobResult(JOB, scheduled_for, Outcome.OK, data=data)


def _resolve_pending(deps: Deps, trade: TradeRecord, now: datetime, tally: Tally) -> None:
    if now - trade.created_at < IN_FLIGHT:
        return  # the run that wrote it may still be waiting for the exchange's answer
    try:
        result = deps.exchange.find_order(trade.client_order_id, trade.contract_ticker)
    except (TransientError, ExternalServiceError) as exc:
        tally.errors.append(f"find_order {trade.client_order_id}: {exc}")
        return
    if result is None:
        if now - trade.created_at < PENDING_GRACE:
            return
        record = replace(trade, status=TradeStatus.FAILED, reason=ORDER_NOT_FOUND)
        tally.expired += 1
    elif result.status == "resting":
        return  # cannot happen with IOC orders; leave it until the exchange finishes it
    else:
        record = resolved_record(trade, result)
        tally.resolved += 1
    deps.store.update_trade(record)  # first: a crash before booking leaves a record the true-up books
    book(deps, record, tally)
    log_event(
        logger,
        "reconcile.resolved",
        f"{trade.client_order_id} -> {record.status.value}",
        ticker=trade.contract_ticker,
        client_order_id=trade.client_order_id,
        status=record.status,
        fill_count=record.fill_count,
        reason=record.reason,
    )


def _trades_since(deps: Deps, since: datetime) -> list[TradeRecord]:
    """Trades logged on the UTC days from ``since`` to now: one ``begins_with(sk, day)`` query per day
    instead of scanning the whole log every hour."""
    day, last = since.date(), deps.clock.now().date()
    found: list[TradeRecord] = []
    while day <= last:
        found.extend(deps.store.trades_on(day))
        day += timedelta(days=1)
    return found


def realized_pnl(trade: TradeRecord, result: str) -> Decimal | None:
    """P&L of a filled trade at settlement; None for results other than yes/no (not modelled)."""
    if result not in ("yes", "no"):
        return None
    won = (result == "yes") == (trade.side is Side.YES)
    cost = trade.fill_count * trade.price_cents / 100
    payout = trade.fill_count if won else Decimal(0)
    return payout - cost - trade.fees_dollars


def _apply_settlements(deps: Deps, since: datetime, tally: Tally) -> None:
    try:
        settlements = deps.exchange.settlements(since)
    except ExternalServiceError as exc:
        tally.errors.append(f"settlements: {exc}")
        return
    by_ticker: dict[str, Settlement] = {s.ticker: s for s in settlements}
    for trade in deps.store.open_trades():
        settled = by_ticker.get(trade.contract_ticker)
        if settled is None or trade.status is not TradeStatus.EXECUTED:
            continue
        pnl = realized_pnl(trade, settled.market_result)
        if pnl is not None:
            # Book first (idempotent per key), mark second: a crash in between re-books nothing.
            deps.store.record_realized_pnl(
                trade.bot, risk.trading_day(settled.settled_at), pnl, trade.client_order_id
            )
        deps.store.update_trade(replace(trade, settlement_result=settled.market_result, pnl_dollars=pnl))
        tally.settled += 1
        log_event(
            logger,
            "reconcile.settled",
            f"{trade.contract_ticker} {settled.market_result} pnl={pnl}",
            ticker=trade.contract_ticker,
            client_order_id=trade.client_order_id,
            settlement_result=settled.market_result,
            pnl=pnl,
        )
