"""Kelly sizing: spec formula, quarter Kelly capped, all-in cost, contract limits."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.sizing import kelly_fraction, size_order


def test_kelly_matches_spec_formula_by_hand() -> None:
    # price 0.80: b = 0.25; p = 0.9 -> f* = (0.25*0.9 - 0.1) / 0.25 = 0.5
    assert kelly_fraction(0.9, Decimal("0.80")) == pytest.approx(0.5)
    assert kelly_fraction(0.8, Decimal("0.80")) == 0.0  # no edge
    assert kelly_fraction(0.5, Decimal("0.80")) == 0.0  # negative edge -> 0
    assert kelly_fraction(0.9, Decimal(0)) == 0.0
    assert kelly_fraction(0.9, Decimal(1)) == 0.0
    with pytest.raises(DomainError):
        kelly_fraction(1.2, Decimal("0.5"))


def test_size_order_by_hand() -> None:
    # cost = 0.80 + 0.01 = 0.81; b = 0.19/0.81; p = 0.9 -> f* = (b*0.9 - 0.1)/b
    b = 0.19 / 0.81
    f_star = (b * 0.9 - 0.1) / b
    s = size_order(Decimal(100), 0.9, Decimal("0.80"), Decimal("0.01"))
    assert s.kelly_raw == pytest.approx(f_star)
    assert s.applied_fraction == pytest.approx(min(0.25 * f_star, 0.25))
    assert s.contracts == 5  # floor(100 * 0.1436 / 0.81) = 17 -> capped at 5
    small = size_order(Decimal(4), 0.9, Decimal("0.80"), Decimal("0.01"))
    assert small.contracts == math.floor(4 * small.applied_fraction / 0.81)  # 0
    assert size_order(Decimal(20), 0.9, Decimal("0.80"), Decimal("0.01")).contracts == 2  # 20*0.118/0.81


def test_fee_can_remove_the_edge() -> None:
    assert size_order(Decimal(100), 0.81, Decimal("0.80"), Decimal(0)).contracts > 0
    no_edge = size_order(Decimal(100), 0.81, Decimal("0.80"), Decimal("0.01"))
    assert no_edge.contracts == 0 and no_edge.applied_fraction == 0.0 and no_edge.kelly_raw <= 0


def test_cost_outside_unit_interval_gives_zero() -> None:
    assert size_order(Decimal(100), 0.999, Decimal("0.99"), Decimal("0.02")).contracts == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bankroll": Decimal(-1)},
        {"fee_per_contract": Decimal("-0.01")},
        {"kelly_multiplier": -0.1},
        {"max_fraction": 1.5},
        {"max_contracts": -1},
        {"p_model": float("nan")},
    ],
)
def test_bad_arguments_are_errors(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "bankroll": Decimal(100),
        "p_model": 0.9,
        "price": Decimal("0.8"),
        "fee_per_contract": Decimal("0.01"),
    }
    args.update(kwargs)
    with pytest.raises(DomainError):
        size_order(**args)  # type: ignore[arg-type]


probs = st.floats(min_value=0.0, max_value=1.0)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2)
fees = st.decimals(min_value=0, max_value=Decimal("0.05"), places=3)
bankrolls = st.decimals(min_value=0, max_value=Decimal(100_000), places=2)


@given(p=probs, price=prices)
def test_kelly_zero_at_non_positive_edge(p: float, price: Decimal) -> None:
    if p <= float(price):
        assert kelly_fraction(p, price) == 0.0
    else:
        assert kelly_fraction(p, price) > 0.0


@given(
    bankroll=bankrolls,
    p=probs,
    price=prices,
    fee=fees,
    mult=st.floats(0, 1),
    cap=st.floats(0, 1),
    max_c=st.integers(0, 50),
)
def test_size_never_above_cap_bankroll_or_max(
    bankroll: Decimal, p: float, price: Decimal, fee: Decimal, mult: float, cap: float, max_c: int
) -> None:
    s = size_order(bankroll, p, price, fee, kelly_multiplier=mult, max_fraction=cap, max_contracts=max_c)
    cost = price + fee
    assert 0.0 <= s.applied_fraction <= cap
    assert s.applied_fraction <= mult * max(s.kelly_raw, 0.0) + 1e-15
    assert 0 <= s.contracts <= max_c
    assert s.contracts * cost <= bankroll  # never more than the bankroll affords
    assert Decimal(s.contracts) * cost <= bankroll * Decimal(repr(s.applied_fraction)) or s.contracts == 0
    if p <= float(cost):
        assert s.contracts == 0 and s.applied_fraction == 0.0
