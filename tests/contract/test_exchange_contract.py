"""The Exchange contract: the paper exchange and the Kalshi client answer the jobs the same way.

Every test runs twice (``venue`` fixture, tests/contract/conftest.py): against the paper exchange over
the fake Kalshi's public market data, and against the real Kalshi client talking to the fake Kalshi,
signed with a key made for the test. The expected figures are worked out by hand from the quote
(YES bid 0.20 / YES ask 0.25) and Kalshi's taker fee ceil_cent(0.07 x C x P x (1 - P)), never
computed with the code under test.

Where the two legitimately differ, the test says so and why, and pins both behaviours.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kalshi_bots.domain.models import (
    BookSide,
    FeeSchedule,
    FeeType,
    OrderIntent,
    OrderResult,
    StrikeType,
)
from kalshi_bots.domain.orders import buy_no_intent, client_order_id
from kalshi_bots.ports.errors import NotFoundError, RejectedError

from .exchange_world import (
    CLOSE,
    EVENT,
    NEXT_EVENT,
    NOW,
    OTHER_SERIES,
    OTHER_TICKER,
    PAST_EVENT,
    PAST_TICKER,
    SERIES,
    SHARD,
    STARTING_CASH,
    TICKER,
    TICKERS,
    YES_ASK,
    YES_BID,
    Venue,
)

D = Decimal
NO_ASK = D(1) - YES_BID  # 0.80
MISSING_TICKER = f"{EVENT}-T1.99"


def coid(n: int = 0) -> str:
    return client_order_id("btc-hourly", TICKER, NOW, attempt=n)


def buy_no(no_price: str, count: int, cid: str, ticker: str = TICKER) -> OrderIntent:
    return buy_no_intent(ticker, D(no_price), count, cid, SHARD)


def buy_yes(yes_price: str, count: int, cid: str, ticker: str = TICKER) -> OrderIntent:
    return OrderIntent(ticker, BookSide.BID, D(yes_price), count, cid, exchange_index=SHARD)


def money_view(result: OrderResult) -> tuple[object, ...]:
    """What the jobs book from an order result: id, contracts, fees, YES-book average price."""
    return (result.order_id, result.fill_count, result.fees_paid, result.average_fill_price)


def assert_cash(venue: Venue, expected: Decimal) -> None:
    assert venue.exchange.balance() == expected
    assert venue.exchange.balance(SHARD) == expected


# --- market data --------------------------------------------------------------------------------


def test_exchange_status_reports_the_exchange_and_each_shard(venue: Venue) -> None:
    venue.fake.set_exchange_status(shards={0: True, SHARD: False})
    status = venue.exchange.exchange_status()
    assert status.exchange_active and status.trading_active
    assert status.shard_trading(0) and not status.shard_trading(SHARD)
    venue.fake.set_exchange_status(trading_active=False, shards={0: True, SHARD: True})
    assert not venue.exchange.exchange_status().shard_trading(0)


def test_series_fees_are_the_series_fee_type_and_multiplier(venue: Venue) -> None:
    assert venue.exchange.series_fees(SERIES) == FeeSchedule(FeeType.QUADRATIC, D(1))
    assert venue.exchange.series_fees(OTHER_SERIES) == FeeSchedule(FeeType.QUADRATIC, D("0.5"))
    with pytest.raises(NotFoundError):
        venue.exchange.series_fees("KXNOSUCH")


def test_get_event_nests_its_markets_with_strikes_quotes_and_shard(venue: Venue) -> None:
    event = venue.exchange.get_event(EVENT)
    assert (event.event_ticker, event.series_ticker, event.exchange_index) == (EVENT, SERIES, SHARD)
    assert tuple(m.ticker for m in event.markets) == TICKERS
    quoted = next(m for m in event.markets if m.ticker == TICKER)
    assert quoted.strike_type is StrikeType.GREATER and quoted.floor_strike == D("100249.99")
    assert quoted.close_time == CLOSE and quoted.status == "active" and quoted.exchange_index == SHARD
    assert (quoted.yes_bid, quoted.yes_ask, quoted.no_ask) == (YES_BID, YES_ASK, NO_ASK)
    unquoted = event.markets[0]
    assert (unquoted.yes_bid, unquoted.yes_ask, unquoted.no_bid, unquoted.no_ask) == (None,) * 4


def test_a_missing_event_is_not_found(venue: Venue) -> None:
    with pytest.raises(NotFoundError):
        venue.exchange.get_event("KXBTCD-26NOV2499")


def test_list_events_returns_the_series_events_across_pages(venue: Venue) -> None:
    # The fake pages by two, so three events need two pages; the past event's market is closed.
    open_events = venue.exchange.list_events(SERIES)
    assert sorted(e.event_ticker for e in open_events) == [EVENT, NEXT_EVENT]
    assert all(e.series_ticker == SERIES and e.markets for e in open_events)
    every = venue.exchange.list_events(SERIES, status="")
    assert sorted(e.event_ticker for e in every) == [PAST_EVENT, EVENT, NEXT_EVENT]


def test_get_market_quotes_both_sides_with_sizes(venue: Venue) -> None:
    venue.fake.set_orderbook(TICKER, yes_bids=[(YES_BID, D(7))], no_bids=[(D(1) - YES_ASK, D(9))])
    market = venue.exchange.get_market(TICKER)
    assert (market.yes_bid, market.yes_ask, market.no_ask) == (YES_BID, YES_ASK, NO_ASK)
    assert (market.yes_bid_size, market.yes_ask_size) == (D(7), D(9))
    assert market.event_ticker == EVENT and market.result == ""


def test_a_missing_market_is_not_found_and_an_order_on_it_places_nothing(venue: Venue) -> None:
    with pytest.raises(NotFoundError):
        venue.exchange.get_market(MISSING_TICKER)
    # NotFoundError is a definitive refusal for the order path (nothing exists to reconcile).
    with pytest.raises(NotFoundError):
        venue.exchange.create_order(buy_no("0.80", 1, coid(), ticker=MISSING_TICKER))
    assert venue.exchange.find_order(coid(), MISSING_TICKER) is None
    assert_cash(venue, STARTING_CASH)


# --- account and orders -------------------------------------------------------------------------


def test_balance_is_the_funded_cash_in_total_and_on_the_shard(venue: Venue) -> None:
    # Both keep one pot: the paper wallet by design, the fake because it does not split collateral
    # by shard (real Kalshi answers the shard's own cash for exchange_index). The jobs only need
    # "cash I may spend on this shard", which one pot answers correctly.
    assert_cash(venue, STARTING_CASH)


# (contracts, fee): 0.07 x C x 0.80 x 0.20 = 0.0112 C, up to the cent.
# 333 contracts: 3.7296 -> 3.73, an average fee 0.0112012... that does not multiply back exactly.
BUY_NO_FEES = [(1, "0.02"), (5, "0.06"), (7, "0.08"), (333, "3.73")]


@pytest.mark.parametrize(("count", "fee"), BUY_NO_FEES)
def test_ioc_buy_no_at_the_ask_fills_at_the_no_ask_with_the_taker_fee(
    venue: Venue, count: int, fee: str
) -> None:
    result = venue.exchange.create_order(buy_no("0.80", count, coid()))
    assert result.client_order_id == coid() and result.ticker == TICKER
    assert result.status == "executed" and result.fill_count == count and result.remaining_count == 0
    assert result.fees_paid == D(fee)
    assert result.average_fill_price == YES_BID  # YES-book: a NO bought at 0.80 is YES 0.20
    assert_cash(venue, STARTING_CASH - count * NO_ASK - D(fee))


# 0.07 x C x 0.25 x 0.75 = 0.013125 C, up to the cent; 333 -> 4.370625 -> 4.38.
BUY_YES_FEES = [(1, "0.02"), (3, "0.04"), (333, "4.38")]


@pytest.mark.parametrize(("count", "fee"), BUY_YES_FEES)
def test_ioc_buy_yes_at_the_ask_fills_at_the_yes_ask_with_the_taker_fee(
    venue: Venue, count: int, fee: str
) -> None:
    result = venue.exchange.create_order(buy_yes("0.25", count, coid()))
    assert result.status == "executed" and result.fill_count == count and result.remaining_count == 0
    assert result.fees_paid == D(fee) and result.average_fill_price == YES_ASK
    assert_cash(venue, STARTING_CASH - count * YES_ASK - D(fee))


def test_a_limit_better_than_the_ask_fills_at_the_ask(venue: Venue) -> None:
    # Willing to pay 0.85 for NO, the book offers 0.80: the order pays 0.80 and its fee at 0.80.
    result = venue.exchange.create_order(buy_no("0.85", 5, coid()))
    assert result.fill_count == 5 and result.average_fill_price == YES_BID
    assert result.fees_paid == D("0.06")
    assert_cash(venue, STARTING_CASH - D("4.06"))


def test_the_fee_follows_the_series_multiplier(venue: Venue) -> None:
    # OTHER_SERIES charges half the taker fee: 0.5 x 0.07 x 10 x 0.40 x 0.60 = 0.084 -> 0.09.
    venue.fake.set_quote(OTHER_TICKER, yes_bid=D("0.35"), yes_ask=D("0.40"), size=D(50))
    result = venue.exchange.create_order(buy_yes("0.40", 10, coid(), ticker=OTHER_TICKER))
    assert result.fill_count == 10 and result.fees_paid == D("0.09")
    assert result.average_fill_price == D("0.40")
    assert venue.exchange.balance() == STARTING_CASH - D("4.09")


def test_an_ioc_through_several_levels_fills_them_on_kalshi_and_only_the_top_on_paper(venue: Venue) -> None:
    # Legitimate difference (documented paper limit): paper sees only the top of the book through
    # get_market, so it fills at most the displayed size; Kalshi walks every level within the limit.
    # Paper therefore never reports more contracts, nor a worse price, than the real exchange would.
    venue.fake.set_orderbook(TICKER, yes_bids=[(D("0.20"), D(3)), (D("0.18"), D(4))])
    result = venue.exchange.create_order(buy_no("0.82", 5, coid()))
    if venue.is_paper:
        # 3 at NO 0.80; fee 0.0112 x 3 = 0.0336 -> 0.04.
        assert (result.fill_count, result.average_fill_price, result.fees_paid) == (3, D("0.20"), D("0.04"))
        assert venue.exchange.balance() == STARTING_CASH - D("2.44")
    else:
        # 3 at NO 0.80 and 2 at NO 0.82: YES-book average (3 x 0.20 + 2 x 0.18) / 5 = 0.192; fee
        # 0.07 x (3 x 0.2 x 0.8 + 2 x 0.18 x 0.82) = 0.054264 -> 0.06; cash 2.40 + 1.64 + 0.06.
        assert (result.fill_count, result.average_fill_price, result.fees_paid) == (5, D("0.192"), D("0.06"))
        assert venue.exchange.balance() == STARTING_CASH - D("4.10")
    assert result.status == ("canceled" if venue.is_paper else "executed")


@pytest.mark.parametrize(
    "intent",
    [buy_no("0.79", 5, coid()), buy_yes("0.24", 5, coid())],
    ids=["no-below-the-no-ask", "yes-below-the-yes-ask"],
)
def test_an_ioc_that_does_not_cross_fills_nothing_and_costs_nothing(
    venue: Venue, intent: OrderIntent
) -> None:
    result = venue.exchange.create_order(intent)
    assert result.fill_count == 0 and result.fees_paid == 0 and result.average_fill_price is None
    # Kalshi reports an IOC's final state: the unfilled rest is cancelled, so nothing remains.
    assert result.status == "canceled" and result.remaining_count == 0
    assert_cash(venue, STARTING_CASH)
    assert venue.exchange.fills(NOW - timedelta(days=1)) == []
    found = venue.exchange.find_order(coid(), TICKER)
    assert found is not None and found.fill_count == 0 and found.status == "canceled"


def test_an_ioc_larger_than_the_offer_fills_what_is_offered_and_cancels_the_rest(venue: Venue) -> None:
    venue.fake.set_quote(TICKER, yes_bid=YES_BID, yes_ask=YES_ASK, size=D(3))
    result = venue.exchange.create_order(buy_no("0.80", 5, coid()))
    assert result.fill_count == 3 and result.remaining_count == 0 and result.status == "canceled"
    assert result.fees_paid == D("0.04")  # 0.0112 x 3 = 0.0336 -> 0.04
    assert_cash(venue, STARTING_CASH - D("2.44"))


def test_the_same_client_order_id_twice_never_places_a_second_order(venue: Venue) -> None:
    first = venue.exchange.create_order(buy_no("0.80", 5, coid()))
    # A retry of the same decision, even with another price and size, returns the first order.
    again = venue.exchange.create_order(buy_no("0.85", 9, coid()))
    assert money_view(again) == money_view(first)
    assert_cash(venue, STARTING_CASH - D("4.06"))
    fills = venue.exchange.fills(NOW - timedelta(minutes=1))
    assert {f.order_id for f in fills} == {first.order_id}
    assert sum(f.count for f in fills) == 5


@pytest.mark.parametrize(("count", "fee"), BUY_NO_FEES)
def test_find_order_by_client_order_id_reports_what_create_order_did(
    venue: Venue, count: int, fee: str
) -> None:
    assert venue.exchange.find_order(coid(), TICKER) is None
    created = venue.exchange.create_order(buy_no("0.80", count, coid()))
    found = venue.exchange.find_order(coid(), TICKER)
    assert found is not None and found.client_order_id == coid()
    assert money_view(found) == money_view(created) == (created.order_id, count, D(fee), YES_BID)
    assert found.status == "executed"
    assert venue.exchange.find_order(coid(1), TICKER) is None


def test_fills_since_report_each_order_in_yes_book_terms(venue: Venue) -> None:
    no_order = venue.exchange.create_order(buy_no("0.80", 5, coid(0)))
    venue.clock.advance(timedelta(minutes=2))
    yes_order = venue.exchange.create_order(buy_yes("0.25", 3, coid(1)))
    fills = {f.order_id: f for f in venue.exchange.fills(NOW - timedelta(minutes=1))}
    assert set(fills) == {no_order.order_id, yes_order.order_id}
    no_fill, yes_fill = fills[no_order.order_id], fills[yes_order.order_id]
    assert (no_fill.ticker, no_fill.book_side, no_fill.count, no_fill.yes_price, no_fill.fee) == (
        TICKER,
        BookSide.ASK,
        D(5),
        YES_BID,
        D("0.06"),
    )
    assert (yes_fill.book_side, yes_fill.count, yes_fill.yes_price, yes_fill.fee) == (
        BookSide.BID,
        D(3),
        YES_ASK,
        D("0.04"),
    )
    assert no_fill.created_at == NOW and yes_fill.created_at == NOW + timedelta(minutes=2)
    later = venue.exchange.fills(NOW + timedelta(minutes=1))
    assert [f.order_id for f in later] == [yes_order.order_id]
    # Legitimate difference: Kalshi's Fill object has no client_order_id (spec 3.28), so the client
    # leaves it None and reconcile matches fills by order id; paper knows it and says so.
    expected_coid = coid(0) if venue.is_paper else None
    assert no_fill.client_order_id == expected_coid


@pytest.mark.parametrize(("result", "revenue"), [("no", D(5)), ("yes", D(3))])
def test_settlements_since_report_each_settled_position_once(
    venue: Venue, result: str, revenue: Decimal
) -> None:
    venue.exchange.create_order(buy_no("0.80", 5, coid(0)))
    venue.exchange.create_order(buy_yes("0.25", 3, coid(1)))
    spent = D("4.06") + D("0.79")  # 5 x 0.80 + 0.06 and 3 x 0.25 + 0.04
    assert venue.exchange.settlements(NOW) == []  # nothing settled yet
    settled_at = CLOSE + timedelta(minutes=5)
    venue.clock.set(settled_at)
    venue.fake.settle(TICKER, result)
    asked_at = venue.clock.advance(timedelta(minutes=10))  # reconcile runs a little later
    [settlement] = venue.exchange.settlements(NOW)
    assert settlement.ticker == TICKER and settlement.market_result == result
    assert (settlement.yes_count, settlement.no_count) == (D(3), D(5))
    assert settlement.revenue == revenue and settlement.fee_cost == D("0.10")
    # Legitimate difference (documented paper rule): Kalshi stamps the settlement with its own time;
    # paper's market data carries no settlement time, so paper stamps the moment it noticed it.
    assert settlement.settled_at == (asked_at if venue.is_paper else settled_at)
    # Read after settlements(): paper credits its wallet when it notices a settlement (documented).
    assert_cash(venue, STARTING_CASH - spent + revenue)
    assert venue.exchange.settlements(asked_at + timedelta(minutes=1)) == []
    assert len(venue.exchange.settlements(NOW)) == 1  # asking again settles nothing twice
    assert_cash(venue, STARTING_CASH - spent + revenue)


def test_an_order_costing_more_than_the_cash_is_a_definitive_rejection(venue: Venue) -> None:
    venue.fake.set_quote(TICKER, yes_bid=YES_BID, yes_ask=YES_ASK, size=D(2000))
    with pytest.raises(RejectedError) as caught:
        venue.exchange.create_order(buy_no("0.80", 1300, coid()))  # $1,040 + fees > $1,000
    assert caught.value.status == 400 and caught.value.code == "available_balance_too_low"
    assert_cash(venue, STARTING_CASH)
    assert venue.exchange.fills(NOW - timedelta(days=1)) == []


def test_an_order_on_a_closed_market_spends_nothing(venue: Venue) -> None:
    # PAST_TICKER closed at 14:00 UTC but still shows a quote. Legitimate difference: Kalshi refuses
    # the order (MARKET_INACTIVE); paper treats a market that is not active as an empty book
    # (its documented rule) and cancels the IOC unfilled. Either way nothing is spent, and the jobs
    # treat "rejected" and "not filled" alike for budget and claims.
    intent = buy_no("0.80", 5, coid(), ticker=PAST_TICKER)
    if venue.is_paper:
        result = venue.exchange.create_order(intent)
        assert result.fill_count == 0 and result.status == "canceled"
    else:
        with pytest.raises(RejectedError) as caught:
            venue.exchange.create_order(intent)
        assert caught.value.status == 400 and caught.value.code == "MARKET_INACTIVE"
    assert_cash(venue, STARTING_CASH)


def test_a_paused_shard_is_seen_through_exchange_status(venue: Venue) -> None:
    # Legitimate difference: paper does not simulate exchange pauses (documented: outages are not
    # simulated), so an order on a paused shard fills on paper and is refused by Kalshi. The jobs
    # never get there: they read exchange_status() first, which both answer the same way.
    venue.fake.set_exchange_status(shards={0: True, SHARD: False})
    assert not venue.exchange.exchange_status().shard_trading(SHARD)
    if venue.is_paper:
        assert venue.exchange.create_order(buy_no("0.80", 1, coid())).fill_count == 1
    else:
        with pytest.raises(RejectedError) as caught:
            venue.exchange.create_order(buy_no("0.80", 1, coid()))
        assert caught.value.status == 400
