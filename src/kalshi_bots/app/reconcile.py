"""``reconcile`` (hourly, and after trading runs): bring the trade log up to date from the exchange.

1. **Pending trades** (written before an order whose outcome we never saw): look the order up by
   client_order_id. Found -> ``executed``/``failed`` with fill count and fees, and the unfilled part of
   the budget released. Not found ``PENDING_GRACE`` after it was written -> the POST never reached the
   exchange: ``failed`` (``order_not_found``) and the whole reservation released. Nothing is ever re-sent.
2. **Fills** since the oldest open trade: fill counts and fees paid per order are corrected from them,
   and a fill whose client_order_id is not in the log (an order that reached the exchange but whose
   record was lost) is **recorded** as a discovered trade, never re-sent.
3. **Settlements**: an executed trade whose market settled gets ``settlement_result`` and its realized
   P&L (``fill_count * payout - cost - fees``), booked once per trade (``record_realized_pnl`` keyed by
   client_order_id, so a re-run cannot double count) on the ET day of the settlement.

Trades are processed one by one; a lookup failing for one is logged and retried next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.placement import resolved_record
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.domain.models import Fill, Settlement, TradeRecord, TradeStatus
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.ports.errors import ExternalServiceError, StoreError, TransientError

logger = logging.getLogger(__name__)

JOB = "reconcile"
PENDING_GRACE = timedelta(minutes=10)  # an order not visible this long after its POST never arrived
LOOKBACK = timedelta(days=2)  # fills/settlements window when nothing is open
ORDER_NOT_FOUND = "order_not_found"
DISCOVERED_BOT = "discovered"


@dataclass(slots=True)
class _Tally:
    resolved: int = 0
    expired: int = 0
    fills_corrected: int = 0
    discovered: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)


def reconcile(deps: Deps, scheduled_for: datetime) -> JobResult:
    now = deps.clock.now()
    tally = _Tally()
    open_trades = deps.store.open_trades()
    for trade in open_trades:
        if trade.status is TradeStatus.PENDING:
            _resolve_pending(deps, trade, now, tally)
    since = min((t.created_at for t in open_trades), default=now) - LOOKBACK
    _apply_fills(deps, since, tally)
    _apply_settlements(deps, since, tally)
    data: dict[str, Any] = {
        "open_trades": len(open_trades),
        "resolved": tally.resolved,
        "expired": tally.expired,
        "fills_corrected": tally.fills_corrected,
        "discovered": tally.discovered,
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


def _resolve_pending(deps: Deps, trade: TradeRecord, now: datetime, tally: _Tally) -> None:
    if now - trade.created_at < timedelta(minutes=1):
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
        filled = Decimal(0)
        tally.expired += 1
    elif result.status == "resting":
        return  # cannot happen with IOC orders; leave it until the exchange finishes it
    else:
        record = resolved_record(trade, result)
        filled = result.fill_count
        tally.resolved += 1
    deps.store.update_trade(record)  # first: the status change is what makes the release happen once
    _release(deps, trade, filled, tally)
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


def _release(deps: Deps, trade: TradeRecord, filled: Decimal, tally: _Tally) -> None:
    try:
        reservation = risk.load_reservation(deps.store, trade.client_order_id)
        if reservation is not None:
            risk.release_unfilled(deps.store, reservation, filled)
    except (StoreError, ValueError) as exc:
        tally.errors.append(f"release {trade.client_order_id}: {exc}")


def _apply_fills(deps: Deps, since: datetime, tally: _Tally) -> None:
    try:
        fills = deps.exchange.fills(since)
    except ExternalServiceError as exc:
        tally.errors.append(f"fills: {exc}")
        return
    by_order: dict[str, list[Fill]] = defaultdict(list)
    for fill in fills:
        by_order[fill.order_id].append(fill)
    trades = {t.order_id: t for t in _trades_since(deps, since) if t.order_id}
    for order_id, order_fills in by_order.items():
        count = sum((f.count for f in order_fills), Decimal(0))
        fees = sum((f.fee for f in order_fills), Decimal(0))
        trade = trades.get(order_id)
        if trade is None:
            _discover(deps, order_fills, count, fees, tally)
        elif trade.status is TradeStatus.EXECUTED and (trade.fill_count, trade.fees_dollars) != (count, fees):
            deps.store.update_trade(replace(trade, fill_count=count, fees_dollars=fees))
            tally.fills_corrected += 1


def _trades_since(deps: Deps, since: datetime) -> list[TradeRecord]:
    """Trades logged on the UTC days from ``since`` to now: one ``begins_with(sk, day)`` query per day
    instead of scanning the whole log every hour."""
    day, last = since.date(), deps.clock.now().date()
    found: list[TradeRecord] = []
    while day <= last:
        found.extend(deps.store.trades_on(day))
        day += timedelta(days=1)
    return found


def _discover(deps: Deps, fills: list[Fill], count: Decimal, fees: Decimal, tally: _Tally) -> None:
    """Record an order seen on the exchange but missing from the log (never re-send it)."""
    first = min(fills, key=lambda f: f.created_at)
    coid = first.client_order_id
    if not coid:
        return  # without a client id we cannot tell it is ours (could be a manual trade)
    if deps.store.get_trade(coid) is not None:
        return  # logged but without order_id (still pending): step 1 handles it
    side = Side.YES if first.book_side.value == "bid" else Side.NO
    total = sum((f.count * f.yes_price for f in fills), Decimal(0))
    avg_yes = total / count if count else first.yes_price
    price = avg_yes if side is Side.YES else Decimal(1) - avg_yes
    record = TradeRecord(
        created_at=first.created_at,
        client_order_id=coid,
        bot=DISCOVERED_BOT,
        mode=deps.params.mode,
        contract_ticker=first.ticker,
        side=side,
        quantity=int(count),
        price_cents=price * 100,
        btc_price=None,
        strike_price=None,
        model_prob=0.0,
        market_prob=float(price),
        edge=0.0,
        kelly_fraction=0.0,
        status=TradeStatus.EXECUTED,
        order_id=first.order_id,
        fill_count=count,
        fees_dollars=fees,
        reason="discovered by reconcile: order on the exchange, missing from the log",
    )
    if deps.store.put_trade(record):
        tally.discovered += 1
        log_event(
            logger,
            "reconcile.discovered",
            f"recorded order {first.order_id} found on the exchange",
            logging.WARNING,
            ticker=first.ticker,
            client_order_id=coid,
        )


def realized_pnl(trade: TradeRecord, result: str) -> Decimal | None:
    """P&L of a filled trade at settlement; None for results other than yes/no (not modelled)."""
    if result not in ("yes", "no"):
        return None
    won = (result == "yes") == (trade.side is Side.YES)
    cost = trade.fill_count * trade.price_cents / 100
    payout = trade.fill_count if won else Decimal(0)
    return payout - cost - trade.fees_dollars


def _apply_settlements(deps: Deps, since: datetime, tally: _Tally) -> None:
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
