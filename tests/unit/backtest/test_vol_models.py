from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import Asset, PriceTick
from kalshi_bots.domain.pricing import normal_cdf
from kalshi_bots.domain.vol_models import (
    blended_std_pct,
    ewma_std_pct,
    ewma_std_pcts,
    literal_std_pct,
    student_t_cdf,
)

END = datetime(2025, 1, 20, 12, 0, tzinfo=UTC)


def test_student_t_cdf_known_values() -> None:
    # Values from standard t tables.
    assert student_t_cdf(2.0, 5) == pytest.approx(0.949030, abs=1e-6)
    assert student_t_cdf(-3.0, 3) == pytest.approx(0.028834, abs=1e-6)
    assert student_t_cdf(0.0, 4) == 0.5
    assert student_t_cdf(1.0, 1e7) == pytest.approx(normal_cdf(1.0), abs=1e-6)


@given(st.floats(-30, 30), st.sampled_from([3.0, 4.0, 5.5, 12.0]))
def test_student_t_cdf_is_symmetric_and_bounded(t: float, nu: float) -> None:
    p = student_t_cdf(t, nu)
    assert 0.0 <= p <= 1.0
    assert p + student_t_cdf(-t, nu) == pytest.approx(1.0, abs=1e-12)


def _ticks(prices: list[float]) -> list[PriceTick]:
    start = END - timedelta(minutes=len(prices) - 1)
    return [
        PriceTick(Asset.BTC, start + timedelta(minutes=i), Decimal(repr(p))) for i, p in enumerate(prices)
    ]


def test_ewma_of_constant_absolute_returns_is_that_return_scaled_to_15_minutes() -> None:
    prices = [100.0]
    for i in range(60):
        prices.append(prices[-1] * math.exp(0.001 if i % 2 else -0.001))
    ticks = _ticks(prices)
    for value in ewma_std_pcts(ticks, END, (5.0, 40.0), 120):
        assert value == pytest.approx(0.001 * math.sqrt(15) * 100, rel=1e-9)
    assert ewma_std_pct(ticks[:5], END, 10.0) is None  # too few returns
    with pytest.raises(DomainError):
        ewma_std_pct(ticks, END, 0.0)


def test_ewma_weights_recent_moves_more_with_a_short_half_life() -> None:
    quiet = [100.0 * (1 + 0.0001 * (i % 2)) for i in range(100)]
    loud_tail = quiet + [quiet[-1] * (1.01 if i % 2 else 0.99) for i in range(10)]
    short, long = ewma_std_pcts(_ticks(loud_tail), END, (5.0, 40.0), 120)
    assert short is not None and long is not None and short > long


def test_blend_and_literal() -> None:
    assert blended_std_pct(0.4, 0.1, 0.5, 1.0) == pytest.approx(0.2)
    assert blended_std_pct(0.4, 0.1, 1.0, 0.9) == pytest.approx(0.36)
    assert blended_std_pct(0.0, 0.2, 0.5, 1.0) == pytest.approx(0.1)  # arithmetic fallback at zero
    assert literal_std_pct(math.sqrt(15)) == pytest.approx(1.0)
    with pytest.raises(DomainError):
        blended_std_pct(0.1, 0.1, 1.5, 1.0)
