"""The spec's random-walk model for hourly "above/below" markets (KXBTCD, KXETHD): crypto pricing only.

Daily-high temperature brackets are priced beside their model, in :mod:`kalshi_bots.domain.weather`.

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

Settlement averaging: the settlement value is the average of the last ``s`` = 60 s, which varies less
than the price at the close. The spec formula ignores this and it is kept as the default.
``settlement_average_s`` models it: for a random walk observed T before the close, the average of
``[T - s, T]`` has variance ``T - s + s/3 = T - 2s/3`` (in time units of the per-unit variance), so the
effective horizon is ``T - 2s/3``. Inside the averaging window (T < s) the unknown part of the average
has variance ``T^3 / (3 s^2)``; we use that, treating the already-averaged part as equal to spot (an
approximation only relevant in the last minute, where no bot trades).

Fat tails (the live default, :func:`prob_no_t`): the log move ``ln(X / P)`` is a Student-t with nu
degrees of freedom scaled to the same variance as the normal law above. It puts more weight both near
spot and far out than the normal does, which is what one-minute crypto returns show.
"""

from __future__ import annotations

import math
from decimal import Decimal

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.vol_models import student_t_cdf

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
    ``settlement_average_s`` > 0 shortens the effective horizon to ``T - 2s/3`` (see module doc).
    """
    sigma = _horizon_sigma_pct(spot, strike, minutes_left, vol_15m_std_pct, settlement_average_s)
    if sigma == 0.0:
        return 0.0 if spot > strike else 1.0
    return normal_cdf(z_score(spot, strike, sigma))


def _horizon_sigma_pct(
    spot: Decimal, strike: Decimal, minutes_left: float, vol_15m_std_pct: float, settlement_average_s: float
) -> float:
    """The inputs checked, then the sd (percent) of the log move over what is left of the horizon."""
    _check_price("spot", spot)
    _check_price("strike", strike)
    if settlement_average_s < 0 or not math.isfinite(settlement_average_s):
        raise DomainError(f"settlement_average_s must be >= 0, got {settlement_average_s!r}")
    return scaled_sigma_pct(vol_15m_std_pct, _effective_horizon(minutes_left, settlement_average_s / 60.0))


def _effective_horizon(minutes_left: float, average_minutes: float) -> float:
    """Minutes of point-price variance equal to the variance of the settlement average."""
    if minutes_left <= 0 or average_minutes == 0:
        return minutes_left
    if minutes_left >= average_minutes:
        return minutes_left - 2.0 * average_minutes / 3.0
    return minutes_left**3 / (3.0 * average_minutes**2)


def prob_no_t(
    spot: Decimal,
    strike: Decimal,
    minutes_left: float,
    vol_15m_std_pct: float,
    nu: float,
    *,
    settlement_average_s: float = 0.0,
) -> float:
    """P(NO) when the log move to the settlement value is a Student-t scaled to unit variance.

    With s = ``vol_15m_std_pct`` / 100 over 15 minutes and an effective horizon T_eff (module doc):

        sigma = s * sqrt(T_eff / 15),   P(NO) = T_nu(ln(K / P) / (sigma * sqrt((nu - 2) / nu)))

    (a t with nu degrees of freedom has variance nu / (nu - 2), so ``sigma * sqrt((nu - 2) / nu) * T_nu``
    has sd sigma). At 15 minutes and nu = 5 this is the issue's ``T5(ln(K/spot) / (s * sqrt(3/5)))``.
    No time or zero vol is deterministic, exactly as :func:`prob_no`.
    """
    sigma_pct = _horizon_sigma_pct(spot, strike, minutes_left, vol_15m_std_pct, settlement_average_s)
    if not (math.isfinite(nu) and nu > 2):
        raise DomainError(f"nu must be > 2 for a finite variance, got {nu!r}")
    if sigma_pct == 0.0:
        return 0.0 if spot > strike else 1.0
    log_distance = math.log(strike / spot)
    return student_t_cdf(log_distance / (sigma_pct / 100.0) * math.sqrt(nu / (nu - 2.0)), nu)


def prob_no_law(
    spot: Decimal,
    strike: Decimal,
    minutes_left: float,
    vol_15m_std_pct: float,
    *,
    tail_nu: float | None = None,
    settlement_average_s: float = 0.0,
) -> float:
    """P(NO) under the model's law: the spec's normal (``tail_nu`` None) or unit-variance Student-t."""
    if tail_nu is None:
        return prob_no(spot, strike, minutes_left, vol_15m_std_pct, settlement_average_s=settlement_average_s)
    return prob_no_t(
        spot, strike, minutes_left, vol_15m_std_pct, tail_nu, settlement_average_s=settlement_average_s
    )


def _check_price(name: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise DomainError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise InvalidPriceError(f"{name} must be a positive finite price, got {value}")


def _check_vol(vol_pct: float) -> None:
    if not (math.isfinite(vol_pct) and vol_pct >= 0):
        raise DomainError(f"vol_15m_std_pct must be a finite number >= 0, got {vol_pct!r}")
