"""Kelly sizing for a binary contract bought at ``price`` dollars (pays $1 if it wins).

Spec: b = (1 - price) / price, f* = (b * p - (1 - p)) / b, "quarter Kelly", capped at 0.25, at most 5
contracts. Our reading, made explicit:

- **applied fraction** = ``min(kelly_multiplier * f*, max_fraction)`` with defaults 0.25 and 0.25: the
  spec's "min(f*, 0.25)  # Quarter Kelly" names both a quarter-Kelly multiplier and a 0.25 cap; we apply
  both (a quarter of full Kelly, never more than a quarter of the bankroll).
- **price** is the **all-in cost** per contract, ``price + fee per contract``: fees are part of what a
  contract costs, so both the odds ``b`` and the bankroll division use it. This is the conservative
  choice (it lowers f* and the contract count) and matches the edge definition
  ``edge = p - (NO ask + fee per contract)``.
- contracts = ``min(floor(bankroll * applied / cost), max_contracts)``; never more than
  ``floor(bankroll / cost)``; 0 when f* <= 0 or the cost is not strictly inside (0, 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from kalshi_bots.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Sizing:
    kelly_raw: float  # full-Kelly f* at the all-in cost (may be negative)
    applied_fraction: float  # min(multiplier * f*, max_fraction), 0 when f* <= 0
    contracts: int


def kelly_fraction(p_model: float, price: Decimal) -> float:
    """Full-Kelly f* for buying at ``price``; 0 when f* <= 0 or ``price`` is outside (0, 1)."""
    _check_probability(p_model)
    if not price.is_finite() or not (0 < price < 1):
        return 0.0
    return max(0.0, _full_kelly(p_model, price))


def _full_kelly(p: float, price: Decimal) -> float:
    """Spec f* = (b p - (1 - p)) / b with b = (1 - price) / price, in the algebraically equal form
    (p - price) / (1 - price): exactly 0 when p equals the price (no float residue that sizes a trade)."""
    c = float(price)
    return (p - c) / (1.0 - c)


def size_order(  # noqa: PLR0917 (positional form shared with jobs and the backtester)
    bankroll: Decimal,
    p_model: float,
    price: Decimal,
    fee_per_contract: Decimal,
    kelly_multiplier: float = 0.25,
    max_fraction: float = 0.25,
    max_contracts: int = 5,
) -> Sizing:
    """How many contracts to buy at ``price`` (+ ``fee_per_contract``) given ``bankroll`` dollars."""
    _check_probability(p_model)
    if not bankroll.is_finite() or bankroll < 0:
        raise DomainError(f"bankroll must be a finite amount >= 0, got {bankroll}")
    if not fee_per_contract.is_finite() or fee_per_contract < 0:
        raise DomainError(f"fee_per_contract must be >= 0, got {fee_per_contract}")
    if not (math.isfinite(kelly_multiplier) and kelly_multiplier >= 0):
        raise DomainError(f"kelly_multiplier must be >= 0, got {kelly_multiplier}")
    if not (math.isfinite(max_fraction) and 0 <= max_fraction <= 1):
        raise DomainError(f"max_fraction must be in [0, 1], got {max_fraction}")
    if max_contracts < 0:
        raise DomainError(f"max_contracts must be >= 0, got {max_contracts}")

    cost = price + fee_per_contract
    if not cost.is_finite() or not (0 < cost < 1):
        return Sizing(kelly_raw=0.0, applied_fraction=0.0, contracts=0)
    kelly_raw = _full_kelly(p_model, cost)
    if kelly_raw <= 0:
        return Sizing(kelly_raw=kelly_raw, applied_fraction=0.0, contracts=0)
    applied = min(kelly_multiplier * kelly_raw, max_fraction)
    stake = bankroll * Decimal(repr(applied))
    affordable = int((stake / cost).to_integral_value(rounding=ROUND_FLOOR))
    return Sizing(
        kelly_raw=kelly_raw, applied_fraction=applied, contracts=max(0, min(affordable, max_contracts))
    )


def _check_probability(p: float) -> None:
    if not (math.isfinite(p) and 0.0 <= p <= 1.0):
        raise DomainError(f"model probability must be in [0, 1], got {p!r}")
