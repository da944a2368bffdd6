"""Walk-forward model choice: fit on earlier hours, score on later hours, never the other way round.

The replayable hours are cut into ``folds`` consecutive blocks. For block k = 1 .. folds-1 each fitted
model picks the grid point with the lowest decision-strike log loss on blocks 0 .. k-1 (an expanding
window) and is scored on block k. The out-of-sample (OOS) figure of a model is its log loss over all
scored blocks together. Fixed models (no grid) are scored on the same blocks, so every model is judged
on exactly the same hours. The live default is the model with the lowest OOS log loss; its parameters
for live use are then refitted on all hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from kalshi_bots.app.backtest.crypto import HourSample, ReplayConfig, decision_strike_p
from kalshi_bots.app.backtest.metrics import brier, log_loss
from kalshi_bots.app.backtest.models import Params, VolModel
from kalshi_bots.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class FoldScore:
    fold: int
    train_hours: int
    test_hours: int
    params: dict[str, float]
    test_log_loss: float


@dataclass(frozen=True, slots=True)
class ModelEvaluation:
    model: str
    oos_log_loss: float
    oos_brier: float
    oos_hours: int
    folds: tuple[FoldScore, ...]
    full_params: dict[str, float]  # refitted on every hour: what the live bot would use
    full_log_loss: float  # in-sample for fitted models
    oos_losses: tuple[float, ...] = ()  # per scored hour, in time order (for paired comparisons)


def usable_samples(samples: Sequence[HourSample], models: Sequence[VolModel]) -> list[HourSample]:
    """Hours where every model has a positive sigma and a decision strike exists."""
    out: list[HourSample] = []
    for s in samples:
        if s.decision_strike is None:
            continue
        sigmas = [m.sigma(s.features) for m in models]
        if all(v is not None and v > 0 for v in sigmas):
            out.append(s)
    return out


def _predictions(
    samples: Sequence[HourSample], model: VolModel, params: Params, cfg: ReplayConfig
) -> tuple[list[float], list[int]]:
    ps: list[float] = []
    ys: list[int] = []
    for s in samples:
        scored = decision_strike_p(s, model, params, cfg)
        if scored is None:
            raise DomainError(f"{model.name}: no forecast at {s.decision_time.isoformat()} (filter first)")
        ps.append(scored[0])
        ys.append(scored[1])
    return ps, ys


def fit(samples: Sequence[HourSample], model: VolModel, cfg: ReplayConfig) -> tuple[dict[str, float], float]:
    """The grid point with the lowest decision-strike log loss on ``samples`` (first wins ties)."""
    best: tuple[float, dict[str, float]] | None = None
    for params in model.grid:
        loss = log_loss(*_predictions(samples, model, params, cfg))
        if best is None or loss < best[0]:
            best = (loss, dict(params))
    if best is None:
        raise DomainError(f"{model.name}: empty parameter grid")
    return best[1], best[0]


def fold_bounds(n: int, folds: int) -> list[tuple[int, int]]:
    if folds < 2:
        raise DomainError(f"walk-forward needs at least 2 folds, got {folds}")
    if n < folds * 2:
        raise DomainError(f"walk-forward needs at least {folds * 2} hours for {folds} folds, got {n}")
    edges = [round(k * n / folds) for k in range(folds + 1)]
    return list(pairwise(edges))


def walk_forward(
    samples: Sequence[HourSample],
    models: Sequence[VolModel],
    folds: int = 4,
    config: ReplayConfig | None = None,
) -> list[ModelEvaluation]:
    cfg = config or ReplayConfig()
    hours = usable_samples(samples, models)
    bounds = fold_bounds(len(hours), folds)
    evaluations: list[ModelEvaluation] = []
    for model in models:
        scores: list[FoldScore] = []
        oos_p: list[float] = []
        oos_y: list[int] = []
        for k in range(1, folds):
            train = hours[: bounds[k][0]]
            test = hours[bounds[k][0] : bounds[k][1]]
            params = fit(train, model, cfg)[0] if model.fitted else dict(model.grid[0])
            ps, ys = _predictions(test, model, params, cfg)
            oos_p += ps
            oos_y += ys
            scores.append(FoldScore(k, len(train), len(test), params, log_loss(ps, ys)))
        full_params, full_loss = fit(hours, model, cfg)
        evaluations.append(
            ModelEvaluation(
                model=model.name,
                oos_log_loss=log_loss(oos_p, oos_y),
                oos_brier=brier(oos_p, oos_y),
                oos_hours=len(oos_p),
                folds=tuple(scores),
                full_params=full_params,
                full_log_loss=full_loss,
                oos_losses=tuple(log_loss([p], [y]) for p, y in zip(oos_p, oos_y, strict=True)),
            )
        )
    return evaluations


def paired_difference(a: ModelEvaluation, b: ModelEvaluation) -> tuple[float, float]:
    """Mean per-hour OOS log-loss difference ``a - b`` and its standard error (same hours, paired)."""
    if len(a.oos_losses) != len(b.oos_losses) or len(a.oos_losses) < 2:
        raise DomainError("paired_difference needs two evaluations over the same (>= 2) hours")
    diffs = [x - y for x, y in zip(a.oos_losses, b.oos_losses, strict=True)]
    n = len(diffs)
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    return mean, math.sqrt(var / n)


def choose_default(evaluations: Sequence[ModelEvaluation], exclude: Sequence[str] = ()) -> ModelEvaluation:
    """The evaluation with the lowest OOS log loss, ignoring ``exclude`` (e.g. the literal reading)."""
    candidates = [e for e in evaluations if e.model not in exclude]
    if not candidates:
        raise DomainError("no model to choose from")
    return min(candidates, key=lambda e: e.oos_log_loss)
