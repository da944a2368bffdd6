"""Scores of probability forecasts against outcomes, and the P&L of a trading rule: one pure module.

Used by the backtests (replayed hours, recorded quotes) and meant for the live scorecard, so every
figure a report shows is computed here, the same way.

- ``p`` is the forecast probability of the event whose outcome is ``y`` (1 = it happened).
- **Log loss** is the mean negative log-likelihood in nats, p clipped to [1e-6, 1 - 1e-6]
  (:data:`LOG_LOSS_CLIP`), so one confident miss costs at most ~13.8 nats, the same for every forecaster.
- **Brier** is the mean of (p - y)^2.
- **Paired difference** (:func:`paired_difference`): two forecasters scored on the same rows; the mean
  per-row difference and its standard error. Rows that share a cluster (the strikes of one hour, the
  quotes of one event) move together, so the standard error is cluster-robust: the per-cluster sums of
  the centred differences are treated as the independent units,
  ``se = sqrt(G / (G - 1) * sum_g (sum_{i in g} (d_i - mean))^2) / n``. With one row per cluster that
  is the usual ``sd / sqrt(n)``.
- **Calibration by decile**: fixed bins [0, 0.1), ..., [0.9, 1.0]; p = 1 falls in the top bin.
- **P&L of a rule** (:func:`pnl_summary`): each trade buys ``contracts`` at ``price`` plus ``fee`` per
  contract and is paid $1 per contract when it wins; totals, mean per contract and its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from kalshi_bots.domain.errors import DomainError

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


def log_losses(ps: Sequence[float], ys: Sequence[int]) -> list[float]:
    """Per-row negative log-likelihood (nats), clipped as documented."""
    _check(ps, ys)
    out = []
    for p, y in zip(ps, ys, strict=True):
        q = min(max(p, LOG_LOSS_CLIP), 1.0 - LOG_LOSS_CLIP)
        out.append(-math.log(q) if y else -math.log(1.0 - q))
    return out


def brier_losses(ps: Sequence[float], ys: Sequence[int]) -> list[float]:
    _check(ps, ys)
    return [(p - y) ** 2 for p, y in zip(ps, ys, strict=True)]


def log_loss(ps: Sequence[float], ys: Sequence[int]) -> float:
    """Mean negative log-likelihood in nats."""
    return math.fsum(log_losses(ps, ys)) / len(ps)


def brier(ps: Sequence[float], ys: Sequence[int]) -> float:
    return math.fsum(brier_losses(ps, ys)) / len(ps)


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
        mean_p=math.fsum(ps) / len(ps),
        frequency=frequency,
        base_rate_log_loss=log_loss([frequency] * len(ys), ys),
        calibration=calibration_table(ps, ys),
    )


@dataclass(frozen=True, slots=True)
class PairedDifference:
    """``mean(a) - mean(b)`` over the same rows, with its (cluster-robust) standard error."""

    n: int
    clusters: int
    mean_a: float
    mean_b: float
    difference: float
    standard_error: float | None  # None with fewer than 2 clusters

    @property
    def ratio(self) -> float | None:
        return None if self.mean_b == 0 else self.mean_a / self.mean_b

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def paired_difference(
    a: Sequence[float], b: Sequence[float], clusters: Sequence[Hashable] | None = None
) -> PairedDifference:
    """Per-row losses of two forecasters on the same rows; ``clusters`` groups rows that move together."""
    if len(a) != len(b):
        raise DomainError(f"paired_difference: {len(a)} rows against {len(b)}")
    if not a:
        raise DomainError("paired_difference: no rows")
    if clusters is not None and len(clusters) != len(a):
        raise DomainError(f"paired_difference: {len(clusters)} cluster keys for {len(a)} rows")
    n = len(a)
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    mean = math.fsum(diffs) / n
    keys: Sequence[Hashable] = clusters if clusters is not None else range(n)
    sums: dict[Hashable, float] = {}
    for key, d in zip(keys, diffs, strict=True):
        sums[key] = sums.get(key, 0.0) + (d - mean)
    g = len(sums)
    se = None if g < 2 else math.sqrt(g / (g - 1) * math.fsum(s * s for s in sums.values())) / n
    return PairedDifference(n, g, math.fsum(a) / n, math.fsum(b) / n, mean, se)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A model and the market scored on exactly the same rows."""

    model: Scores
    market: Scores
    log_loss_difference: PairedDifference  # model - market: negative = the model is better
    brier_difference: PairedDifference

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.as_dict(),
            "market": self.market.as_dict(),
            "log_loss_model_minus_market": self.log_loss_difference.as_dict(),
            "brier_model_minus_market": self.brier_difference.as_dict(),
        }


def compare(
    model_p: Sequence[float],
    market_p: Sequence[float],
    ys: Sequence[int],
    clusters: Sequence[Hashable] | None = None,
) -> Comparison:
    return Comparison(
        model=score(model_p, ys),
        market=score(market_p, ys),
        log_loss_difference=paired_difference(log_losses(model_p, ys), log_losses(market_p, ys), clusters),
        brier_difference=paired_difference(brier_losses(model_p, ys), brier_losses(market_p, ys), clusters),
    )


@dataclass(frozen=True, slots=True)
class TradeResult:
    """One position held to settlement: bought ``contracts`` at ``price`` + ``fee`` each (dollars)."""

    price: Decimal
    fee: Decimal
    won: bool
    contracts: int = 1

    @property
    def pnl(self) -> Decimal:
        payout = Decimal(self.contracts) if self.won else Decimal(0)
        return payout - (self.price + self.fee) * self.contracts


@dataclass(frozen=True, slots=True)
class PnlSummary:
    trades: int
    contracts: int
    wins: int
    total_pnl: Decimal
    total_fees: Decimal
    mean_pnl_per_contract: float | None
    standard_error: float | None  # of the mean per contract, trades as independent units

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["total_pnl"] = str(self.total_pnl)
        out["total_fees"] = str(self.total_fees)
        return out


def pnl_summary(trades: Sequence[TradeResult]) -> PnlSummary:
    """Totals after fees; the standard error treats each trade's P&L per contract as one draw."""
    contracts = sum(t.contracts for t in trades)
    total = sum((t.pnl for t in trades), Decimal(0))
    fees = sum((t.fee * t.contracts for t in trades), Decimal(0))
    if contracts == 0:
        return PnlSummary(len(trades), 0, 0, total, fees, None, None)
    per = [float(t.pnl) / t.contracts for t in trades if t.contracts]
    weights = [t.contracts for t in trades if t.contracts]
    mean = float(total) / contracts
    se = None
    if len(per) >= 2:
        var = math.fsum(w * (x - mean) ** 2 for w, x in zip(weights, per, strict=True)) / (contracts - 1)
        se = math.sqrt(var / len(per))
    return PnlSummary(len(trades), contracts, sum(1 for t in trades if t.won), total, fees, mean, se)
