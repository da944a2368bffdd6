"""Reconcile's repairs (steps 2-4 of :mod:`.reconcile`): closed records the exchange contradicts, fills,
and the budget's reservations. Every repair writes the record first and books its cost second, and
booking is absolute (the reservation is *set* to the trade's cost), so a crash in between, a re-run or
two reconciles at once all end in the same state.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.placement import NOT_SENT_REASONS, resolved_record
from kalshi_bots.domain.models import Fill, TradeRecord, TradeStatus
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.ports.errors import ExternalServiceError, StoreError

logger = logging.getLogger(__name__)

PENDING_GRACE = timedelta(minutes=10)  # an order not visible this long after its POST never arrived
# How far back closed records are re-checked and fills read. Every market the bots trade closes and
# settles well within it (hourly: the hour; weather: the next morning), so an order that surfaces
# later than this could no longer change a position or a settlement we have not already booked.
LOOKBACK = timedelta(days=2)
IN_FLIGHT = timedelta(minutes=1)  # a record this young may belong to a run still waiting for its reply
DISCOVERED_BOT = "discovered"
_CLOSED = (TradeStatus.FAILED, TradeStatus.REJECTED)


@dataclass(slots=True)
class Tally:
    resolved: int = 0
    expired: int = 0
    repaired: int = 0
    fills_corrected: int = 0
    discovered: int = 0
    rebooked: int = 0
    leaks_released: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)
    booked: set[str] = field(default_factory=set)  # client_order_ids whose cost this run booked


def book(deps: Deps, record: TradeRecord, tally: Tally) -> None:
    """Set the record's reservation to what it cost; a store failure is left to the next run."""
    try:
        change = risk.book_spend(deps.store, record)
    except StoreError as exc:
        tally.errors.append(f"book {record.client_order_id}: {exc}")
        return
    tally.booked.add(record.client_order_id)
    if change:
        log_event(
            logger,
            "reconcile.budget_booked",
            f"{record.client_order_id}: budget {'+' if change > 0 else ''}{change}",
            client_order_id=record.client_order_id,
            bot=record.bot,
            change=change,
        )


def repair_closed(deps: Deps, rows: dict[str, TradeRecord], now: datetime, tally: Tally) -> None:
    """Look up again every failed/rejected record that never got an exchange order id (the order was
    "not found" after the grace, or a reply was read as a rejection): the exchange may have it."""
    for coid, trade in list(rows.items()):
        if trade.status not in _CLOSED or trade.order_id or coid in tally.booked:
            continue
        if trade.status is TradeStatus.FAILED and trade.reason in NOT_SENT_REASONS:
            continue  # closed before the POST: there is no order to find
        if now - trade.created_at < IN_FLIGHT:
            continue
        try:
            result = deps.exchange.find_order(coid, trade.contract_ticker)
        except ExternalServiceError as exc:
            tally.errors.append(f"find_order {coid}: {exc}")
            continue
        if result is None or result.status == "resting":
            continue
        record = resolved_record(trade, result)
        if record.fill_count > 0:
            record = replace(
                record,
                reason=f"repaired by reconcile: order found on the exchange (was {trade.status.value})",
            )
        _save(deps, rows, record, tally)
        tally.repaired += 1
        log_event(
            logger,
            "reconcile.repaired",
            f"{coid}: {trade.status.value} -> {record.status.value} (order {record.order_id} exists)",
            logging.WARNING,
            ticker=trade.contract_ticker,
            client_order_id=coid,
            fill_count=record.fill_count,
        )


def apply_fills(deps: Deps, since: datetime, rows: dict[str, TradeRecord], tally: Tally) -> None:
    """Correct each record from its order's fills, whatever its status; record orders missing from the
    log. A fill is matched to a record by exchange order id, else by client_order_id if it has one."""
    try:
        fills = deps.exchange.fills(since)
    except ExternalServiceError as exc:
        tally.errors.append(f"fills: {exc}")
        return
    by_order: dict[str, list[Fill]] = defaultdict(list)
    for fill in fills:
        by_order[fill.order_id].append(fill)
    by_order_id = {t.order_id: t for t in rows.values() if t.order_id}
    for order_id, order_fills in by_order.items():
        trade = by_order_id.get(order_id) or _by_client_id(deps, rows, order_fills)
        if trade is None:
            _discover(deps, rows, order_fills, tally)
            continue
        corrected = _from_fills(trade, order_id, order_fills)
        if corrected != trade:
            _save(deps, rows, corrected, tally)
            tally.fills_corrected += 1


def _by_client_id(deps: Deps, rows: dict[str, TradeRecord], fills: list[Fill]) -> TradeRecord | None:
    coid = next((f.client_order_id for f in fills if f.client_order_id), None)
    if coid is None:
        return None
    return rows.get(coid) or deps.store.get_trade(coid)


def _from_fills(trade: TradeRecord, order_id: str, fills: list[Fill]) -> TradeRecord:
    count = sum((f.count for f in fills), Decimal(0))
    fees = sum((f.fee for f in fills), Decimal(0))
    if trade.status is TradeStatus.EXECUTED:
        return replace(trade, order_id=trade.order_id or order_id, fill_count=count, fees_dollars=fees)
    # A record that said "nothing happened" (pending, failed, rejected) but the order filled.
    return replace(
        trade,
        status=TradeStatus.EXECUTED,
        order_id=order_id,
        fill_count=count,
        fees_dollars=fees,
        price_cents=_average_outcome_price(trade.side, fills) * 100,
        reason=f"repaired by reconcile from fills (was {trade.status.value})",
    )


def _average_outcome_price(side: Side, fills: list[Fill]) -> Decimal:
    count = sum((f.count for f in fills), Decimal(0))
    yes = sum((f.count * f.yes_price for f in fills), Decimal(0)) / count if count else fills[0].yes_price
    return yes if side is Side.YES else Decimal(1) - yes


def _save(deps: Deps, rows: dict[str, TradeRecord], record: TradeRecord, tally: Tally) -> None:
    try:
        deps.store.update_trade(record)
    except StoreError as exc:
        tally.errors.append(f"update {record.client_order_id}: {exc}")
        return
    rows[record.client_order_id] = record
    book(deps, record, tally)


def _discover(deps: Deps, rows: dict[str, TradeRecord], fills: list[Fill], tally: Tally) -> None:
    """Record an order seen on the exchange but missing from the log (never re-send it), and book it."""
    first = min(fills, key=lambda f: f.created_at)
    coid = first.client_order_id
    if not coid:
        return  # without a client id we cannot tell it is ours (could be a manual trade)
    count = sum((f.count for f in fills), Decimal(0))
    side = Side.YES if first.book_side.value == "bid" else Side.NO
    price = _average_outcome_price(side, fills)
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
        fees_dollars=sum((f.fee for f in fills), Decimal(0)),
        reason="discovered by reconcile: order on the exchange, missing from the log",
    )
    if not deps.store.put_trade(record):
        return
    rows[coid] = record
    tally.discovered += 1
    book(deps, record, tally)
    log_event(
        logger,
        "reconcile.discovered",
        f"recorded order {first.order_id} found on the exchange",
        logging.WARNING,
        ticker=first.ticker,
        client_order_id=coid,
    )


def true_up_reservations(deps: Deps, rows: dict[str, TradeRecord], now: datetime, tally: Tally) -> None:
    """Set each reservation of today and yesterday (ET) to what its trade cost; release the ones a
    crash left without a record once they are ``PENDING_GRACE`` old (a run may be between the two)."""
    today = risk.trading_day(now)
    for day in (today - timedelta(days=1), today):
        try:
            held = deps.store.reservations(day)
        except StoreError as exc:
            tally.errors.append(f"reservations {day}: {exc}")
            continue
        for reservation in held:
            coid = reservation.reservation_id
            if coid in tally.booked:
                continue
            try:
                trade = rows.get(coid) or deps.store.get_trade(coid)
                want = risk.expected_hold(reservation, trade)
                if want is None or want == reservation.amount:
                    continue
                if trade is None and reservation.at is not None and now - reservation.at < PENDING_GRACE:
                    continue
                deps.store.settle_budget(replace(reservation, amount=want, at=None))
            except StoreError as exc:
                tally.errors.append(f"reservation {coid}: {exc}")
                continue
            _log_true_up(reservation.bot, coid, reservation.amount, want, leaked=trade is None)
            if trade is None:
                tally.leaks_released += 1
            else:
                tally.rebooked += 1


def _log_true_up(bot: str, coid: str, held: Decimal, want: Decimal, *, leaked: bool) -> None:
    what = "released a reservation a crash left without a trade record" if leaked else "rebooked"
    log_event(
        logger,
        "reconcile.reservation",
        f"{coid}: {what}: {held} -> {want}",
        logging.WARNING if leaked else logging.INFO,
        client_order_id=coid,
        bot=bot,
        held=held,
        booked=want,
    )
