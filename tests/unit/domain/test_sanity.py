"""The input sanity rules: pure functions, checked on examples and on generated inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.decision import HourlyTrade, Refusal
from kalshi_bots.domain.models import (
    Asset,
    Event,
    ExchangeStatus,
    Market,
    PriceRange,
    PriceTick,
    StrikeType,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.sanity import (
    MAX_CLOCK_SKEW,
    PriceProblem,
    beyond_jump_limit,
    exchange_refusal,
    feed_time_problem,
    foreign_market_refusal,
    fresh_snapshot,
    on_grid,
    price_problem,
    price_refusal,
    spot_refusal,
    strike_refusal,
    tick_refusal,
    too_late,
    trade_refusal,
)

NOW = datetime(2026, 11, 24, 14, 45, 5, tzinfo=UTC)
CLOSE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"
SPOT = Decimal("95000")
CENTS = (PriceRange(Decimal(0), Decimal(1), Decimal("0.01")),)
TAPERED = (
    PriceRange(Decimal(0), Decimal("0.10"), Decimal("0.001")),
    PriceRange(Decimal("0.10"), Decimal("0.90"), Decimal("0.01")),
    PriceRange(Decimal("0.90"), Decimal(1), Decimal("0.001")),
)

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e7"), places=2)
jump_limits = st.floats(min_value=0.1, max_value=50.0, allow_nan=False)


def market(strike: str, event_ticker: str = EVENT, **changes: object) -> Market:
    m = Market(
        ticker=f"{event_ticker}-T{strike}",
        event_ticker=event_ticker,
        strike_type=StrikeType.GREATER,
        floor_strike=Decimal(strike),
        cap_strike=None,
        close_time=CLOSE,
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=Decimal("0.30"),
        price_ranges=CENTS,
    )
    return replace(m, **changes)  # type: ignore[arg-type]


def ladder(center: Decimal, width_pct: Decimal = Decimal(2), step: Decimal = Decimal(100)) -> list[Market]:
    low, high = center * (1 - width_pct / 100), center * (1 + width_pct / 100)
    strikes, k = [], (low // step) * step
    while k <= high:
        strikes.append(market(f"{k - Decimal('0.01')}"))
        k += step
    return strikes


def snapshot(last: Decimal | None, computed_at: datetime = NOW - timedelta(seconds=65)) -> VolatilitySnapshot:
    window = WindowVolatility(15, 15, 0.2, 0.5, 0.1)
    recent = () if last is None else (PriceTick(Asset.BTC, computed_at, last),)
    return VolatilitySnapshot(Asset.BTC, computed_at, (window,), last, recent)


# --- the one jump rule --------------------------------------------------------------------------------


@given(price=prices, reference=prices, limit=jump_limits)
def test_the_jump_rule_is_the_collectors_division_without_dividing(
    price: Decimal, reference: Decimal, limit: float
) -> None:
    divided = abs(price / reference - 1) * 100 > Decimal(repr(limit))
    assert beyond_jump_limit(price, reference, limit) == divided


@given(spot=prices, last=prices, limit=jump_limits)
def test_spot_is_refused_exactly_when_the_collector_would_reject_it(
    spot: Decimal, last: Decimal, limit: float
) -> None:
    previous = PriceTick(Asset.BTC, NOW - timedelta(minutes=1), last)
    collector = price_problem(spot, previous, NOW, limit)
    trader = spot_refusal(spot, snapshot(last), limit)
    assert (collector is PriceProblem.JUMP) == (trader is not None)
    if trader is not None:
        assert trader.reason is NoTradeReason.SPOT_DISAGREES


def test_an_absurd_price_is_a_jump_not_an_overflow() -> None:
    previous = PriceTick(Asset.BTC, NOW - timedelta(minutes=1), SPOT)
    assert price_problem(Decimal("1e999999999"), previous, NOW, 10.0) is PriceProblem.JUMP
    assert price_problem(Decimal("NaN"), previous, NOW, 10.0) is PriceProblem.INVALID
    assert price_problem(Decimal(0), None, NOW, 10.0) is PriceProblem.INVALID


def test_the_jump_rule_only_looks_back_over_the_longest_window() -> None:
    old = PriceTick(Asset.BTC, NOW - timedelta(minutes=121), SPOT)
    assert price_problem(SPOT * 2, old, NOW, 10.0) is None


def test_spot_is_held_to_the_newest_collected_tick_too() -> None:
    # last_price agrees, but the window's newest tick (a later, accepted price) does not.
    snap = replace(snapshot(SPOT), recent_prices=(PriceTick(Asset.BTC, NOW, SPOT * 2),))
    refusal = spot_refusal(SPOT, snap, 10.0)
    assert refusal is not None and refusal.reason is NoTradeReason.SPOT_DISAGREES
    assert spot_refusal(SPOT, snapshot(None), 10.0) == Refusal(
        NoTradeReason.VOL_INSUFFICIENT, "no accepted collector price to check spot against"
    )


# --- time ---------------------------------------------------------------------------------------------


def test_a_feed_time_may_lead_our_clock_by_the_skew_and_no_more() -> None:
    assert feed_time_problem(NOW + MAX_CLOCK_SKEW, NOW, 90) is None
    assert feed_time_problem(NOW + MAX_CLOCK_SKEW + timedelta(milliseconds=1), NOW, 90) is PriceProblem.FUTURE
    assert feed_time_problem(NOW + timedelta(days=1), NOW, 90) is PriceProblem.FUTURE
    assert feed_time_problem(NOW - timedelta(seconds=91), NOW, 90) is PriceProblem.STALE


def test_a_tick_from_the_future_is_refused_with_its_own_reason() -> None:
    refusal = price_refusal(PriceTick(Asset.BTC, NOW + timedelta(days=1), SPOT), NOW, 90)
    assert refusal is not None and refusal.reason is NoTradeReason.FUTURE_TIMESTAMP
    stale = price_refusal(PriceTick(Asset.BTC, NOW - timedelta(minutes=5), SPOT), NOW, 90)
    assert stale is not None and stale.reason is NoTradeReason.PRICE_STALE


def test_a_vol_item_from_the_future_is_refused_not_read_as_fresh() -> None:
    future = fresh_snapshot(snapshot(SPOT, NOW + timedelta(minutes=10)), NOW, 180)
    assert isinstance(future, Refusal) and future.reason is NoTradeReason.FUTURE_TIMESTAMP
    fresh = snapshot(SPOT)
    assert fresh_snapshot(fresh, NOW, 180) is fresh
    stale = fresh_snapshot(snapshot(SPOT, NOW - timedelta(minutes=4)), NOW, 180)
    assert isinstance(stale, Refusal) and stale.reason is NoTradeReason.VOL_STALE
    missing = fresh_snapshot(None, NOW, 180)
    assert isinstance(missing, Refusal) and missing.reason is NoTradeReason.VOL_INSUFFICIENT


def test_too_late_and_exchange_gates() -> None:
    late = too_late(CLOSE, CLOSE - timedelta(seconds=30), 1.0)
    assert late is not None and late.reason is NoTradeReason.TOO_LATE
    assert late.detail.startswith("0.5 min before the close")
    past = too_late(CLOSE, CLOSE + timedelta(minutes=312), 1.0)
    assert past is not None and past.detail.startswith("312.0 min after the close")  # not "-312 min before"
    assert too_late(CLOSE, NOW, 1.0) is None
    closed = exchange_refusal(ExchangeStatus(True, False), 2)
    assert closed is not None and closed.reason is NoTradeReason.EXCHANGE_CLOSED
    shard = exchange_refusal(ExchangeStatus(True, True, ((2, False),)), 2)
    assert shard is not None and shard.reason is NoTradeReason.SHARD_CLOSED
    assert exchange_refusal(ExchangeStatus(True, True, ((2, True),)), 2) is None


# --- the event ----------------------------------------------------------------------------------------


def test_a_reply_must_be_the_event_asked_for_with_only_its_markets() -> None:
    mine = Event(EVENT, "KXBTCD", tuple(ladder(SPOT)))
    assert foreign_market_refusal(mine, EVENT) is None
    other = foreign_market_refusal(replace(mine, event_ticker="KXBTCD-26NOV2411"), EVENT)
    assert other is not None and other.reason is NoTradeReason.FOREIGN_MARKET
    stray = replace(mine, markets=(*mine.markets, market("95099.99", "KXETHD-26NOV2410")))
    refusal = foreign_market_refusal(stray, EVENT)
    assert refusal is not None and "KXETHD-26NOV2410" in refusal.detail


@given(spot=st.decimals(min_value=Decimal(1000), max_value=Decimal(500000), places=2))
def test_a_ladder_listed_around_spot_passes(spot: Decimal) -> None:
    assert strike_refusal(ladder(spot, step=spot / 100), spot) is None


@given(
    spot=st.decimals(min_value=Decimal(1000), max_value=Decimal(500000), places=2),
    factor=st.one_of(
        st.decimals(min_value=Decimal("1.25"), max_value=Decimal("1e30")),
        st.decimals(min_value=Decimal("1e-6"), max_value=Decimal("0.80")),
    ),
)
def test_a_ladder_scaled_away_from_spot_is_implausible(spot: Decimal, factor: Decimal) -> None:
    scaled = [
        replace(m, floor_strike=(m.floor_strike or Decimal(0)) * factor)
        for m in ladder(spot, step=spot / 100)
    ]
    refusal = strike_refusal(scaled, spot)
    assert refusal is not None and refusal.reason is NoTradeReason.STRIKES_IMPLAUSIBLE


def test_strike_edge_cases() -> None:
    assert strike_refusal([], SPOT) is None  # no strikes: select_strike names it (no_qualifying_strike)
    negative = strike_refusal([market("-5"), *ladder(SPOT)], SPOT)
    assert negative is not None and "not positive" in negative.detail


def _trade(strike: str, no_ask: str, ranges: tuple[PriceRange, ...] = CENTS) -> HourlyTrade:
    m = market(strike, no_ask=Decimal(no_ask), price_ranges=ranges)
    return HourlyTrade(m, Decimal(strike), Decimal(no_ask), 5, Decimal("0.02"), 0.9, 0.1, 0.1)


def test_the_chosen_strike_must_be_in_the_band_too() -> None:
    # A sane ladder with one stray 1e30 strike: if that were the only qualifying one, P(NO) = 1.
    refusal = trade_refusal(_trade("1e30", "0.30"), SPOT)
    assert refusal is not None and refusal.reason is NoTradeReason.STRIKES_IMPLAUSIBLE
    assert trade_refusal(_trade("95299.99", "0.30"), SPOT) is None


# --- the tick -----------------------------------------------------------------------------------------


@given(k=st.integers(min_value=1, max_value=99))
def test_cent_ticks_are_on_the_grid_and_half_ticks_are_not(k: int) -> None:
    price = Decimal(k) / 100
    assert on_grid(price, CENTS)
    assert not on_grid(price + Decimal("0.005"), CENTS)


@pytest.mark.parametrize(
    ("price", "ranges", "ok"),
    [
        ("0.25", CENTS, True),
        ("0.2550", CENTS, False),
        ("0.25001", CENTS, False),
        ("0.055", TAPERED, True),  # deci-cent in the tails of a tapered grid
        ("0.555", TAPERED, False),  # but cents in the middle
        ("0.2550", (), True),  # grid unknown: the wire's 4 decimals
        ("0.25001", (), False),
        ("1.5", CENTS, False),
        ("NaN", CENTS, False),
    ],
)
def test_on_grid(price: str, ranges: tuple[PriceRange, ...], ok: bool) -> None:
    assert on_grid(Decimal(price), ranges) is ok


def test_an_off_tick_ask_is_refused_naming_the_price_and_the_grid() -> None:
    refusal = tick_refusal(market("95299.99"), Decimal("0.25001"))
    assert refusal is not None and refusal.reason is NoTradeReason.PRICE_OFF_TICK
    assert "0.25001" in refusal.detail and "step 0.01" in refusal.detail
    assert tick_refusal(market("95299.99"), Decimal("0.25")) is None
