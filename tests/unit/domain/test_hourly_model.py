"""The live hourly model: EWMA-20 volatility, unit-variance Student-t, settlement-average horizon."""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_model import (
    HourlyModel,
    ModelName,
    VolEstimator,
    ewma_vol_15m_pct,
    hourly_model,
    hourly_model_input,
)
from kalshi_bots.domain.models import Asset, PriceTick, VolatilitySnapshot
from kalshi_bots.domain.pricing import prob_no, prob_no_law, prob_no_t
from kalshi_bots.domain.vol_models import student_t_cdf
from kalshi_bots.domain.volatility import compute_snapshot

END = datetime(2025, 1, 20, 12, 45, tzinfo=UTC)
D = Decimal


def walk(n: int, seed: int = 3, sd: float = 0.0008) -> list[PriceTick]:
    """n minute ticks ending at END."""
    rng = random.Random(seed)
    price = 100_000.0
    ticks = []
    for i in range(n):
        ticks.append(PriceTick(Asset.BTC, END - timedelta(minutes=n - 1 - i), D(repr(round(price, 2)))))
        price *= math.exp(rng.gauss(0, sd))
    return ticks


def issue_formula(ticks: list[PriceTick], half_life: float = 20.0) -> float:
    """The issue's words, literally: s^2 = 15 * EWMA of squared 1-minute log returns, weights
    0.5^(age / 20) over the last 120 returns, normalised; as vol_15m_std_pct (percent)."""
    prices = [float(t.price) for t in ticks[-121:]]
    squares = [math.log(b / a) ** 2 for a, b in pairwise(prices)]
    weights = [0.5 ** ((len(squares) - 1 - i) / half_life) for i in range(len(squares))]
    ewma = sum(w * r for w, r in zip(weights, squares, strict=True)) / sum(weights)
    return math.sqrt(15 * ewma) * 100


def test_ewma_on_complete_minutes_is_the_issue_formula_in_vol_15m_percent() -> None:
    ticks = walk(200)
    got = ewma_vol_15m_pct(ticks, END, half_life_minutes=20, window_minutes=120, min_returns=60)
    assert got.returns == 120
    assert got.vol_15m_std_pct == pytest.approx(issue_formula(ticks), rel=1e-12)
    # Units: 1-minute sd 0.08 % -> a 15-minute sd of about 0.08 * sqrt(15) = 0.31 %.
    assert 0.2 < got.vol_15m_std_pct < 0.45


def test_recent_returns_weigh_more_than_old_ones() -> None:
    """Calm first hour, wild last hour: the EWMA sits closer to the recent (wild) level than a flat
    average of the two hours does."""
    calm = walk(61, seed=1, sd=0.0001)
    wild = walk(61, seed=2, sd=0.002)
    first = [PriceTick(Asset.BTC, t.at - timedelta(minutes=60), t.price) for t in calm[:-1]]
    ratio = float(first[-1].price) / float(wild[0].price)
    last = [PriceTick(Asset.BTC, t.at, D(repr(float(t.price) * ratio))) for t in wild]
    ticks = first + last
    ewma = ewma_vol_15m_pct(ticks, END, half_life_minutes=20, window_minutes=120, min_returns=60)
    flat = ewma_vol_15m_pct(ticks, END, half_life_minutes=1e9, window_minutes=120, min_returns=60)
    assert ewma.returns == flat.returns == 120
    assert ewma.vol_15m_std_pct is not None and flat.vol_15m_std_pct is not None
    assert ewma.vol_15m_std_pct > 1.3 * flat.vol_15m_std_pct


def test_a_gap_counts_as_the_minutes_it_spans_not_as_one_minute() -> None:
    """Prices every 4 minutes on a walk with per-minute variance v: each 4-minute return has variance
    4v, and dividing by the minutes spanned recovers v (the estimate matches the dense one's scale)."""
    step = 0.001
    sparse = [
        PriceTick(Asset.BTC, END - timedelta(minutes=4 * k), D(repr(100_000 * math.exp(2 * step * (k % 2)))))
        for k in range(30, -1, -1)
    ]  # a move of 2*step every 4 minutes: per-minute variance (2 step)^2 / 4 = step^2
    got = ewma_vol_15m_pct(sparse, END, half_life_minutes=20, window_minutes=120, min_returns=10)
    assert got.returns == 30
    assert got.vol_15m_std_pct == pytest.approx(step * math.sqrt(15) * 100, rel=1e-9)


def test_fewer_returns_than_the_minimum_give_no_number() -> None:
    ticks = walk(40)
    got = ewma_vol_15m_pct(ticks, END, half_life_minutes=20, window_minutes=120, min_returns=60)
    assert got.vol_15m_std_pct is None and got.returns == 39


def test_only_the_window_counts_and_ticks_after_the_end_are_ignored() -> None:
    ticks = walk(300)
    end = ticks[-50].at
    got = ewma_vol_15m_pct(ticks, end, half_life_minutes=20, window_minutes=60, min_returns=60)
    assert got.returns == 60
    assert got.vol_15m_std_pct == pytest.approx(issue_formula(ticks[-110:-49], 20.0), rel=1e-12)
    assert ewma_vol_15m_pct(ticks[:-49], end, half_life_minutes=20, window_minutes=60, min_returns=60) == got


@pytest.mark.parametrize("bad", [D(0), D(-1), D("NaN")])
def test_a_bad_stored_price_is_refused_with_its_time(bad: Decimal) -> None:
    ticks = walk(130)
    ticks[100] = PriceTick(Asset.BTC, ticks[100].at, bad)
    with pytest.raises(DomainError, match=re.escape(ticks[100].at.isoformat())):
        ewma_vol_15m_pct(ticks, END, half_life_minutes=20, window_minutes=120, min_returns=60)
    snapshot = VolatilitySnapshot(Asset.BTC, END, (), None, tuple(ticks))
    model_input = hourly_model_input(hourly_model(), snapshot)  # the job's path never raises
    assert model_input.vol_15m_std_pct is None and ticks[100].at.isoformat() in model_input.detail


def test_model_input_from_a_collector_snapshot() -> None:
    ticks = walk(200)
    snapshot = compute_snapshot(Asset.BTC, ticks, END)
    assert len(snapshot.recent_prices) == 122  # the collector keeps 121 minutes
    ewma = hourly_model_input(hourly_model(), snapshot)
    assert ewma.model == "ewma-t" and ewma.returns == 120
    assert ewma.vol_15m_std_pct == pytest.approx(issue_formula(ticks), rel=1e-12)
    assert (ewma.tail_nu, ewma.settlement_average_s) == (5.0, 60.0)
    sample = hourly_model_input(hourly_model("sample-t"), snapshot)
    window = snapshot.window(15)
    assert window is not None
    assert sample.vol_15m_std_pct == window.std_pct and sample.tail_nu == 5.0
    assert sample.settlement_average_s == 0.0
    spec = hourly_model_input(hourly_model("spec"), snapshot)
    assert spec.vol_15m_std_pct == window.std_pct and spec.tail_nu is None


def test_a_fresh_start_has_no_estimate_and_says_how_many_returns_it_saw() -> None:
    snapshot = compute_snapshot(Asset.BTC, walk(20), END)
    model_input = hourly_model_input(hourly_model(), snapshot)
    assert model_input.vol_15m_std_pct is None
    assert model_input.detail == "19 one-minute returns in the last 120 minutes (EWMA needs 60)"


def test_presets_and_validation() -> None:
    assert hourly_model().estimator is VolEstimator.EWMA
    assert hourly_model(ModelName.SPEC, tail_nu=5.0).tail_nu is None  # spec is the normal law
    with pytest.raises(DomainError, match="unknown hourly model"):
        hourly_model("garch")
    with pytest.raises(DomainError, match="window_minutes"):
        hourly_model(window_minutes=121)  # VOL/LATEST holds no more
    with pytest.raises(DomainError, match="min_returns"):
        hourly_model(window_minutes=30, min_returns=31)
    with pytest.raises(DomainError, match="tail_nu"):
        HourlyModel("x", VolEstimator.EWMA, 2.0, 60.0)


def test_prob_no_t_is_the_issue_formula_with_the_settlement_horizon() -> None:
    spot, strike = D(100_000), D("100299.99")
    s = 0.25 / 100
    x = math.log(float(strike / spot))
    assert prob_no_t(spot, strike, 15, 0.25, 5.0) == pytest.approx(
        student_t_cdf(x / (s * math.sqrt(3 / 5)), 5), abs=1e-14
    )
    # 60 s average at T minutes left: variance x (T - 2/3) / 15 (for T >= 1 minute).
    for minutes in (15.0, 7.5, 1.0):
        scale = s * math.sqrt((minutes - 2 / 3) / 15)
        assert prob_no_t(spot, strike, minutes, 0.25, 5.0, settlement_average_s=60) == pytest.approx(
            student_t_cdf(x / (scale * math.sqrt(3 / 5)), 5), abs=1e-14
        )
    # Inside the last minute only T^3 / 3 minutes of variance remain (pricing module doc).
    scale = s * math.sqrt(0.5**3 / 3 / 15)
    assert prob_no_t(spot, strike, 0.5, 0.25, 5.0, settlement_average_s=60) == pytest.approx(
        student_t_cdf(x / (scale * math.sqrt(3 / 5)), 5), abs=1e-14
    )


def test_prob_no_t_edges_match_the_spec_rules() -> None:
    spot = D(100_000)
    assert prob_no_t(spot, spot, 0.0, 0.3, 5.0) == 1.0  # no time, at the strike: not strictly above
    assert prob_no_t(spot, D(99_999), 10.0, 0.0, 5.0) == 0.0  # flat above the strike
    assert prob_no_t(spot, spot, 10.0, 0.3, 5.0) == pytest.approx(0.5)
    with pytest.raises(DomainError, match="nu"):
        prob_no_t(spot, spot, 10.0, 0.3, 2.0)


def test_prob_no_law_picks_the_spec_formula_without_tails() -> None:
    spot, strike = D(100_000), D("100199.99")
    assert prob_no_law(spot, strike, 15, 0.2) == prob_no(spot, strike, 15, 0.2)
    assert prob_no_law(spot, strike, 15, 0.2, tail_nu=5.0) == prob_no_t(spot, strike, 15, 0.2, 5.0)
