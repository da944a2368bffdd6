"""The hourly crypto model: which volatility estimate and which law price KXBTCD / KXETHD strikes.

One function, :func:`hourly_model_input`, turns a ``VOL/LATEST`` snapshot into the numbers the pricing
needs (a ``vol_15m_std_pct``, the tail degrees of freedom, the settlement-average length). The live job
and the backtester (``--model live``) both call it, so a backtest replays exactly what the bot does.

Models (:class:`HourlyModel`, chosen by ``KALSHI_BOTS_HOURLY_MODEL``):

- ``ewma-t`` (default): **s² = 15 x EWMA of squared 1-minute log returns**, weights ``0.5^(age / 20)``
  over the last 120 minutes, normalised; priced with a Student-t (nu = 5) scaled to unit variance on the
  log distance, with the 60-second settlement average (see :func:`kalshi_bots.domain.pricing.prob_no_t`).
  ``vol_15m_std_pct = 100 s``: the same unit as every other ``vol_Nm_std`` (sd of a 15-minute move, %).
- ``sample-t``: the sample sd of the last 15 minutes (``vol_15m_std``) with the same t tails and no
  settlement adjustment: the live model before this one.
- ``spec``: the spec's normal law on ``vol_15m_std``, no adjustment.

EWMA details (:func:`ewma_vol_15m_pct`). Returns are formed between consecutive ticks at or after
``end - window``; return i ends at t_i, spans dt_i minutes and has age a_i = end - t_i minutes:

    per-minute variance = sum(w_i r_i^2) / sum(w_i dt_i),   w_i = 0.5^(a_i / half_life)

With every minute present (dt_i = 1) that is exactly the issue's normalised EWMA of squared returns. A
gap makes one return span several minutes; dividing by the minutes it spans (not by 1) keeps the
per-minute variance unbiased without inventing prices. Fewer than ``min_returns`` returns (fresh start,
feed outage) gives no estimate and a reason: the job refuses ``vol_insufficient``, never guesses.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import require_aware
from kalshi_bots.domain.models import PriceTick, VolatilitySnapshot
from kalshi_bots.domain.volatility import HORIZON_MINUTES

MAX_WINDOW_MINUTES = 120  # VOL/LATEST carries the last 121 minutes: 120 one-minute returns at most
SETTLEMENT_AVERAGE_S = 60.0  # KXBTCD/KXETHD settle on the 60-second average of the index
SAMPLE_WINDOW_MINUTES = 15


class VolEstimator(StrEnum):
    EWMA = "ewma"
    SAMPLE_15M = "sample-15m"


class ModelName(StrEnum):
    EWMA_T = "ewma-t"
    SAMPLE_T = "sample-t"
    SPEC = "spec"


@dataclass(frozen=True, slots=True)
class HourlyModel:
    """A complete, validated model choice. Build with :func:`hourly_model` (the presets)."""

    name: str
    estimator: VolEstimator
    tail_nu: float | None  # None = normal law
    settlement_average_s: float
    half_life_minutes: float = 20.0
    window_minutes: int = MAX_WINDOW_MINUTES
    min_returns: int = 60

    def __post_init__(self) -> None:
        if self.tail_nu is not None and not (math.isfinite(self.tail_nu) and self.tail_nu > 2):
            raise DomainError(f"tail_nu must be > 2 (finite variance) or None, got {self.tail_nu!r}")
        if not (math.isfinite(self.half_life_minutes) and self.half_life_minutes > 0):
            raise DomainError(f"half_life_minutes must be positive, got {self.half_life_minutes!r}")
        if not 2 <= self.window_minutes <= MAX_WINDOW_MINUTES:
            raise DomainError(
                f"window_minutes must be 2..{MAX_WINDOW_MINUTES} (VOL/LATEST keeps 121 minutes), "
                f"got {self.window_minutes}"
            )
        if not 2 <= self.min_returns <= self.window_minutes:
            raise DomainError(
                f"min_returns must be 2..window_minutes ({self.window_minutes}), got {self.min_returns}"
            )
        if not (math.isfinite(self.settlement_average_s) and self.settlement_average_s >= 0):
            raise DomainError(f"settlement_average_s must be >= 0, got {self.settlement_average_s!r}")


def hourly_model(
    name: str = ModelName.EWMA_T,
    *,
    tail_nu: float | None = 5.0,
    half_life_minutes: float = 20.0,
    window_minutes: int = MAX_WINDOW_MINUTES,
    min_returns: int = 60,
) -> HourlyModel:
    """The preset ``name`` with these parameters (``tail_nu`` None = normal; ``spec`` is always normal)."""
    if name == ModelName.EWMA_T:
        return HourlyModel(
            ModelName.EWMA_T,
            VolEstimator.EWMA,
            tail_nu,
            SETTLEMENT_AVERAGE_S,
            half_life_minutes,
            window_minutes,
            min_returns,
        )
    if name == ModelName.SAMPLE_T:
        return HourlyModel(ModelName.SAMPLE_T, VolEstimator.SAMPLE_15M, tail_nu, 0.0)
    if name == ModelName.SPEC:
        return HourlyModel(ModelName.SPEC, VolEstimator.SAMPLE_15M, None, 0.0)
    raise DomainError(f"unknown hourly model {name!r}; choose one of {', '.join(m.value for m in ModelName)}")


@dataclass(frozen=True, slots=True)
class ModelInput:
    """What the pricing needs. ``vol_15m_std_pct`` None = no estimate; ``detail`` says why."""

    model: str
    vol_15m_std_pct: float | None
    tail_nu: float | None
    settlement_average_s: float
    returns: int  # returns (EWMA) or price points (15-minute sample) behind the estimate
    detail: str = ""


@dataclass(frozen=True, slots=True)
class EwmaVol:
    vol_15m_std_pct: float | None
    returns: int
    minutes_covered: float


def _at(tick: PriceTick) -> datetime:
    return tick.at


def ewma_vol_15m_pct(
    ticks: Sequence[PriceTick],
    end: datetime,
    *,
    half_life_minutes: float,
    window_minutes: int,
    min_returns: int,
) -> EwmaVol:
    """EWMA estimate of the 15-minute sd (percent) from ticks in ``[end - window, end]`` (see module doc).

    ``ticks`` must be in ascending time order; ticks after ``end`` are ignored. A non-positive price
    or a repeated time raises :class:`DomainError` naming the time.
    """
    end = require_aware(end, "end")
    end_s = end.timestamp()
    decay = math.log(2.0) / half_life_minutes / 60.0  # per second of age
    weighted_squares = 0.0
    weighted_seconds = 0.0
    returns = 0
    first_s = previous_s = previous_price = 0.0
    lo = bisect_left(ticks, end - timedelta(minutes=window_minutes), key=_at)
    hi = bisect_right(ticks, end, key=_at)
    for tick in ticks[lo:hi]:
        at_s = tick.at.timestamp()
        value = tick.price
        price = float(value) if value.is_finite() else math.nan
        if not price > 0:  # also NaN and infinities (float compares avoid Decimal's slow ones)
            raise DomainError(f"price at {tick.at.isoformat()} must be positive and finite, got {value}")
        if previous_price:
            dt = at_s - previous_s
            if dt <= 0:
                raise DomainError(f"ticks must be strictly ascending in time; see {tick.at.isoformat()}")
            r = math.log(price / previous_price)
            weight = math.exp(-decay * (end_s - at_s))
            weighted_squares += weight * r * r
            weighted_seconds += weight * dt
            returns += 1
        else:
            first_s = at_s
        previous_s, previous_price = at_s, price
    weighted_minutes = weighted_seconds / 60.0
    covered = (previous_s - first_s) / 60.0
    if returns < min_returns or weighted_minutes <= 0:
        return EwmaVol(None, returns, covered)
    per_minute_variance = weighted_squares / weighted_minutes
    return EwmaVol(math.sqrt(per_minute_variance * HORIZON_MINUTES) * 100.0, returns, covered)


def hourly_model_input(model: HourlyModel, snapshot: VolatilitySnapshot) -> ModelInput:
    """The pricing input of ``model`` from a ``VOL/LATEST`` snapshot (estimated at its ``computed_at``).

    Never raises on bad data: no estimate (``vol_15m_std_pct`` None) with the reason in ``detail``.
    """
    if model.estimator is VolEstimator.EWMA:
        try:
            ewma = ewma_vol_15m_pct(
                snapshot.recent_prices,
                snapshot.computed_at,
                half_life_minutes=model.half_life_minutes,
                window_minutes=model.window_minutes,
                min_returns=model.min_returns,
            )
        except DomainError as exc:  # a bad stored price: no estimate, and say which
            return ModelInput(model.name, None, model.tail_nu, model.settlement_average_s, 0, str(exc))
        detail = (
            ""
            if ewma.vol_15m_std_pct is not None
            else f"{ewma.returns} one-minute returns in the last {model.window_minutes} minutes "
            f"(EWMA needs {model.min_returns})"
        )
        return ModelInput(
            model.name,
            ewma.vol_15m_std_pct,
            model.tail_nu,
            model.settlement_average_s,
            ewma.returns,
            detail,
        )
    window = snapshot.window(SAMPLE_WINDOW_MINUTES)
    samples = 0 if window is None else window.samples
    std = None if window is None else window.std_pct
    detail = "" if std is not None else f"{SAMPLE_WINDOW_MINUTES}m window: {samples} samples"
    return ModelInput(model.name, std, model.tail_nu, model.settlement_average_s, samples, detail)
