"""Volatility on real Bitstamp minute closes, checked against an independent computation.

The independent side uses Decimal natural logs, ``statistics.stdev`` and plain list slicing by timestamp
(no bisect, no floats until the end), so a shared mistake in the production code would have to be made
twice in two different ways.
"""

from __future__ import annotations

import csv
import math
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from kalshi_bots.domain.models import VOL_WINDOWS_MINUTES, Asset, PriceTick
from kalshi_bots.domain.volatility import compute_snapshot, compute_window

DATA = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "bitstamp"
    / "btcusd_bitstamp_1min_2025-01-20_2025-01-21.csv"
)


def load_ticks() -> list[PriceTick]:
    with DATA.open(newline="") as f:
        rows = list(csv.DictReader(f))
    # A bar's close is the price at the end of its minute.
    return [
        PriceTick(Asset.BTC, datetime.fromtimestamp(int(r["timestamp"]) + 60, tz=UTC), Decimal(r["close"]))
        for r in rows
    ]


TICKS = load_ticks()


def independent(ticks: list[PriceTick], end: datetime, minutes: int) -> tuple[float, float, float, int]:
    """std (15-min horizon), range, max move and samples, computed the long way."""
    start = end - timedelta(minutes=minutes)
    inside = [t for t in ticks if start < t.at <= end]
    before = [t for t in ticks if start - timedelta(minutes=1) <= t.at <= start]
    series = before[-1:] + inside
    units: list[Decimal] = []
    moves: list[Decimal] = []
    for a, b in pairwise(series):
        dt = Decimal((b.at - a.at).total_seconds()) / 60
        units.append((b.price / a.price).ln() / dt.sqrt())
        moves.append(abs(b.price / a.price - 1) / dt.sqrt())
    prices = [t.price for t in inside]
    std = float(statistics.stdev(units)) * math.sqrt(15) * 100
    price_range = float((max(prices) - min(prices)) / statistics.mean(prices) * 100)
    return std, price_range, float(max(moves) * 100), len(inside)


def test_slice_is_what_the_attribution_says() -> None:
    assert len(TICKS) == 2880
    assert all((b.at - a.at) == timedelta(minutes=1) for a, b in pairwise(TICKS))


@pytest.mark.parametrize("hour", [2, 7, 13, 15, 20, 33, 40, 46])
def test_every_window_matches_independent_computation(hour: int) -> None:
    end = datetime(2025, 1, 20, tzinfo=UTC) + timedelta(hours=hour, minutes=45)
    for minutes in VOL_WINDOWS_MINUTES:
        w = compute_window(TICKS, end, minutes)
        std, price_range, max_move, samples = independent(TICKS, end, minutes)
        assert w.samples == samples == minutes
        assert w.std_pct == pytest.approx(std, rel=1e-9)
        assert w.range_pct == pytest.approx(price_range, rel=1e-9)
        assert w.max_move_pct == pytest.approx(max_move, rel=1e-9)


def test_gaps_in_real_data_match_independent_computation() -> None:
    # Drop every 7th and 11th minute: spacings of 2 and 3 minutes appear.
    holey = [t for i, t in enumerate(TICKS) if i % 7 and i % 11]
    end = datetime(2025, 1, 21, 14, 45, tzinfo=UTC)
    for minutes in VOL_WINDOWS_MINUTES:
        w = compute_window(holey, end, minutes)
        std, price_range, max_move, samples = independent(holey, end, minutes)
        assert w.samples == samples < minutes
        assert w.std_pct == pytest.approx(std, rel=1e-9)
        assert w.range_pct == pytest.approx(price_range, rel=1e-9)
        assert w.max_move_pct == pytest.approx(max_move, rel=1e-9)


def test_real_15m_sigma_is_about_sqrt15_times_the_one_minute_sd() -> None:
    # Over the two days the 15-minute-horizon figure must sit near sqrt(15) x the 1-minute sd, not near it.
    end = TICKS[-1].at
    snap = compute_snapshot(Asset.BTC, TICKS, end)
    stds = {w.window_minutes: w.std_pct for w in snap.windows}
    one_minute_sd = statistics.stdev(
        math.log(float(b.price) / float(a.price)) * 100
        for a, b in zip(TICKS[-121:], TICKS[-120:], strict=False)
    )
    assert stds[120] == pytest.approx(one_minute_sd * math.sqrt(15), rel=1e-9)
    for minutes in VOL_WINDOWS_MINUTES:
        value = stds.get(minutes)
        assert isinstance(value, float) and 0.01 < value < 2.0
