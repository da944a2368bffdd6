"""Kalshi trading fees (reference kalshi-api.md §5).

    fee = ceil_to_cent(coefficient * C * P * (1 - P))

with C contracts at price P dollars. Coefficients:

- taker: 0.07 on every quadratic fee type;
- maker: 0 on ``quadratic``; 0.0175 (0.25 x taker) on ``quadratic_with_maker_fees``;
  0.035 (0.5 x taker) on ``quadratic_with_combo_maker_fees``.

``fee_multiplier`` (from the series, or the event override): **UNCERTAIN mapping**. The API schema only
calls it "a multiplier applied to the fee calculations"; we multiply the coefficient by it (so 1 is the
standard table). Check against ``fee_cost`` on the first real fills.

``flat`` ("Specific Trading Fees" table of the fee-schedule PDF) is not documented in any source we
have, so it cannot be modelled: :class:`UnknownFeeTypeError`, as for ``unknown``. The caller refuses
to trade on that error (fail closed).

Rounding: Kalshi rounds each fill up to $0.0001 and then reconciles to whole cents per order; a single
ceil to the cent per order is a safe upper bound for sizing (reference §5), so that is what we use.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from kalshi_bots.domain.errors import DomainError, UnknownFeeTypeError
from kalshi_bots.domain.models import Event, FeeSchedule, FeeType

TAKER_COEFFICIENT = Decimal("0.07")
_MAKER_COEFFICIENT: dict[FeeType, Decimal] = {
    FeeType.QUADRATIC: Decimal(0),
    FeeType.QUADRATIC_WITH_MAKER_FEES: Decimal("0.0175"),
    FeeType.QUADRATIC_WITH_COMBO_MAKER_FEES: Decimal("0.035"),
}
_CENT = Decimal("0.01")


def fee_coefficient(schedule: FeeSchedule, *, maker: bool = False) -> Decimal:
    """The coefficient in front of ``C * P * (1 - P)``, multiplier applied."""
    if schedule.fee_type not in _MAKER_COEFFICIENT:
        raise UnknownFeeTypeError(
            f"fee type {schedule.fee_type.value!r} is not modelled (only quadratic variants); refusing"
        )
    multiplier = schedule.multiplier
    if not multiplier.is_finite() or multiplier < 0:
        raise DomainError(f"fee multiplier must be a finite number >= 0, got {multiplier}")
    base = _MAKER_COEFFICIENT[schedule.fee_type] if maker else TAKER_COEFFICIENT
    return base * multiplier


def fee_dollars(
    count: int | Decimal, price: Decimal, schedule: FeeSchedule, *, maker: bool = False
) -> Decimal:
    """Fee in dollars for one order of ``count`` contracts at ``price``, rounded up to the cent."""
    contracts = _check_count(count)
    _check_price(price)
    raw = fee_coefficient(schedule, maker=maker) * contracts * price * (1 - price)
    return raw.quantize(_CENT, rounding=ROUND_CEILING)


def fee_per_contract(
    count: int | Decimal, price: Decimal, schedule: FeeSchedule, *, maker: bool = False
) -> Decimal:
    """The order's (rounded) fee divided by ``count``: what each contract really costs in fees.

    A zero ``count`` prices a single contract (the worst case: rounding up hurts most at C = 1).
    """
    contracts = _check_count(count)
    if contracts == 0:
        contracts = Decimal(1)
    return fee_dollars(contracts, price, schedule, maker=maker) / contracts


def _check_count(count: int | Decimal) -> Decimal:
    value = Decimal(count)
    if not value.is_finite() or value < 0:
        raise DomainError(f"contract count must be a finite number >= 0, got {count}")
    return value


def _check_price(price: Decimal) -> None:
    if not isinstance(price, Decimal) or not price.is_finite() or not (0 <= price <= 1):
        raise DomainError(f"price must be a Decimal dollar price in [0, 1], got {price!r}")


def effective_fee_schedule(series: FeeSchedule, event: Event) -> FeeSchedule:
    """The series' fee schedule with the event's overrides applied (Kalshi: ``fee_type_override``,
    ``fee_multiplier_override``). An override naming a fee type we do not know parses to UNKNOWN, so
    the bot refuses to trade rather than price with the wrong fee."""
    fee_type = series.fee_type if event.fee_type_override is None else FeeType.parse(event.fee_type_override)
    multiplier = series.multiplier if event.fee_multiplier_override is None else event.fee_multiplier_override
    return FeeSchedule(fee_type, multiplier)


def edge_after_fee(p_win: float, price: Decimal, fee: Decimal) -> float:
    """The edge of every rule, live and backtest: the probability that a contract bought at ``price``
    wins, minus its all-in cost (price plus the fee of one contract), in dollars per $1 contract."""
    return p_win - float(price + fee)
