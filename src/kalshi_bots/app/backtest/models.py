"""Volatility models the crypto backtest can replay, selectable by name.

A model turns the trailing price ticks at a decision into one ``vol_15m_std_pct`` (the sd of a
15-minute move, percent), which then goes through the **live** pricing and decision code unchanged.
Fitted models carry a parameter grid; :mod:`kalshi_bots.app.backtest.walkforward` picks the point on
the grid with the best log loss on earlier data and scores it on later data.

The expensive part, the window statistics, is computed once per decision (:class:`Features`) with the
live :func:`kalshi_bots.domain.volatility.compute_window` and the estimators in
:mod:`kalshi_bots.domain.vol_models`; models only combine them, so a grid search is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import PriceTick
from kalshi_bots.domain.vol_models import (
    blended_std_pct,
    ewma_std_pcts,
    literal_std_pct,
    t_equivalent_std_pct,
)
from kalshi_bots.domain.volatility import compute_window

Params = Mapping[str, float]
EWMA_HALF_LIVES = (5.0, 10.0, 20.0, 40.0)
LONG_WINDOW_MINUTES = 120  # the longest window the live collector keeps (VOL_WINDOWS_MINUTES)


ALL_FEATURES = frozenset({"std15", "std60", "std120", "ewma"})


@dataclass(frozen=True, slots=True)
class Features:
    """Window statistics at one decision instant (``None`` = not enough samples or not computed)."""

    std15: float | None
    std60: float | None = None
    std120: float | None = None
    ewma: tuple[float | None, ...] = (None,) * len(EWMA_HALF_LIVES)  # one per EWMA_HALF_LIVES


def compute_features(
    ticks: Sequence[PriceTick], end: datetime, needs: frozenset[str] = ALL_FEATURES
) -> Features:
    """The statistics in ``needs`` (see :data:`ALL_FEATURES`), from ticks ending at ``end``."""
    unknown = needs - ALL_FEATURES
    if unknown:
        raise DomainError(f"unknown features {sorted(unknown)}; known: {sorted(ALL_FEATURES)}")

    def window(minutes: int, name: str) -> float | None:
        return compute_window(ticks, end, minutes).std_pct if name in needs else None

    return Features(
        std15=window(15, "std15"),
        std60=window(60, "std60"),
        std120=window(LONG_WINDOW_MINUTES, "std120"),
        ewma=(
            ewma_std_pcts(ticks, end, EWMA_HALF_LIVES, LONG_WINDOW_MINUTES)
            if "ewma" in needs
            else (None,) * len(EWMA_HALF_LIVES)
        ),
    )


@dataclass(frozen=True, slots=True)
class StrikePoint:
    """Where a strike-dependent model is evaluated: strike distance from spot (%) and time left."""

    distance_pct: float
    minutes_left: float


SigmaFn = Callable[[Features, Params, StrikePoint | None], float | None]


@dataclass(frozen=True, slots=True)
class VolModel:
    name: str
    description: str
    sigma_fn: SigmaFn
    grid: tuple[Params, ...] = ({},)  # one entry = nothing to fit
    strike_dependent: bool = False  # sigma differs per strike (a fat-tailed law carried as a sigma)
    needs: frozenset[str] = frozenset({"std15"})  # the Features it reads

    @property
    def fitted(self) -> bool:
        return len(self.grid) > 1

    def sigma(
        self, features: Features, params: Params | None = None, at: StrikePoint | None = None
    ) -> float | None:
        return self.sigma_fn(features, self.grid[0] if params is None else params, at)


def _spec_literal(f: Features, _: Params, __: StrikePoint | None) -> float | None:
    return None if f.std15 is None else literal_std_pct(f.std15)


def _spec(f: Features, _: Params, __: StrikePoint | None) -> float | None:
    return f.std15


def _spec60(f: Features, _: Params, __: StrikePoint | None) -> float | None:
    return f.std60


def _ewma(f: Features, p: Params, _: StrikePoint | None) -> float | None:
    value = f.ewma[EWMA_HALF_LIVES.index(p["half_life"])]
    return None if value is None else value * p["scale"]


def _blend(f: Features, p: Params, _: StrikePoint | None) -> float | None:
    if f.std15 is None or f.std120 is None:
        return None
    return blended_std_pct(f.std15, f.std120, p["weight"], p["scale"])


def _student_t(f: Features, p: Params, at: StrikePoint | None) -> float | None:
    if f.std15 is None or f.std15 <= 0:
        return None
    base = f.std15 * p["scale"]
    if at is None:
        return base
    return t_equivalent_std_pct(at.distance_pct, at.minutes_left, base, p["nu"])


_SCALES = tuple(round(0.70 + 0.05 * k, 2) for k in range(9))  # 0.70 .. 1.10
_WEIGHTS = tuple(round(0.1 * k, 1) for k in range(11))  # 0.0 .. 1.0
_NUS = (3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 20.0)

MODELS: dict[str, VolModel] = {
    m.name: m
    for m in (
        VolModel(
            "spec-literal",
            "the ancestor's misreading: sd of 1-minute returns over 15 min used as the 15-minute sigma",
            _spec_literal,
        ),
        VolModel("spec", "spec with correct units: 15-minute window, sd scaled by sqrt(15)", _spec),
        VolModel("spec-60", "as spec but from the 60-minute window", _spec60, needs=frozenset({"std60"})),
        VolModel(
            "ewma",
            "EWMA RMS of 1-minute returns over 120 min (fitted half-life) times a fitted scale",
            _ewma,
            tuple({"half_life": hl, "scale": s} for hl in EWMA_HALF_LIVES for s in _SCALES),
            needs=frozenset({"ewma"}),
        ),
        VolModel(
            "blend",
            "scale * std15^w * std120^(1-w): geometric blend of the 15- and 120-minute windows (fitted)",
            _blend,
            tuple({"weight": w, "scale": s} for w in _WEIGHTS for s in _SCALES),
            needs=frozenset({"std15", "std120"}),
        ),
        VolModel(
            "student-t",
            "spec's 15-minute sd with fat tails: Student-t (fitted nu, scale), carried as the normal sigma"
            " that reproduces the t probability at each strike",
            _student_t,
            tuple({"nu": nu, "scale": 1.0} for nu in _NUS),
            strike_dependent=True,
        ),
    )
}


def get_model(name: str) -> VolModel:
    try:
        return MODELS[name]
    except KeyError:
        raise DomainError(f"unknown volatility model {name!r}; choose one of {', '.join(MODELS)}") from None
