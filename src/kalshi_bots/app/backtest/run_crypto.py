"""The whole crypto backtest as one pure call: walk-forward model choice, then a replay per model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kalshi_bots.app.backtest.bars import MinuteBars
from kalshi_bots.app.backtest.crypto import ReplayConfig, ReplayResult, collect_hours, replay
from kalshi_bots.app.backtest.models import LIVE, MODELS, VolModel, get_model, live_model
from kalshi_bots.app.backtest.quotes import QuoteStudy
from kalshi_bots.app.backtest.summary import (
    against_baseline,
    bars_dict,
    comparison_rows,
    config_dict,
    evaluation_dict,
    pnl_summary,
    quote_study_dict,
    scores_of,
)
from kalshi_bots.app.backtest.walkforward import (
    ModelEvaluation,
    choose_default,
    paired_difference,
    walk_forward,
)
from kalshi_bots.domain.hourly_model import HourlyModel

AUTO = "auto"  # --model auto: the walk-forward choice
BASELINE = "spec"
LITERAL = "spec-literal"
DEFAULT_REFERENCE = "spec-60"


@dataclass(frozen=True, slots=True)
class CryptoRun:
    selected: ReplayResult  # the model asked for (or the walk-forward choice)
    results: dict[str, ReplayResult]  # every model, params refitted on all hours
    evaluations: tuple[ModelEvaluation, ...]
    chosen: ModelEvaluation
    metrics: dict[str, Any]


def run_crypto(
    bars: MinuteBars,
    *,
    model: str = AUTO,
    config: ReplayConfig | None = None,
    reference: str = DEFAULT_REFERENCE,
    folds: int = 6,
    quotes: QuoteStudy | None = None,
    live: HourlyModel | None = None,
) -> CryptoRun:
    """Replay every model; ``live`` (the settings' model) adds the model ``live`` (``--model live``)."""
    cfg = config or ReplayConfig()
    models: dict[str, VolModel] = dict(MODELS)
    if live is not None:
        models[LIVE] = live_model(live)
    if model != AUTO:
        get_model(model, models)  # fail fast on a typo, before the slow part
    reference_model = get_model(reference)
    samples = collect_hours(bars, cfg, live=live)
    evaluations = tuple(walk_forward(samples, list(models.values()), folds, cfg))
    chosen = choose_default(evaluations, exclude=(LITERAL,))
    by_name = {e.model: e for e in evaluations}
    results = {
        name: replay(
            samples,
            m,
            params=by_name[name].full_params,
            reference=reference_model,
            config=cfg,
            asset=bars.asset,
        )
        for name, m in models.items()
    }
    selected = results[chosen.model if model == AUTO else model]
    diff, se = paired_difference(chosen, by_name[BASELINE])
    metrics: dict[str, Any] = {
        "input": bars_dict(bars),
        "replayable_hours": len(samples),
        "assumptions": config_dict(cfg, reference),
        "model": selected.model,
        "model_description": models[selected.model].description,
        "params": selected.params,
        **scores_of(selected),
        "against_spec_same_rows": against_baseline(selected, results[BASELINE]),
        "pnl_assumed_market": pnl_summary(selected, cfg.bankroll),
        "walk_forward": {
            "folds": folds,
            "scheme": "expanding window: fit on blocks before k, score block k; decision-strike log loss",
            "chosen_default": chosen.model,
            "chosen_params_all_hours": chosen.full_params,
            "chosen_minus_spec_oos_log_loss": diff,
            "chosen_minus_spec_standard_error": se,
            "models": [evaluation_dict(e) for e in evaluations],
        },
        "comparison_all_hours": comparison_rows(list(results.values()), cfg.bankroll),
    }
    if quotes is not None:
        metrics["kalshi_recorded_quotes"] = quote_study_dict(quotes)
    return CryptoRun(selected, results, evaluations, chosen, metrics)
