"""Whole-degree bracket pricing, the observed-max variant, climate days and weather tickers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import Market, StrikeType
from kalshi_bots.domain.weather import (
    bracket_bounds,
    bracket_probability,
    bracket_probability_given_observed,
    brackets_partition,
    climate_day,
    climate_day_bounds,
    event_probabilities,
    weather_event_date,
    weather_event_ticker,
)

CLOSE = datetime(2026, 3, 22, 4, 59, tzinfo=UTC)


def market(ticker: str, st_: StrikeType, floor: float | None, cap: float | None) -> Market:
    return Market(
        ticker=ticker,
        event_ticker="KXHIGHNY-26MAR21",
        strike_type=st_,
        floor_strike=None if floor is None else Decimal(repr(floor)),
        cap_strike=None if cap is None else Decimal(repr(cap)),
        close_time=CLOSE,
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None,
    )


def ladder(low: int) -> list[Market]:
    """The 6-market shape from the reference: T(low) less, four 2 °F brackets, T(low + 7) greater."""
    ms = [market(f"T{low}", StrikeType.LESS, None, low)]
    for i in range(4):
        f = low + 2 * i
        ms.append(market(f"B{f}.5", StrikeType.BETWEEN, f, f + 1))
    ms.append(market(f"T{low + 7}", StrikeType.GREATER, low + 7, None))
    return ms


def test_bounds_follow_the_reference_semantics() -> None:
    # between 45..46 inclusive -> T in {45, 46} -> X in [44.5, 46.5)
    assert bracket_bounds(45, 46, StrikeType.BETWEEN) == (44.5, 46.5)
    # greater 94 strictly -> 95 or more -> X >= 94.5
    assert bracket_bounds(94, None, StrikeType.GREATER) == (94.5, float("inf"))
    # less 62 strictly -> 61 or less -> X < 61.5
    assert bracket_bounds(None, 62, StrikeType.LESS) == (float("-inf"), 61.5)
    # half-degree strike (TWC era): greater than 82.5 -> 83 or more -> X >= 82.5
    assert bracket_bounds(82.5, None, StrikeType.GREATER) == (82.5, float("inf"))
    assert bracket_bounds(None, 82.5, StrikeType.LESS) == (float("-inf"), 82.5)
    assert bracket_bounds(70, None, StrikeType.GREATER_OR_EQUAL) == (69.5, float("inf"))
    assert bracket_bounds(None, 70, StrikeType.LESS_OR_EQUAL) == (float("-inf"), 70.5)


@pytest.mark.parametrize(
    ("floor", "cap", "strike_type"),
    [
        (None, 3, StrikeType.BETWEEN),
        (5, None, StrikeType.BETWEEN),
        (None, None, StrikeType.GREATER),
        (4, 3, StrikeType.BETWEEN),
        (1, 2, StrikeType.FUNCTIONAL),
        (1, 2, StrikeType.UNKNOWN),
    ],
)
def test_unusable_brackets_are_errors(floor: int | None, cap: int | None, strike_type: StrikeType) -> None:
    with pytest.raises(DomainError):
        bracket_probability(70.0, 2.0, floor, cap, strike_type)


def test_bracket_probability_by_hand() -> None:
    n = NormalDist(72.0, 2.5)
    assert bracket_probability(72.0, 2.5, 72, 73, StrikeType.BETWEEN) == pytest.approx(
        n.cdf(73.5) - n.cdf(71.5)
    )
    assert bracket_probability(72.0, 2.5, 74, None, StrikeType.GREATER) == pytest.approx(1 - n.cdf(74.5))
    assert bracket_probability(72.0, 2.5, None, 70, StrikeType.LESS) == pytest.approx(n.cdf(69.5))
    # zero sigma: a point forecast of 72.0 lands in 72-73 with certainty
    assert bracket_probability(72.0, 0.0, 72, 73, StrikeType.BETWEEN) == 1.0
    assert bracket_probability(73.5, 0.0, 72, 73, StrikeType.BETWEEN) == 0.0  # rounds to 74
    with pytest.raises(DomainError):
        bracket_probability(72.0, -1.0, 72, 73, StrikeType.BETWEEN)


@given(low=st.integers(-20, 110), mean=st.floats(-40, 130), sigma=st.floats(0.0, 15.0))
def test_event_bracket_probabilities_sum_to_one(low: int, mean: float, sigma: float) -> None:
    ms = ladder(low)
    assert brackets_partition(ms)
    probs = event_probabilities(ms, mean, sigma)
    assert all(0.0 <= p <= 1.0 for p in probs.values())
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-9)


@given(
    low=st.integers(30, 100),
    mean=st.floats(20, 120),
    sigma=st.floats(0.0, 10.0),
    observed=st.integers(10, 120),
)
def test_observed_max_probabilities_sum_to_one_and_rule_out_lower_brackets(
    low: int, mean: float, sigma: float, observed: int
) -> None:
    ms = ladder(low)
    probs = event_probabilities(ms, mean, sigma, observed_max_f=observed)
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-9)
    for m in ms:
        _, hi = bracket_bounds(m.floor_strike, m.cap_strike, m.strike_type)
        if hi <= observed:  # every value in the bracket is below what was already observed
            assert probs[m.ticker] == 0.0


def test_observed_max_atom_by_hand() -> None:
    # Observed 73 already; the rest of the day ~ N(70, 2). Final high = max(73, Y).
    n = NormalDist(70.0, 2.0)
    p_72_73 = bracket_probability_given_observed(70.0, 2.0, 73, 72, 73, StrikeType.BETWEEN)
    assert p_72_73 == pytest.approx(n.cdf(73.5))  # stays at 73 unless the rest exceeds 73.5
    p_70_71 = bracket_probability_given_observed(70.0, 2.0, 73, 70, 71, StrikeType.BETWEEN)
    assert p_70_71 == 0.0
    p_hot = bracket_probability_given_observed(70.0, 2.0, 73, 74, None, StrikeType.GREATER)
    assert p_hot == pytest.approx(1 - n.cdf(74.5))


def test_gap_in_ladder_is_not_a_partition() -> None:
    ms = ladder(60)
    assert not brackets_partition(ms[:2] + ms[3:])
    assert not brackets_partition([*ms, market("X", StrikeType.CUSTOM, 1, 2)])
    assert not brackets_partition([])


def test_climate_day_is_local_standard_time_all_year() -> None:
    ny = -5  # New York standard time
    # 00:30 EDT on Jul 5 (04:30Z) is still the climate day of Jul 4 (23:30 EST)
    assert climate_day(datetime(2026, 7, 5, 4, 30, tzinfo=UTC), ny) == date(2026, 7, 4)
    assert climate_day(datetime(2026, 7, 5, 5, 0, tzinfo=UTC), ny) == date(2026, 7, 5)
    # in winter standard time == civil time
    assert climate_day(datetime(2026, 1, 5, 4, 59, tzinfo=UTC), ny) == date(2026, 1, 4)
    la = -8  # Los Angeles standard time
    assert climate_day(datetime(2026, 7, 5, 7, 59, tzinfo=UTC), la) == date(2026, 7, 4)
    start, end = climate_day_bounds(date(2026, 7, 4), ny)
    assert (start, end) == (datetime(2026, 7, 4, 5, tzinfo=UTC), datetime(2026, 7, 5, 5, tzinfo=UTC))
    with pytest.raises(DomainError, match="timezone-aware"):
        climate_day(datetime(2026, 7, 5), ny)
    with pytest.raises(DomainError):
        climate_day(datetime(2026, 7, 5, tzinfo=UTC), -20)


def test_weather_event_ticker_round_trip() -> None:
    assert weather_event_ticker("KXHIGHNY", date(2026, 8, 17)) == "KXHIGHNY-26AUG17"
    assert weather_event_date("KXHIGHNY-26AUG17") == date(2026, 8, 17)
    assert weather_event_date("KXHIGHTBOS-25DEC01") == date(2025, 12, 1)
    for bad in ("KXHIGHNY-26AUG1", "KXHIGHNY-26XXX17", "KXHIGHNY-26FEB30", "KXHIGHNY"):
        with pytest.raises(DomainError):
            weather_event_date(bad)
