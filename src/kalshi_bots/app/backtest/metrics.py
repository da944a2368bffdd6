"""Scores for probability forecasts of binary outcomes: log loss, Brier, calibration by decile.

``p`` is always the forecast probability of the event whose outcome is ``y`` (1 = it happened).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kalshi_bots.domain.errors import DomainError

# Probabilities are clipped this far from 0 and 1 before taking logs, so one confident miss costs
# at most ln(1 / 1e-6) ≈ 13.8 nats instead of infinity. Same clip for every model, so comparisons hold.
LOG_LOSS_CLIP = 1e-6


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_p: float | None
    frequency: float | None


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    log_loss: float
    brier: float
    mean_p: float
    frequency: float
    base_rate_log_loss: float  # log loss of always forecasting the observed frequency
    calibration: tuple[CalibrationBin, ...]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["calibration"] = [asdict(b) for b in self.calibration]
        return out


def _check(ps: Sequence[float], ys: Sequence[int]) -> None:
    if len(ps) != len(ys):
        raise DomainError(f"scores: {len(ps)} probabilities but {len(ys)} outcomes")
    if not ps:
        raise DomainError("scores: no forecasts to score")
    for p in ps:
        if not (0.0 <= p <= 1.0):
            raise DomainError(f"scores: probability {p!r} outside [0, 1]")
    for y in ys:
        if y not in (0, 1):
            raise DomainError(f"scores: outcome {y!r} is not 0 or 1")


def log_loss(ps: Sequence[float], ys: Sequence[int]) -> float:
    """Mean negative log-likelihood in nats."""
    _check(ps, ys)
    total = 0.0
    for p, y in zip(ps, ys, strict=True):
        q = min(max(p, LOG_LOSS_CLIP), 1.0 - LOG_LOSS_CLIP)
        total -= math.log(q) if y else math.log(1.0 - q)
    return total / len(ps)


def brier(ps: Sequence[float], ys: Sequence[int]) -> float:
    _check(ps, ys)
    return sum((p - y) ** 2 for p, y in zip(ps, ys, strict=True)) / len(ps)


def calibration_table(ps: Sequence[float], ys: Sequence[int], bins: int = 10) -> tuple[CalibrationBin, ...]:
    """Fixed-width bins on [0, 1] (deciles of probability); p = 1 falls in the top bin."""
    _check(ps, ys)
    sums = [0.0] * bins
    hits = [0] * bins
    counts = [0] * bins
    for p, y in zip(ps, ys, strict=True):
        k = min(int(p * bins), bins - 1)
        sums[k] += p
        hits[k] += y
        counts[k] += 1
    return tuple(
        CalibrationBin(
            lower=k / bins,
            upper=(k + 1) / bins,
            count=counts[k],
            mean_p=sums[k] / counts[k] if counts[k] else None,
            frequency=hits[k] / counts[k] if counts[k] else None,
        )
        for k in range(bins)
    )


def score(ps: Sequence[float], ys: Sequence[int]) -> Scores:
    _check(ps, ys)
    frequency = sum(ys) / len(ys)
    return Scores(
        n=len(ps),
        log_loss=log_loss(ps, ys),
        brier=brier(ps, ys),
        mean_p=sum(ps) / len(ps),
        frequency=frequency,
        base_rate_log_loss=log_loss([frequency] * len(ys), ys),
        calibration=calibration_table(ps, ys),
    )
