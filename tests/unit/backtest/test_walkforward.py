from __future__ import annotations

from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import load_minute_bars
from kalshi_bots.app.backtest.crypto import ReplayConfig, collect_hours
from kalshi_bots.app.backtest.models import MODELS, get_model
from kalshi_bots.app.backtest.walkforward import (
    choose_default,
    fit,
    fold_bounds,
    paired_difference,
    usable_samples,
    walk_forward,
)
from kalshi_bots.domain.errors import DomainError

SLICE = Path(__file__).resolve().parents[2] / "data/backtest/bitstamp_btcusd_1m_2025-01-20_slice.csv"


@pytest.fixture(scope="module")
def hours() -> list:  # type: ignore[type-arg]
    return collect_hours(load_minute_bars(SLICE))


def test_fold_bounds_partition_in_order() -> None:
    assert fold_bounds(10, 3) == [(0, 3), (3, 7), (7, 10)]
    with pytest.raises(DomainError):
        fold_bounds(5, 3)
    with pytest.raises(DomainError):
        fold_bounds(100, 1)


def test_each_fold_is_fitted_only_on_earlier_hours(hours: list) -> None:  # type: ignore[type-arg]
    models = list(MODELS.values())
    evaluations = walk_forward(hours, models, folds=3)
    usable = usable_samples(hours, models)
    bounds = fold_bounds(len(usable), 3)
    cfg = ReplayConfig()
    for e in evaluations:
        model = get_model(e.model)
        assert e.oos_hours == len(usable) - bounds[0][1]
        assert len(e.oos_losses) == e.oos_hours
        for fold in e.folds:
            train = usable[: bounds[fold.fold][0]]
            assert fold.train_hours == len(train)
            expected = fit(train, model, cfg)[0] if model.fitted else {}
            assert fold.params == expected
    spec = next(e for e in evaluations if e.model == "spec")
    literal = next(e for e in evaluations if e.model == "spec-literal")
    assert literal.oos_log_loss > spec.oos_log_loss
    assert choose_default(evaluations, exclude=("spec-literal",)).model != "spec-literal"
    diff, se = paired_difference(literal, spec)
    assert diff == pytest.approx(literal.oos_log_loss - spec.oos_log_loss)
    assert se > 0


def test_fit_picks_the_lowest_log_loss_grid_point(hours: list) -> None:  # type: ignore[type-arg]
    model = get_model("student-t")
    usable = usable_samples(hours, [model])
    params, loss = fit(usable, model, ReplayConfig())
    for other in model.grid:
        assert fit(usable, type(model)(model.name, "", model.sigma_fn, (other,)), ReplayConfig())[1] >= loss
    assert params in [dict(g) for g in model.grid]
