"""The spec's random-walk model for hourly "above/below" markets (KXBTCD, KXETHD).

Units: ``vol_15m_std_pct`` is the standard deviation, in percent, of the price move over a
**15-minute horizon** (see :mod:`kalshi_bots.domain.volatility`), so ``0.19`` means 0.19 %.

Model (spec, "Pricing Model"), for spot P, strike K, T minutes to settlement:

    sigma_scaled = vol_15m_std * sqrt(T / 15)          (percent)
    z            = ((K - P) / P * 100) / sigma_scaled
    P(NO)        = Phi(z),  P(YES) = 1 - Phi(z)

Settlement: a KXBTCD "greater" market resolves YES iff the simple 60-second average of the CF
Benchmarks BRTI before the hour is **strictly above** ``floor_strike`` (reference kalshi-api.md §6).
In a continuous model P(X > K) = P(X >= K), so strictness does not change the number; it matters only
in the deterministic edge cases (no time left or zero vol), where spot == strike means NO.

Settlement averaging: the average of the last 60 s has slightly less variance than the price at the
close (about one third of a minute's variance less). The spec formula ignores this and it is kept as
the default; ``settlement_average_s`` lets a caller model it by removing ``s / 3`` seconds of
variance (a uniform average over the last ``s`` seconds of a random walk has the variance of the
point value ``s / 3`` seconds before its end).
"""

from __future__ import annotations

import math
from decimal import Decimal

from kalshi_bots.domain.errors import DomainError, InvalidPriceError

_SQRT2 = math.sqrt(2.0)
HORIZON_MINUTES = 15.0  # the horizon every vol_Nm_std is expressed in


def normal_cdf(x: float) -> float:
    """Standard normal CDF Phi(x), via ``math.erfc`` (accurate in both tails; no scipy)."""
    if math.isnan(x):
        raise DomainError("normal_cdf: x is NaN")
    return 0.5 * math.erfc(-x / _SQRT2)


def scaled_sigma_pct(vol_15m_std_pct: float, minutes_left: float) -> float:
    """sigma over ``minutes_left`` in percent: ``vol_15m_std * sqrt(T / 15)`` (0 when T <= 0)."""
    _check_vol(vol_15m_std_pct)
    if not math.isfinite(minutes_left):
        raise DomainError(f"minutes_left must be finite, got {minutes_left!r}")
    if minutes_left <= 0:
        return 0.0
    return vol_15m_std_pct * math.sqrt(minutes_left / HORIZON_MINUTES)


def z_score(spot: Decimal, strike: Decimal, sigma_scaled_pct: float) -> float:
    """``((K - P) / P * 100) / sigma_scaled`` exactly as the spec; sigma must be > 0."""
    _check_price("spot", spot)
    _check_price("strike", strike)
    if not (math.isfinite(sigma_scaled_pct) and sigma_scaled_pct > 0):
        raise DomainError(f"sigma_scaled_pct must be a positive finite number, got {sigma_scaled_pct!r}")
    distance_pct = float((strike - spot) / spot * 100)
    return distance_pct / sigma_scaled_pct


def prob_no(
    spot: Decimal,
    strike: Decimal,
    minutes_left: float,
    vol_15m_std_pct: float,
    *,
    settlement_average_s: float = 0.0,
) -> float:
    """P(NO) for a "greater" market: the settlement value is NOT strictly above ``strike``.

    ``minutes_left <= 0`` or zero vol -> deterministic: NO iff ``spot <= strike``.
    ``settlement_average_s`` > 0 shortens the effective horizon by ``s / 3`` seconds (see module doc).
    """
    _check_price("spot", spot)
    _check_price("strike", strike)
    if settlement_average_s < 0 or not math.isfinite(settlement_average_s):
        raise DomainError(f"settlement_average_s must be >= 0, got {settlement_average_s!r}")
    effective_minutes = minutes_left - settlement_average_s / 180.0 if minutes_left > 0 else minutes_left
    sigma = scaled_sigma_pct(vol_15m_std_pct, effective_minutes)
    if sigma == 0.0:
        return 0.0 if spot > strike else 1.0
    return normal_cdf(z_score(spot, strike, sigma))


def prob_settles_above(
    spot: Decimal,
    strike: Decimal,
    minutes_left: float,
    vol_15m_std_pct: float,
    *,
    settlement_average_s: float = 0.0,
) -> float:
    """P(YES) for a KXBTCD "greater" market: settlement value strictly above ``strike``."""
    return 1.0 - prob_no(
        spot, strike, minutes_left, vol_15m_std_pct, settlement_average_s=settlement_average_s
    )


def _check_price(name: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise DomainError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise InvalidPriceError(f"{name} must be a positive finite price, got {value}")


def _check_vol(vol_pct: float) -> None:
    if not (math.isfinite(vol_pct) and vol_pct >= 0):
        raise DomainError(f"vol_15m_std_pct must be a finite number >= 0, got {vol_pct!r}")
