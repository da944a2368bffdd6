"""Kalshi quadratic fees: hand values, maker rules, rounding, refusals."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError, UnknownFeeTypeError
from kalshi_bots.domain.fees import fee_coefficient, fee_dollars, fee_per_contract
from kalshi_bots.domain.models import FeeSchedule, FeeType

QUAD = FeeSchedule(FeeType.QUADRATIC)
MAKER = FeeSchedule(FeeType.QUADRATIC_WITH_MAKER_FEES)
COMBO = FeeSchedule(FeeType.QUADRATIC_WITH_COMBO_MAKER_FEES)


@pytest.mark.parametrize(
    ("count", "price", "expected"),
    [
        (10, "0.50", "0.18"),  # reference worked example: 0.175 -> 0.18
        (1, "0.50", "0.02"),  # 0.0175 -> 0.02
        (1, "0.95", "0.01"),  # 0.003325 -> 0.01
        (5, "0.90", "0.04"),  # 0.0315 -> 0.04
        (100, "0.30", "1.47"),  # 1.47 exactly: no rounding up
        (3, "0.01", "0.01"),
        (0, "0.50", "0.00"),
        (10, "1", "0.00"),
    ],
)
def test_taker_fee_hand_values(count: int, price: str, expected: str) -> None:
    assert fee_dollars(count, Decimal(price), QUAD) == Decimal(expected)


def test_maker_fees_depend_on_fee_type() -> None:
    assert fee_dollars(10, Decimal("0.50"), QUAD, maker=True) == Decimal("0.00")
    assert fee_dollars(100, Decimal("0.50"), MAKER, maker=True) == Decimal("0.44")  # 0.4375 -> 0.44
    assert fee_dollars(100, Decimal("0.50"), COMBO, maker=True) == Decimal("0.88")  # 0.875 -> 0.88
    assert fee_dollars(100, Decimal("0.50"), MAKER) == Decimal("1.75")  # taker unchanged


def test_multiplier_scales_the_coefficient() -> None:
    doubled = FeeSchedule(FeeType.QUADRATIC, Decimal(2))
    assert fee_coefficient(doubled) == Decimal("0.14")
    assert fee_dollars(10, Decimal("0.50"), doubled) == Decimal("0.35")
    assert fee_dollars(10, Decimal("0.50"), FeeSchedule(FeeType.QUADRATIC, Decimal(0))) == Decimal(0)
    with pytest.raises(DomainError):
        fee_dollars(1, Decimal("0.5"), FeeSchedule(FeeType.QUADRATIC, Decimal(-1)))


@pytest.mark.parametrize("fee_type", [FeeType.FLAT, FeeType.UNKNOWN])
def test_unmodelled_fee_types_refuse(fee_type: FeeType) -> None:
    with pytest.raises(UnknownFeeTypeError, match=fee_type.value):
        fee_dollars(1, Decimal("0.5"), FeeSchedule(fee_type))


@pytest.mark.parametrize("price", [Decimal("-0.01"), Decimal("1.01"), Decimal("NaN")])
def test_bad_price_or_count(price: Decimal) -> None:
    with pytest.raises(DomainError):
        fee_dollars(1, price, QUAD)
    with pytest.raises(DomainError):
        fee_dollars(-1, Decimal("0.5"), QUAD)


def test_fee_per_contract_is_the_order_fee_shared() -> None:
    assert fee_per_contract(10, Decimal("0.50"), QUAD) == Decimal("0.018")
    assert fee_per_contract(1, Decimal("0.50"), QUAD) == Decimal("0.02")
    assert fee_per_contract(0, Decimal("0.50"), QUAD) == Decimal("0.02")  # priced as one contract


prices = st.decimals(min_value=0, max_value=1, places=4)
counts = st.integers(0, 10_000)
schedules = st.sampled_from([QUAD, MAKER, COMBO, FeeSchedule(FeeType.QUADRATIC, Decimal("1.5"))])


@given(count=counts, price=prices, schedule=schedules, maker=st.booleans())
def test_fee_never_negative_whole_cents_and_an_upper_bound(
    count: int, price: Decimal, schedule: FeeSchedule, maker: bool
) -> None:
    fee = fee_dollars(count, price, schedule, maker=maker)
    exact = fee_coefficient(schedule, maker=maker) * count * price * (1 - price)
    assert fee >= 0
    assert fee == fee.quantize(Decimal("0.01"))
    assert exact <= fee < exact + Decimal("0.01")
    assert fee == exact.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


@given(count=st.integers(1, 1000), price=prices)
def test_per_contract_fee_never_exceeds_single_contract_fee(count: int, price: Decimal) -> None:
    # Why the decision can gate on the one-contract fee: it is the worst case per contract.
    assert fee_per_contract(count, price, QUAD) <= fee_per_contract(1, price, QUAD)


def test_event_overrides_replace_the_series_fee_schedule_field_by_field() -> None:
    from kalshi_bots.domain.fees import effective_fee_schedule
    from kalshi_bots.domain.models import Event

    series = FeeSchedule(FeeType.QUADRATIC, Decimal(1))
    plain = Event("KXBTCD-26NOV2411", "KXBTCD")
    assert effective_fee_schedule(series, plain) == series
    cheaper = Event("KXBTCD-26NOV2411", "KXBTCD", fee_multiplier_override=Decimal("0.5"))
    assert effective_fee_schedule(series, cheaper) == FeeSchedule(FeeType.QUADRATIC, Decimal("0.5"))
    maker = Event("KXBTCD-26NOV2411", "KXBTCD", fee_type_override="quadratic_with_maker_fees")
    assert effective_fee_schedule(series, maker).fee_type is FeeType.QUADRATIC_WITH_MAKER_FEES
    unknown = Event("KXBTCD-26NOV2411", "KXBTCD", fee_type_override="something_new")
    assert effective_fee_schedule(series, unknown).fee_type is FeeType.UNKNOWN
