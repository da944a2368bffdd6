"""Volatility definitions: 15-minute horizon, gaps, insufficient data, bad prices."""

from __future__ import annotations

import math
import re
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.models import VOL_WINDOWS_MINUTES, Asset, PriceTick
from kalshi_bots.domain.volatility import (
    compute_snapshot,
    compute_window,
    default_min_samples,
)

T0 = datetime(2025, 12, 11, 6, 0, tzinfo=UTC)


def ticks_from_returns(
    returns_pct: list[float], start: datetime = T0, price: float = 100_000.0
) -> list[PriceTick]:
    """Minute ticks whose consecutive log returns are exactly ``returns_pct`` (percent)."""
    ticks = [PriceTick(Asset.BTC, start, Decimal(repr(price)))]
    for i, r in enumerate(returns_pct, start=1):
        price *= math.exp(r / 100)
        ticks.append(PriceTick(Asset.BTC, start + timedelta(minutes=i), Decimal(repr(price))))
    return ticks


def alternating_returns(n: int, sd_pct: float) -> list[float]:
    """n returns with sample sd exactly ``sd_pct``: +a, -a, ... scaled so stdev matches."""
    raw = [1.0 if i % 2 == 0 else -1.0 for i in range(n)]
    scale = sd_pct / statistics.stdev(raw)
    return [x * scale for x in raw]


def test_seed_literal_misreading_is_not_what_we_compute() -> None:
    # 15 one-minute returns whose sd is 0.05 %: the 15-minute sigma is 0.05 * sqrt(15) = 0.194 %.
    returns = alternating_returns(15, 0.05)
    assert statistics.stdev(returns) == pytest.approx(0.05)
    ticks = ticks_from_returns(returns)  # 16 prices: the anchor + 15 in the window
    end = ticks[-1].at
    w = compute_window(ticks, end, 15)
    assert w.samples == 15
    assert w.std_pct == pytest.approx(0.05 * math.sqrt(15), rel=1e-6)
    assert w.std_pct == pytest.approx(0.19, abs=0.005)
    assert w.std_pct is not None and w.std_pct > 3.5 * 0.05  # not the 1-minute sd


def test_every_window_is_expressed_on_the_15_minute_horizon() -> None:
    returns = alternating_returns(120, 0.04)
    ticks = ticks_from_returns(returns)
    end = ticks[-1].at
    for minutes in VOL_WINDOWS_MINUTES:
        w = compute_window(ticks, end, minutes)
        expected = statistics.stdev(returns[-minutes:]) * math.sqrt(15)
        assert w.std_pct == pytest.approx(expected, rel=1e-6), minutes


def test_window_bounds_exclude_start_include_end_and_use_one_anchor() -> None:
    ticks = ticks_from_returns([0.01, -0.02, 0.03, -0.01, 0.02, 0.01, -0.03, 0.02])
    end = T0 + timedelta(minutes=8)
    w = compute_window(ticks, end, 5, min_samples=2)
    # points at minutes 4..8 are inside (5 samples); minute 3 is the anchor for the first return
    assert w.samples == 5
    returns = [0.01, -0.02, 0.03, -0.01, 0.02, 0.01, -0.03, 0.02][3:]
    assert w.std_pct == pytest.approx(statistics.stdev(returns) * math.sqrt(15), rel=1e-6)
    prices = [float(t.price) for t in ticks[4:9]]
    assert w.range_pct == pytest.approx((max(prices) - min(prices)) / statistics.mean(prices) * 100)


def test_ticks_after_end_are_ignored() -> None:
    ticks = ticks_from_returns([*alternating_returns(30, 0.05), 5.0, -5.0])
    end = T0 + timedelta(minutes=30)
    w = compute_window(ticks, end, 15)
    assert w.max_move_pct is not None and w.max_move_pct < 0.1


def test_gap_is_scaled_by_actual_spacing() -> None:
    # A 4-minute gap with a move of 2 * r is one draw of a 4-minute step: normalised it is r.
    r = 0.05
    ticks = ticks_from_returns([r, -r, r, -r, r, -r, r, -r])
    last = ticks[-1]
    gap_price = float(last.price) * math.exp(2 * r / 100)
    ticks.append(PriceTick(Asset.BTC, last.at + timedelta(minutes=4), Decimal(repr(gap_price))))
    end = ticks[-1].at
    w = compute_window(ticks, end, 15, min_samples=5)
    normalised = [r, -r, r, -r, r, -r, r, -r, 2 * r / math.sqrt(4)]
    assert w.samples == 10  # minutes 0..8 and 12, all inside (end - 15, end]
    assert w.std_pct == pytest.approx(statistics.stdev(normalised) * math.sqrt(15), rel=1e-6)
    unscaled = [r, -r, r, -r, r, -r, r, -r, 2 * r]
    assert w.std_pct != pytest.approx(statistics.stdev(unscaled) * math.sqrt(15), rel=1e-3)
    # max move: the gap's simple move per sqrt(minute) is about r, not 2r
    assert w.max_move_pct == pytest.approx(
        max((math.exp(r / 100) - 1) * 100, (math.exp(2 * r / 100) - 1) * 50)
    )


def test_max_move_is_largest_single_minute_move() -> None:
    ticks = ticks_from_returns([0.01, 0.02, -0.3, 0.05, 0.01, -0.02, 0.0, 0.01])
    w = compute_window(ticks, ticks[-1].at, 15, min_samples=5)
    assert w.max_move_pct == pytest.approx(abs(math.exp(-0.003) - 1) * 100)


def test_insufficient_samples_give_none_never_a_number() -> None:
    ticks = ticks_from_returns([0.05, -0.05, 0.05, -0.05, 0.05])  # 6 points
    end = ticks[-1].at
    w = compute_window(ticks, end, 15)  # default needs 8
    assert default_min_samples(15) == 8
    assert w.samples == 6
    assert (w.std_pct, w.range_pct, w.max_move_pct) == (None, None, None)
    assert not w.sufficient
    assert compute_window([], end, 15).samples == 0
    # explicitly lower threshold -> numbers
    assert compute_window(ticks, end, 15, min_samples=5).sufficient


def test_default_min_samples_is_half_the_window_at_least_five() -> None:
    assert [default_min_samples(n) for n in (5, 15, 30, 60, 90, 120)] == [5, 8, 15, 30, 45, 60]


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_invalid_price_names_the_time(bad: Decimal) -> None:
    ticks = ticks_from_returns([0.01] * 10)
    at = ticks[5].at
    ticks[5] = PriceTick(Asset.BTC, at, bad)
    with pytest.raises(InvalidPriceError, match=re.escape(at.isoformat())):
        compute_window(ticks, ticks[-1].at, 15, min_samples=5)


def test_invalid_price_is_an_error_even_when_samples_are_too_few() -> None:
    ticks = ticks_from_returns([0.01, 0.01])
    ticks[1] = PriceTick(Asset.BTC, ticks[1].at, Decimal(-3))
    with pytest.raises(InvalidPriceError, match="-3"):
        compute_window(ticks, ticks[-1].at, 15)


def test_unsorted_or_repeated_ticks_are_an_error() -> None:
    ticks = ticks_from_returns([0.01] * 10)
    ticks[4] = PriceTick(Asset.BTC, ticks[3].at, ticks[4].price)
    with pytest.raises(DomainError, match="ascending"):
        compute_window(ticks, ticks[-1].at, 15, min_samples=5)


def test_naive_end_and_bad_window_are_errors() -> None:
    ticks = ticks_from_returns([0.01] * 10)
    with pytest.raises(DomainError, match="timezone-aware"):
        compute_window(ticks, datetime(2025, 1, 1), 15)
    with pytest.raises(DomainError):
        compute_window(ticks, T0, 0)
    with pytest.raises(DomainError):
        compute_window(ticks, T0, 15, min_samples=1)


def test_snapshot_attributes_are_exactly_the_spec_names() -> None:
    returns = alternating_returns(150, 0.03)
    ticks = ticks_from_returns(returns)
    now = ticks[-1].at + timedelta(seconds=20)
    snap = compute_snapshot(Asset.BTC, ticks, now)
    assert [w.window_minutes for w in snap.windows] == [15, 30, 60, 90, 120]
    assert snap.window(120).samples == 120  # type: ignore[union-attr]
    assert (
        snap.window(15).std_pct
        == pytest.approx(  # type: ignore[union-attr]
            statistics.stdev(returns[-15:]) * math.sqrt(15), rel=1e-6
        )
    )
    assert snap.last_price == ticks[-1].price
    # recent prices: the longest window plus one minute (the anchor), all at or before now
    assert len(snap.recent_prices) == 121
    assert snap.recent_prices[-1] == ticks[-1]
    # recomputing from recent_prices alone gives the same metrics (a collector can keep only those)
    again = compute_snapshot(Asset.BTC, snap.recent_prices, now)
    assert again.windows == snap.windows


def test_snapshot_with_no_data_is_all_insufficient() -> None:
    snap = compute_snapshot(Asset.ETH, [], T0)
    assert snap.last_price is None
    windows = [snap.window(n) for n in VOL_WINDOWS_MINUTES]
    assert all(w is None or (w.std_pct is None and w.samples == 0) for w in windows)


def test_snapshot_rejects_ticks_of_another_asset() -> None:
    ticks = ticks_from_returns([0.01] * 5)
    with pytest.raises(DomainError, match="expected ETH"):
        compute_snapshot(Asset.ETH, ticks, ticks[-1].at)
