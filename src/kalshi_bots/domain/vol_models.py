"""Alternative 15-minute-horizon volatility estimators, chosen by walk-forward backtest.

Every function returns a ``vol_15m_std_pct``-style figure (sd of a 15-minute move, in percent) that feeds
the unchanged :func:`kalshi_bots.domain.pricing.prob_no` / decision code. Pure and stdlib-only.

- :func:`literal_std_pct`: the spec ancestor's misreading (the 1-minute sd used as the 15-minute sigma),
  kept only so backtests can show how badly it is calibrated.
- :func:`ewma_std_pct`: exponentially weighted RMS of per-minute log returns (zero mean, RiskMetrics
  style): reacts faster than a flat window, and is smoother than 15 points.
- :func:`blended_std_pct`: a geometric blend of a short and a long window times a scale. The scale
  below 1 corrects the slight over-statement of sqrt-time scaling on one-minute returns of a thin
  exchange (bid/ask bounce makes consecutive 1-minute returns negatively correlated).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import require_aware
from kalshi_bots.domain.models import PriceTick
from kalshi_bots.domain.volatility import HORIZON_MINUTES

_SQRT_HORIZON = math.sqrt(HORIZON_MINUTES)


def literal_std_pct(vol_15m_std_pct: float) -> float:
    """The 1-minute sd implied by a 15-minute-horizon sd: what the ancestor fed in as ``sigma_15m``."""
    return vol_15m_std_pct / _SQRT_HORIZON


def ewma_std_pct(
    ticks: Sequence[PriceTick],
    end: datetime,
    half_life_minutes: float,
    lookback_minutes: int = 120,
    min_returns: int = 10,
) -> float | None:
    """EWMA estimate of the 15-minute sd from the ticks in ``(end - lookback, end]``.

    Each return over a gap of dt minutes is normalised to one minute (r / sqrt(dt)), as in
    :mod:`kalshi_bots.domain.volatility`. Weights halve every ``half_life_minutes`` going back in time
    and are normalised, so the estimate is an average, not a sum. ``None`` with fewer than
    ``min_returns`` returns (never a made-up number).
    """
    return ewma_std_pcts(ticks, end, (half_life_minutes,), lookback_minutes, min_returns)[0]


def ewma_std_pcts(
    ticks: Sequence[PriceTick],
    end: datetime,
    half_lives_minutes: Sequence[float],
    lookback_minutes: int = 120,
    min_returns: int = 10,
) -> tuple[float | None, ...]:
    """:func:`ewma_std_pct` for several half-lives in one pass over the ticks."""
    for half_life in half_lives_minutes:
        if not (math.isfinite(half_life) and half_life > 0):
            raise DomainError(f"half_life_minutes must be positive, got {half_life!r}")
    if lookback_minutes <= 0:
        raise DomainError(f"lookback_minutes must be positive, got {lookback_minutes}")
    end = require_aware(end, "end")
    lo = bisect_right(ticks, end - timedelta(minutes=lookback_minutes), key=lambda t: t.at)
    hi = bisect_right(ticks, end, key=lambda t: t.at)
    window = ticks[lo:hi]
    if len(window) - 1 < min_returns:
        return tuple(None for _ in half_lives_minutes)
    squares: list[float] = []
    ages: list[float] = []
    for previous, current in pairwise(window):
        dt = (current.at - previous.at).total_seconds() / 60.0
        if dt <= 0:
            raise DomainError(f"ticks must be strictly ascending; see {current.at.isoformat()}")
        p0, p1 = float(previous.price), float(current.price)
        if not (p0 > 0 and p1 > 0):
            raise DomainError(f"prices must be positive near {current.at.isoformat()}")
        u = math.log(p1 / p0)
        squares.append(u * u / dt)
        ages.append((end - current.at).total_seconds() / 60.0)
    out: list[float | None] = []
    for half_life in half_lives_minutes:
        decay = math.log(2.0) / half_life
        weights = [math.exp(-decay * age) for age in ages]
        variance = math.fsum(w * sq for w, sq in zip(weights, squares, strict=True)) / math.fsum(weights)
        out.append(math.sqrt(variance) * _SQRT_HORIZON * 100.0)
    return tuple(out)


def blended_std_pct(short_std_pct: float, long_std_pct: float, weight: float, scale: float) -> float:
    """``scale * short^weight * long^(1 - weight)``: a geometric blend of two 15-minute-horizon sds."""
    if not 0.0 <= weight <= 1.0:
        raise DomainError(f"weight must be in [0, 1], got {weight!r}")
    if not (math.isfinite(scale) and scale > 0):
        raise DomainError(f"scale must be positive, got {scale!r}")
    for name, value in (("short_std_pct", short_std_pct), ("long_std_pct", long_std_pct)):
        if not (math.isfinite(value) and value >= 0):
            raise DomainError(f"{name} must be a finite number >= 0, got {value!r}")
    if short_std_pct == 0.0 or long_std_pct == 0.0:
        # A flat window makes the geometric blend 0; fall back to the arithmetic blend, which stays
        # positive while either window moved.
        return scale * (weight * short_std_pct + (1.0 - weight) * long_std_pct)
    return scale * math.exp(weight * math.log(short_std_pct) + (1.0 - weight) * math.log(long_std_pct))


def student_t_cdf(t: float, nu: float) -> float:
    """CDF of Student's t with ``nu`` degrees of freedom (standard form, variance nu / (nu - 2)).

    Uses P(|T| > |t|) = I_x(nu / 2, 1 / 2) with x = nu / (nu + t^2), the regularised incomplete beta
    function evaluated by its continued fraction (modified Lentz), accurate to ~1e-14.
    """
    if not (math.isfinite(nu) and nu > 0):
        raise DomainError(f"nu must be positive, got {nu!r}")
    if math.isnan(t):
        raise DomainError("student_t_cdf: t is NaN")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * _regularised_beta(nu / 2.0, 0.5, nu / (nu + t * t))
    return 1.0 - tail if t > 0 else tail


def _regularised_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    # The continued fraction converges fast only for x < (a + 1) / (a + b + 2); use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h
