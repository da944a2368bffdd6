"""PaperExchange: fills at the ask with the taker fee, idempotent per client id, settles positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.domain.models import BookSide, Event, FeeSchedule, FeeType, OrderIntent
from kalshi_bots.domain.orders import buy_no_intent
from kalshi_bots.ports.errors import RejectedError

from .fakes import FakeMarketData, hourly_market

D = Decimal
NOW = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"
TICKER = f"{EVENT}-T100249.99"
COID = "5b0c1a52-3f0e-5b6c-8d2e-1f3a4b5c6d7e"


def paper(balance: Decimal = Decimal(1000)) -> tuple[PaperExchange, FakeMarketData, ManualClock]:
    data = FakeMarketData()
    data.add_event(Event(EVENT, "KXBTCD", (hourly_market(EVENT, "100249.99", NOW, "0.80"),), 2))
    clock = ManualClock(NOW)
    return PaperExchange(data, MemoryStore(), clock, starting_balance=balance), data, clock


def test_buy_no_fills_at_the_no_ask_with_the_taker_fee() -> None:
    ex, _, _ = paper()
    result = ex.create_order(buy_no_intent(TICKER, D("0.85"), 5, COID, 2))
    assert result.fill_count == 5 and result.remaining_count == 0 and result.status == "executed"
    assert result.average_fill_price == D("0.20")  # YES-book price of a NO bought at 0.80
    assert result.fees_paid == D("0.06")
    assert ex.balance() == D(1000) - D("4.00") - D("0.06")
    [fill] = ex.fills(NOW - timedelta(minutes=1))
    assert fill.client_order_id == COID and fill.book_side is BookSide.ASK and fill.count == 5


def test_buy_yes_fills_at_the_yes_ask() -> None:
    ex, _, _ = paper()
    intent = OrderIntent(TICKER, BookSide.BID, D("0.25"), 3, COID)
    result = ex.create_order(intent)
    assert result.fill_count == 3 and result.average_fill_price == D("0.21")


def test_a_limit_below_the_ask_does_not_fill_and_costs_nothing() -> None:
    ex, _, _ = paper()
    result = ex.create_order(buy_no_intent(TICKER, D("0.79"), 5, COID, 2))
    assert result.fill_count == 0 and result.status == "canceled" and ex.balance() == D(1000)
    assert ex.fills(NOW - timedelta(days=1)) == []


def test_fill_capped_at_displayed_size_and_nothing_on_an_inactive_market() -> None:
    ex, data, _ = paper()
    data.update_market(TICKER, yes_bid_size=D(2))
    assert ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2)).fill_count == 2
    data.update_market(TICKER, status="closed")
    other = "6b0c1a52-3f0e-5b6c-8d2e-1f3a4b5c6d7e"
    assert ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, other, 2)).fill_count == 0


def test_the_same_client_order_id_never_fills_twice() -> None:
    ex, _, _ = paper()
    first = ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2))
    second = ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2))
    assert first == second
    assert ex.balance() == D(1000) - D("4.06")
    assert ex.find_order(COID, TICKER) == first
    assert ex.find_order("unknown", TICKER) is None


def test_insufficient_balance_and_unknown_fee_type_are_rejected() -> None:
    ex, _, _ = paper(balance=D(1))
    with pytest.raises(RejectedError) as info:
        ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2))
    assert info.value.code == "available_balance_too_low" and info.value.status == 400
    ex2, data2, _ = paper()
    data2.fees["KXBTCD"] = FeeSchedule(FeeType.FLAT)
    with pytest.raises(RejectedError):
        ex2.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2))
    assert ex2.balance() == D(1000)


def test_positions_settle_once_when_the_market_reports_a_result() -> None:
    ex, data, clock = paper()
    ex.create_order(buy_no_intent(TICKER, D("0.80"), 5, COID, 2))
    assert ex.settlements(NOW - timedelta(days=1)) == []  # not settled yet
    data.update_market(TICKER, status="finalized", result="no")
    clock.advance(timedelta(minutes=30))
    [settled] = ex.settlements(NOW - timedelta(days=1))
    assert settled.market_result == "no" and settled.no_count == 5 and settled.revenue == 5
    ex.settlements(NOW - timedelta(days=1))
    assert ex.balance() == D(1000) - D("4.06") + D(5)


def test_market_data_is_delegated() -> None:
    ex, data, _ = paper()
    assert ex.get_event(EVENT).event_ticker == EVENT
    assert ex.get_market(TICKER).ticker == TICKER
    assert [e.event_ticker for e in ex.list_events("KXBTCD")] == [EVENT]
    assert ex.exchange_status() == data.status
    assert ex.series_fees("KXBTCD").fee_type is FeeType.QUADRATIC
