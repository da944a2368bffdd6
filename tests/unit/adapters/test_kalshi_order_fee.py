"""The Kalshi client's order fee, rebuilt from the rounded ``average_fee_paid`` of a create reply."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kalshi_bots.adapters.kalshi.wire_account import order_fee

D = Decimal


@pytest.mark.parametrize(
    ("average", "filled", "fee"),
    [
        ("0.011201", 333, "3.73"),  # $3.73 / 333 = 0.0112012..., reported to 6 places
        ("0.013153", 333, "4.38"),  # $4.38 / 333 = 0.0131531...
        ("0.025714", 7, "0.18"),  # $0.18 / 7 = 0.0257142...
        ("0.0114", 7, "0.08"),  # a 4-place average: $0.08 / 7 = 0.01142857...
        ("0.018", 10, "0.18"),  # exact
    ],
)
def test_a_whole_cent_fee_is_recovered_from_its_rounded_average(average: str, filled: int, fee: str) -> None:
    assert order_fee(D(average), D(filled)) == D(fee)


def test_a_sub_cent_fee_that_the_average_states_exactly_is_kept() -> None:
    # A direct member pays to $0.0001: an average of exactly 0.011400 on 7 contracts is $0.0798, which
    # no rounding of a whole-cent fee explains (0.08 / 7 would read 0.011429).
    assert order_fee(D("0.011400"), D(7)) == D("0.0798")


def test_no_fill_no_fee() -> None:
    assert order_fee(None, D(0)) == 0 and order_fee(D("0.02"), D(0)) == 0
