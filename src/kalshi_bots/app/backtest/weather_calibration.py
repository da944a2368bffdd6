"""Calibrate the weather model's forecast-error distribution, validated walk-forward.

The live weather model says: tomorrow's official high ~ N(forecast, ``sigma_day_ahead_f``) with no bias
(2.6 °F, a literature starting value; :mod:`kalshi_bots.domain.weather_model`). The calibrated
alternative fits ``error = actual - forecast ~ N(bias, sd)`` per cell of (lead, and optionally season
and station), each cell shrunk towards its lead's pooled value with :data:`PRIOR_STRENGTH` pseudo-rows
(a cell with n rows gets weight n / (n + 30)): a cell seen a few times stays near the pooled value.

**Walk-forward.** Months of target dates in order; for each month from the third on, fit only on rows
whose target date is at least :data:`MAX_LEAD_DAYS` days before the month starts (so no forecast in the
test month could have known a training truth) and score that month. The score of a forecast is the log
loss of the whole degree the truth rounds to, ``-ln P(n - 0.5 <= X < n + 0.5)``, which is what a bracket
market pays on; the current model is scored on the same rows, and the paired difference has a standard
error clustered by target date (stations on one day share the weather).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.pricing import normal_cdf
from kalshi_bots.domain.scoring import LOG_LOSS_CLIP, paired_difference

PRIOR_STRENGTH = 30.0
MAX_LEAD_DAYS = 3
MIN_SD_F = 0.5  # a cell can never claim to know the high to better than this
SEASONS = {12: "DJF", 1: "DJF", 2: "DJF", 3: "MAM", 4: "MAM", 5: "MAM"}
SEASONS |= {6: "JJA", 7: "JJA", 8: "JJA", 9: "SON", 10: "SON", 11: "SON"}


def season_of(day: date) -> str:
    return SEASONS[day.month]


def station_of(pair: ForecastPair) -> str:
    return pair.source.split(":", 1)[-1]


KEYS: dict[str, Callable[[ForecastPair], str | int]] = {
    "lead": lambda p: p.lead_days,
    "season": lambda p: season_of(p.target_date),
    "station": station_of,
}


@dataclass(frozen=True, slots=True)
class ErrorCell:
    bias_f: float
    sd_f: float
    n: int


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """Fitted error cells; ``keys`` always starts with ``lead``."""

    keys: tuple[str, ...]
    cells: Mapping[tuple[str | int, ...], ErrorCell]
    pooled: Mapping[int, ErrorCell]  # per lead

    def predict(self, pair: ForecastPair) -> ErrorCell | None:
        cell = self.cells.get(tuple(KEYS[k](pair) for k in self.keys))
        return cell if cell is not None else self.pooled.get(pair.lead_days)


def _moments(errors: Sequence[float]) -> tuple[float, float]:
    mean = math.fsum(errors) / len(errors)
    return mean, math.fsum((e - mean) ** 2 for e in errors) / len(errors)


def fit_errors(
    pairs: Sequence[ForecastPair], keys: Sequence[str], prior_strength: float = PRIOR_STRENGTH
) -> ErrorModel:
    """Bias and sd per cell of ``keys`` (which must start with ``lead``), shrunk to the lead's pool."""
    if not keys or keys[0] != "lead" or any(k not in KEYS for k in keys):
        raise DomainError(f"keys must start with 'lead' and be among {sorted(KEYS)}, got {list(keys)}")
    by_lead: dict[int, list[float]] = defaultdict(list)
    by_cell: dict[tuple[str | int, ...], list[float]] = defaultdict(list)
    for p in pairs:
        by_lead[p.lead_days].append(p.error_f)
        by_cell[tuple(KEYS[k](p) for k in keys)].append(p.error_f)
    pooled: dict[int, ErrorCell] = {}
    for lead, errors in by_lead.items():
        if len(errors) >= 2:
            mean, var = _moments(errors)
            pooled[lead] = ErrorCell(mean, max(math.sqrt(var), MIN_SD_F), len(errors))
    cells: dict[tuple[str | int, ...], ErrorCell] = {}
    for cell, errors in by_cell.items():
        parent = pooled.get(int(cell[0]))
        if parent is None:
            continue
        n = len(errors)
        mean, var = _moments(errors)
        bias = (n * mean + prior_strength * parent.bias_f) / (n + prior_strength)
        variance = (n * var + prior_strength * parent.sd_f**2) / (n + prior_strength)
        cells[cell] = ErrorCell(bias, max(math.sqrt(variance), MIN_SD_F), n)
    return ErrorModel(tuple(keys), cells, pooled)


def degree_log_loss(actual_f: float, mean_f: float, sd_f: float) -> float:
    """``-ln P(X in the whole degree the actual rounds to)`` for X ~ N(mean, sd), clipped like scoring."""
    n = math.floor(actual_f + 0.5)
    p = normal_cdf((n + 0.5 - mean_f) / sd_f) - normal_cdf((n - 0.5 - mean_f) / sd_f)
    return -math.log(min(max(p, LOG_LOSS_CLIP), 1.0 - LOG_LOSS_CLIP))


@dataclass(frozen=True, slots=True)
class VariantScore:
    name: str
    keys: tuple[str, ...] | None  # None = the current fixed model
    rows: int
    log_loss: float
    minus_current: float | None
    standard_error: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "variant": self.name,
            "keys": None if self.keys is None else list(self.keys),
            "rows": self.rows,
            "log_loss": self.log_loss,
            "minus_current": self.minus_current,
            "standard_error": self.standard_error,
        }


CURRENT = "current"


def walk_forward(
    pairs: Sequence[ForecastPair],
    variants: Mapping[str, Sequence[str]],
    *,
    current_sd_f: float,
    leads: Sequence[int] = (1,),
    prior_strength: float = PRIOR_STRENGTH,
) -> list[VariantScore]:
    """Score the current model (bias 0, ``current_sd_f``) and each fitted variant on the same rows."""
    months = sorted({(p.target_date.year, p.target_date.month) for p in pairs})
    losses: dict[str, list[float]] = defaultdict(list)
    days: list[date] = []
    for year, month in months[2:]:
        cutoff = date(year, month, 1) - timedelta(days=MAX_LEAD_DAYS)
        train = [p for p in pairs if p.target_date < cutoff]
        test = [
            p
            for p in pairs
            if (p.target_date.year, p.target_date.month) == (year, month) and p.lead_days in leads
        ]
        models = {name: fit_errors(train, keys, prior_strength) for name, keys in variants.items()}
        for p in test:
            predictions = {name: c for name, m in models.items() if (c := m.predict(p)) is not None}
            if len(predictions) != len(models):
                continue  # a lead never seen in training: no variant may be scored on it
            days.append(p.target_date)
            losses[CURRENT].append(degree_log_loss(p.actual_high_f, p.forecast_high_f, current_sd_f))
            for name, c in predictions.items():
                losses[name].append(degree_log_loss(p.actual_high_f, p.forecast_high_f + c.bias_f, c.sd_f))
    if not days:
        raise DomainError("walk-forward: no scoreable rows (need at least three months of target dates)")
    out = [VariantScore(CURRENT, None, len(days), math.fsum(losses[CURRENT]) / len(days), None, None)]
    for name, keys in variants.items():
        d = paired_difference(losses[name], losses[CURRENT], days)
        out.append(VariantScore(name, tuple(keys), d.n, d.mean_a, d.difference, d.standard_error))
    return out


def with_truth(pairs: Sequence[ForecastPair], truth: Mapping[date, int], source: str) -> list[ForecastPair]:
    """The pairs re-scored against an official truth (e.g. GHCN TMAX); days without one are dropped."""
    return [
        ForecastPair(
            source, p.forecast_date, p.target_date, p.lead_days, p.forecast_high_f, truth[p.target_date]
        )
        for p in pairs
        if p.target_date in truth
    ]


def table_rows(model: ErrorModel) -> list[dict[str, Any]]:
    """The fitted cells as plain rows (for metrics.json and the report)."""
    return [
        {**dict(zip(model.keys, cell, strict=True)), "bias_f": c.bias_f, "sd_f": c.sd_f, "n": c.n}
        for cell, c in sorted(model.cells.items(), key=lambda kv: tuple(str(v) for v in kv[0]))
    ]


VARIANTS: dict[str, tuple[str, ...]] = {
    "lead": ("lead",),
    "lead+season": ("lead", "season"),
    "lead+station": ("lead", "station"),
    "lead+season+station": ("lead", "season", "station"),
}


def calibrate(
    archives: Mapping[str, Sequence[ForecastPair]], current_sd_f: float, leads: Sequence[int] = (1, 3)
) -> dict[str, Any]:
    """Walk-forward scores of every variant on every archive and lead (station variants only where an
    archive has more than one station), plus the lead+season table fitted on all rows."""
    out: dict[str, Any] = {"prior_strength": PRIOR_STRENGTH, "current_sd_f": current_sd_f, "archives": {}}
    for name, pairs in archives.items():
        stations = {station_of(p) for p in pairs}
        variants = {k: v for k, v in VARIANTS.items() if len(stations) > 1 or "station" not in v}
        present = sorted({p.lead_days for p in pairs} & set(leads))
        out["archives"][name] = {
            "rows": len(pairs),
            "stations": sorted(stations),
            "walk_forward": {
                str(lead): [
                    v.as_dict()
                    for v in walk_forward(pairs, variants, current_sd_f=current_sd_f, leads=(lead,))
                ]
                for lead in present
            },
            "fitted_lead_season": table_rows(fit_errors(pairs, VARIANTS["lead+season"])),
        }
    return out
