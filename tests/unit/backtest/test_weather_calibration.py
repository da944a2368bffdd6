"""Forecast-error calibration: shrunk cells, whole-degree scoring, and a walk-forward that never peeks."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.app.backtest.weather_calibration import (
    CURRENT,
    PRIOR_STRENGTH,
    calibrate,
    degree_log_loss,
    fit_errors,
    season_of,
    walk_forward,
    with_truth,
)
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.pricing import normal_cdf


def pair(
    day: date, error: float, lead: int = 1, station: str = "KNYC", forecast: float = 50.0
) -> ForecastPair:
    return ForecastPair(f"src:{station}", day - timedelta(days=lead), day, lead, forecast, forecast + error)


def month(year: int, m: int, errors: list[float], **kw: object) -> list[ForecastPair]:
    return [pair(date(year, m, 1 + i), e, **kw) for i, e in enumerate(errors)]  # type: ignore[arg-type]


def test_degree_log_loss_is_the_probability_of_the_whole_degree() -> None:
    p = normal_cdf(0.5 / 2.0) - normal_cdf(-0.5 / 2.0)
    assert degree_log_loss(50.0, 50.0, 2.0) == pytest.approx(-math.log(p))
    assert degree_log_loss(50.4, 50.0, 2.0) == degree_log_loss(50.0, 50.0, 2.0)  # 50.4 rounds to 50
    assert degree_log_loss(80.0, 50.0, 1.0) == pytest.approx(-math.log(1e-6))  # clipped like scoring


def test_cells_are_shrunk_towards_the_leads_pool() -> None:
    winter = month(2022, 1, [2.0, 4.0])  # mean 3, variance 1
    summer = month(2022, 7, [-1.0, 1.0] * 10)  # mean 0, variance 1
    model = fit_errors(winter + summer, ("lead", "season"))
    pool = model.pooled[1]
    errors = [2.0, 4.0] + [-1.0, 1.0] * 10
    mean = sum(errors) / len(errors)
    assert pool.bias_f == pytest.approx(mean) and pool.n == 22
    assert pool.sd_f == pytest.approx(math.sqrt(sum((e - mean) ** 2 for e in errors) / 22))
    cell = model.cells[(1, "DJF")]
    k = PRIOR_STRENGTH
    assert cell.bias_f == pytest.approx((2 * 3.0 + k * pool.bias_f) / (2 + k))
    assert cell.sd_f == pytest.approx(math.sqrt((2 * 1.0 + k * pool.sd_f**2) / (2 + k)))
    assert model.predict(pair(date(2022, 1, 9), 0.0)) == cell
    assert model.predict(pair(date(2022, 4, 9), 0.0)) == pool  # unseen season: the pool
    assert model.predict(pair(date(2022, 4, 9), 0.0, lead=5)) is None
    with pytest.raises(DomainError, match="must start with 'lead'"):
        fit_errors(winter, ("season",))


def test_walk_forward_fits_only_on_earlier_months() -> None:
    """January and February errors are +-1; March's are all +5. If March leaked into its own fit the
    bias would move towards 5; scored honestly, the fit is January-February's."""
    jan = month(2022, 1, [-1.0, 1.0] * 10)
    feb = month(2022, 2, [-1.0, 1.0] * 10)
    mar = month(2022, 3, [5.0] * 10)
    scores = {s.name: s for s in walk_forward(jan + feb + mar, {"lead": ("lead",)}, current_sd_f=2.6)}
    honest = fit_errors(jan + feb, ("lead",)).pooled[1]
    expected = degree_log_loss(55.0, 50.0 + honest.bias_f, honest.sd_f)
    assert scores["lead"].rows == 10 and scores["lead"].log_loss == pytest.approx(expected)
    assert scores[CURRENT].log_loss == pytest.approx(degree_log_loss(55.0, 50.0, 2.6))
    assert scores["lead"].minus_current == pytest.approx(expected - degree_log_loss(55.0, 50.0, 2.6))


def test_walk_forward_leaves_a_gap_of_the_longest_lead_before_each_month() -> None:
    """A truth on Feb 27 (3 days before March) is not yet known to a 3-day forecast made on Feb 26."""
    jan = [*month(2022, 1, [-1.0, 1.0] * 10), pair(date(2022, 2, 1), 0.5)]
    late_feb = [pair(date(2022, 2, 27), 30.0)]
    mar = month(2022, 3, [0.0] * 5)
    with_late = walk_forward(jan + late_feb + mar, {"lead": ("lead",)}, current_sd_f=2.6)
    without = walk_forward(jan + mar, {"lead": ("lead",)}, current_sd_f=2.6)
    assert with_late[1].log_loss == pytest.approx(without[1].log_loss)


def test_calibrate_reports_every_lead_and_skips_station_cells_for_one_station() -> None:
    pairs = month(2022, 1, [-1.0, 1.0] * 5) + month(2022, 2, [0.5] * 6) + month(2022, 3, [1.0, -2.0] * 4)
    pairs += [pair(p.target_date, p.error_f, lead=3) for p in pairs]
    out = calibrate({"nyc": pairs}, 2.6)
    walk = out["archives"]["nyc"]["walk_forward"]
    assert set(walk) == {"1", "3"}
    assert {v["variant"] for v in walk["1"]} == {"current", "lead", "lead+season"}
    assert out["archives"]["nyc"]["fitted_lead_season"][0]["n"] > 0


def test_with_truth_replaces_the_actual_and_drops_days_without_one() -> None:
    pairs = [pair(date(2022, 1, 1), 3.0), pair(date(2022, 1, 2), 3.0)]
    rescored = with_truth(pairs, {date(2022, 1, 1): 49}, "wc:KNYC")
    assert len(rescored) == 1 and rescored[0].actual_high_f == 49 and rescored[0].error_f == -1.0
    assert season_of(date(2022, 12, 1)) == "DJF" and season_of(date(2022, 9, 30)) == "SON"
