"""Volatility models the crypto backtest can replay, selectable by name.

A model turns the trailing price ticks at a decision into one ``vol_15m_std_pct`` (the sd of a
15-minute move, percent) plus a law (normal, or Student-t with ``nu`` degrees of freedom) and a
settlement-average length, which then go through the **live** pricing and decision code unchanged
(:func:`kalshi_bots.domain.pricing.prob_no_law`, :func:`kalshi_bots.domain.decision.decide_hourly`).
Fitted models carry a parameter grid; :mod:`kalshi_bots.app.backtest.walkforward` picks the point on
the grid with the best log loss on earlier data and scores it on later data.

``live`` is built from the settings (:func:`live_model`): its input is
:func:`kalshi_bots.domain.hourly_model.hourly_model_input` on the snapshot the collector would have
stored at that minute (its trailing ticks and 15-minute window), exactly as the job.

The expensive part, the window statistics, is computed once per decision (:class:`Features`) with the
live :func:`kalshi_bots.domain.volatility.compute_window` and the estimators in
:mod:`kalshi_bots.domain.vol_models`; models only combine them, so a grid search is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_model import (
    SAMPLE_WINDOW_MINUTES,
    HourlyModel,
    ModelName,
    VolEstimator,
    hourly_model,
    hourly_model_input,
)
from kalshi_bots.domain.models import PriceTick, VolatilitySnapshot
from kalshi_bots.domain.vol_models import blended_std_pct, ewma_std_pcts, literal_std_pct
from kalshi_bots.domain.volatility import compute_window, trailing_ticks

Params = Mapping[str, float]
EWMA_HALF_LIVES = (5.0, 10.0, 20.0, 40.0)
LONG_WINDOW_MINUTES = 120  # the longest window the live collector keeps (VOL_WINDOWS_MINUTES)


ALL_FEATURES = frozenset({"std15", "std60", "std120", "ewma", "ewma_t", "live"})
EWMA_T = hourly_model(ModelName.EWMA_T)  # the estimator with its published constants


@dataclass(frozen=True, slots=True)
class Features:
    """Window statistics at one decision instant (``None`` = not enough samples or not computed)."""

    std15: float | None
    std60: float | None = None
    std120: float | None = None
    ewma: tuple[float | None, ...] = (None,) * len(EWMA_HALF_LIVES)  # one per EWMA_HALF_LIVES
    ewma_t: float | None = None  # hourly_model_input of the ewma-t preset
    live: float | None = None  # hourly_model_input of the settings' model


def stored_snapshot(
    ticks: Sequence[PriceTick],
    end: datetime,
    needs: frozenset[str] = ALL_FEATURES,
    live: HourlyModel | None = None,
) -> VolatilitySnapshot:
    """The VOL/LATEST item the collector would have stored at ``end`` from these ticks, as far as the
    decision reads it: the same trailing ticks and last price (volatility.trailing_ticks, as
    compute_snapshot keeps them) and, only when a model in ``needs`` reads it, the 15-minute window.
    The other windows are never read, so not computed. ``ticks`` must not be empty."""
    recent = trailing_ticks(ticks, end)
    sample = live is not None and live.estimator is VolEstimator.SAMPLE_15M and "live" in needs
    windows = (compute_window(recent, end, SAMPLE_WINDOW_MINUTES),) if sample else ()
    last = recent[-1].price if recent else None
    return VolatilitySnapshot(ticks[0].asset, end, windows, last, recent)


def compute_features(
    ticks: Sequence[PriceTick],
    snapshot: VolatilitySnapshot,
    needs: frozenset[str] = ALL_FEATURES,
    live: HourlyModel | None = None,
) -> Features:
    """The statistics in ``needs`` (see :data:`ALL_FEATURES`), from ticks ending at the snapshot's time.

    ``snapshot`` is :func:`stored_snapshot` of the same ticks: the live models read it through
    ``hourly_model_input``, exactly as the job reads VOL/LATEST.
    """
    unknown = needs - ALL_FEATURES
    if unknown:
        raise DomainError(f"unknown features {sorted(unknown)}; known: {sorted(ALL_FEATURES)}")
    end = snapshot.computed_at

    def window(minutes: int, name: str) -> float | None:
        return compute_window(ticks, end, minutes).std_pct if name in needs else None

    def model_vol(model: HourlyModel | None, name: str) -> float | None:
        if not ticks or model is None or name not in needs:
            return None
        return hourly_model_input(model, snapshot).vol_15m_std_pct

    return Features(
        std15=window(15, "std15"),
        std60=window(60, "std60"),
        std120=window(LONG_WINDOW_MINUTES, "std120"),
        ewma=(
            ewma_std_pcts(ticks, end, EWMA_HALF_LIVES, LONG_WINDOW_MINUTES)
            if "ewma" in needs
            else (None,) * len(EWMA_HALF_LIVES)
        ),
        ewma_t=model_vol(EWMA_T, "ewma_t"),
        live=model_vol(live, "live"),
    )


SigmaFn = Callable[[Features, Params], float | None]


@dataclass(frozen=True, slots=True)
class Law:
    """How a sigma is turned into P(NO): normal (``tail_nu`` None) or t; the settlement average
    (``None`` = the replay's ``settlement_average_s`` setting)."""

    tail_nu: float | None
    settlement_average_s: float | None


@dataclass(frozen=True, slots=True)
class VolModel:
    name: str
    description: str
    sigma_fn: SigmaFn
    grid: tuple[Params, ...] = ({},)  # one entry = nothing to fit
    needs: frozenset[str] = frozenset({"std15"})  # the Features it reads
    tail_nu: float | None = None  # a grid entry's "nu" overrides it
    settlement_average_s: float | None = None

    @property
    def fitted(self) -> bool:
        return len(self.grid) > 1

    def sigma(self, features: Features, params: Params | None = None) -> float | None:
        return self.sigma_fn(features, self.grid[0] if params is None else params)

    def law(self, params: Params | None = None) -> Law:
        chosen = self.grid[0] if params is None else params
        return Law(chosen.get("nu", self.tail_nu), self.settlement_average_s)


def _spec_literal(f: Features, _: Params) -> float | None:
    return None if f.std15 is None else literal_std_pct(f.std15)


def _spec(f: Features, _: Params) -> float | None:
    return f.std15


def _spec60(f: Features, _: Params) -> float | None:
    return f.std60


def _ewma(f: Features, p: Params) -> float | None:
    value = f.ewma[EWMA_HALF_LIVES.index(p["half_life"])]
    return None if value is None else value * p["scale"]


def _blend(f: Features, p: Params) -> float | None:
    if f.std15 is None or f.std120 is None:
        return None
    return blended_std_pct(f.std15, f.std120, p["weight"], p["scale"])


def _student_t(f: Features, p: Params) -> float | None:
    return None if f.std15 is None or f.std15 <= 0 else f.std15 * p["scale"]


def _ewma_t(f: Features, _: Params) -> float | None:
    return f.ewma_t


def _live(f: Features, _: Params) -> float | None:
    return f.live


LIVE = "live"


def live_model(model: HourlyModel) -> VolModel:
    """The model the live bot runs under the current settings (``--model live``)."""
    return VolModel(
        LIVE,
        f"what the live bot runs under the current settings: {model.name} "
        f"(nu {model.tail_nu or 'normal'}, settlement average {model.settlement_average_s:g} s"
        + (
            f", half-life {model.half_life_minutes:g} min over {model.window_minutes} min, "
            f"at least {model.min_returns} returns)"
            if model.estimator.value == "ewma"
            else ")"
        ),
        _live,
        needs=frozenset({"live"}),
        tail_nu=model.tail_nu,
        settlement_average_s=model.settlement_average_s,
    )


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
            "spec's 15-minute sd with unit-variance Student-t tails on the log distance (fitted nu)",
            _student_t,
            tuple({"nu": nu, "scale": 1.0} for nu in _NUS),
        ),
        VolModel(
            ModelName.SAMPLE_T.value,
            "the live model before ewma-t: 15-minute sample sd, Student-t nu 5, no settlement average",
            _spec,
            tail_nu=5.0,
            settlement_average_s=0.0,
        ),
        VolModel(
            ModelName.EWMA_T.value,
            "s^2 = 15 x EWMA of squared 1-minute returns (half-life 20 min, 120 min), Student-t nu 5, "
            "60 s settlement average: the issue's estimator, no fitted constant",
            _ewma_t,
            needs=frozenset({"ewma_t"}),
            tail_nu=5.0,
            settlement_average_s=60.0,
        ),
    )
}


def get_model(name: str, models: Mapping[str, VolModel] | None = None) -> VolModel:
    known = MODELS if models is None else models
    try:
        return known[name]
    except KeyError:
        raise DomainError(f"unknown volatility model {name!r}; choose one of {', '.join(known)}") from None
