"""The spec's random-walk pricing: Phi, scaled sigma, P(NO) and its edge cases."""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.pricing import (
    normal_cdf,
    prob_no,
    scaled_sigma_pct,
    z_score,
)

prices = st.decimals(min_value=Decimal(1000), max_value=Decimal(200_000), places=2)
vols = st.floats(min_value=0.01, max_value=3.0)
minutes = st.floats(min_value=0.5, max_value=120.0)


@pytest.mark.parametrize("x", [-8.0, -3.0, -1.0, -0.1, 0.0, 0.3, 1.0, 1.96, 4.0, 8.0])
def test_normal_cdf_matches_statistics_normaldist(x: float) -> None:
    # NormalDist computes 0.5 * (1 + erf): fine to ~1e-15 absolute, but it loses digits in the far left tail.
    assert normal_cdf(x) == pytest.approx(NormalDist().cdf(x), rel=1e-12, abs=1e-15)


def test_normal_cdf_known_values() -> None:
    assert normal_cdf(0.0) == 0.5
    assert normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-12)
    assert normal_cdf(-8.0) == pytest.approx(6.220960574271785e-16, rel=1e-9)  # erfc keeps the left tail
    assert 0.0 <= normal_cdf(-40.0) < 1e-300
    with pytest.raises(DomainError):
        normal_cdf(math.nan)


def test_scaled_sigma_follows_sqrt_time() -> None:
    assert scaled_sigma_pct(0.2, 15) == pytest.approx(0.2)
    assert scaled_sigma_pct(0.2, 60) == pytest.approx(0.4)
    assert scaled_sigma_pct(0.2, 0) == 0.0
    assert scaled_sigma_pct(0.2, -3) == 0.0
    with pytest.raises(DomainError):
        scaled_sigma_pct(-0.1, 15)
    with pytest.raises(DomainError):
        scaled_sigma_pct(0.1, math.inf)


def test_spec_worked_example_by_hand() -> None:
    # P=100000, K=100300 (0.3 % away), T=15, vol 0.2 % -> z = 1.5, P(NO) = Phi(1.5) = 0.93319
    p = prob_no(Decimal(100_000), Decimal(100_300), 15, 0.2)
    assert p == pytest.approx(0.9331927987, abs=1e-9)
    assert z_score(Decimal(100_000), Decimal(100_300), 0.2) == pytest.approx(1.5)


def test_seed_misreading_would_inflate_p_no() -> None:
    # Same market priced with the 1-minute sd (0.05) instead of the 15-minute sigma (0.19): NO looks surer.
    right = prob_no(Decimal(100_000), Decimal(100_200), 15, 0.05 * math.sqrt(15))
    wrong = prob_no(Decimal(100_000), Decimal(100_200), 15, 0.05)
    assert right == pytest.approx(NormalDist().cdf(0.2 / (0.05 * math.sqrt(15))))
    assert wrong > 0.99 > 0.9 > right


def test_deterministic_edge_cases_respect_strictly_above() -> None:
    spot, k = Decimal(100_000), Decimal("100000")
    assert prob_no(spot, k, 0, 0.2) == 1.0  # equal is not strictly above -> NO
    assert prob_no(spot + Decimal("0.01"), k, 0, 0.2) == 0.0
    assert prob_no(spot, k + 1, 10, 0.0) == 1.0  # zero vol: price stays
    assert prob_no(spot + 1, k, -1, 0.2) == 0.0  # expired above the strike: YES for sure


@pytest.mark.parametrize(
    ("spot", "strike", "vol"),
    [
        (Decimal(0), Decimal(1), 0.2),
        (Decimal(-5), Decimal(1), 0.2),
        (Decimal("NaN"), Decimal(1), 0.2),
        (Decimal(1), Decimal(0), 0.2),
        (Decimal(1), Decimal(2), -0.2),
        (Decimal(1), Decimal(2), math.nan),
    ],
)
def test_invalid_inputs_raise(spot: Decimal, strike: Decimal, vol: float) -> None:
    with pytest.raises(DomainError):
        prob_no(spot, strike, 10, vol)


def test_non_decimal_price_is_rejected() -> None:
    with pytest.raises(DomainError, match="Decimal"):
        prob_no(100_000.0, Decimal(1), 10, 0.2)  # type: ignore[arg-type]
    with pytest.raises(InvalidPriceError):
        prob_no(Decimal(-1), Decimal(1), 10, 0.2)


def test_settlement_average_lowers_effective_sigma() -> None:
    base = prob_no(Decimal(100_000), Decimal(100_200), 15, 0.2)
    averaged = prob_no(Decimal(100_000), Decimal(100_200), 15, 0.2, settlement_average_s=60)
    # variance of the 60 s average seen 15 min out = 15 - 2/3 minutes of point variance
    expected = NormalDist().cdf(0.2 / (0.2 * math.sqrt((15 - 2 / 3) / 15)))
    assert averaged == pytest.approx(expected)
    assert averaged > base
    # inside the averaging window: T^3 / (3 s^2) with T = 0.5 min, s = 1 min -> 1/24 min
    late = prob_no(Decimal(100_000), Decimal(100_020), 0.5, 0.2, settlement_average_s=60)
    assert late == pytest.approx(NormalDist().cdf(0.02 / (0.2 * math.sqrt((1 / 24) / 15))))
    with pytest.raises(DomainError):
        prob_no(Decimal(1), Decimal(2), 15, 0.2, settlement_average_s=-1)


@given(spot=prices, k1=prices, k2=prices, vol=vols, t=minutes)
def test_p_no_is_monotone_in_strike(spot: Decimal, k1: Decimal, k2: Decimal, vol: float, t: float) -> None:
    lo, hi = sorted((k1, k2))
    assert prob_no(spot, lo, t, vol) <= prob_no(spot, hi, t, vol)


@given(spot=prices, strike=prices, vol=st.floats(min_value=0.0, max_value=50.0), t=st.floats(-10, 10_000))
def test_probabilities_are_in_unit_interval_and_complementary(
    spot: Decimal, strike: Decimal, vol: float, t: float
) -> None:
    p_no = prob_no(spot, strike, t, vol)
    assert 0.0 <= p_no <= 1.0


@given(spot=prices, strike=prices, vol=vols, t1=minutes, t2=minutes)
def test_more_time_moves_p_no_toward_one_half(
    spot: Decimal, strike: Decimal, vol: float, t1: float, t2: float
) -> None:
    short, long = sorted((t1, t2))
    assert abs(prob_no(spot, strike, long, vol) - 0.5) <= abs(prob_no(spot, strike, short, vol) - 0.5) + 1e-12
