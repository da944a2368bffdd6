"""The weather backtest report: bracket probabilities vs NWS CLI outcomes and recorded Kalshi prices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Any

from kalshi_bots.adapters.report.content import CalibrationSeries, EquitySeries, ReportContent, Table
from kalshi_bots.app.backtest.run_weather import ScenarioResult


def _f(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _calibration_table(calibration: Mapping[str, Any]) -> Table:
    rows = []
    for archive, data in calibration["archives"].items():
        for lead, scores in data["walk_forward"].items():
            for v in scores:
                diff = v["minus_current"]
                se = v["standard_error"]
                rows.append(
                    (
                        archive,
                        lead,
                        v["variant"],
                        str(v["rows"]),
                        _f(v["log_loss"]),
                        "" if diff is None else f"{diff:+.4f}" + ("" if se is None else f" ± {se:.4f}"),
                    )
                )
    return Table(
        "Forecast-error calibration, walk-forward by month (log loss of the whole degree that happened)",
        ("archive", "lead (days)", "model", "forecasts", "log loss", "minus current ± s.e."),
        tuple(rows),
        f"current = the live model, N(forecast, {calibration['current_sd_f']} °F) with no bias. Fitted "
        f"models: bias and sd per cell, shrunk to the lead's pool with {calibration['prior_strength']:g} "
        "pseudo-forecasts, fitted only on target dates at least 3 days before the scored month. Standard "
        "errors clustered by target date. The NWS archive's truth is a gridded reanalysis, not the "
        "settlement station.",
    )


def build_weather_content(
    results: Sequence[ScenarioResult],
    sigmas: Mapping[str, tuple[float, float, int]],
    error_calibration: Mapping[str, Any] | None = None,
) -> ReportContent:
    rows = []
    for r in results:
        s, m = r.scores, r.market_scores
        rows.append(
            (
                r.label,
                str(r.events),
                str(len(r.rows)),
                _f(s.log_loss if s else None),
                _f(s.brier if s else None),
                _f(m.log_loss if m else None),
                _f(m.brier if m else None),
                str(len(r.trades)),
                str(r.pnl) if any(t.price is not None for t in r.trades) else "n/a",
                str(r.pnl_sized) if any(t.price is not None for t in r.trades) else "n/a",
            )
        )
    sigma_rows = tuple(
        (name, f"{sd:.2f}", f"{bias:+.2f}", str(n)) for name, (sd, bias, n) in sorted(sigmas.items())
    )
    calibration = []
    for r in results:
        if r.scores is not None:
            calibration.append(
                CalibrationSeries(r.label, r.scores.calibration, tuple(x.p_yes for x in r.rows))
            )
    for r in results[:1]:
        if r.market_scores is not None:
            calibration.append(
                CalibrationSeries(f"{r.scenario.dataset}: market price", r.market_scores.calibration)
            )
    equity = []
    for r in results:
        traded = [x for x in r.rows if x.side]
        if traded and any(x.price is not None for x in traded):
            equity.append(
                EquitySeries(
                    r.label,
                    tuple(x.decision_time for x in traded),
                    tuple(float(v) for v in accumulate(x.pnl for x in traded)),
                )
            )
    return ReportContent(
        title="Weather backtest: KXHIGHNY bracket probabilities vs the NWS CLI high",
        summary=(
            "Every bracket of every event is priced with the live weather pricing (normal forecast, "
            "whole-degree bracket bounds) and scored against the official Central Park CLI high; each "
            "event is traded by the live weather decision.",
            "No NYC forecasts for these dates are in the shared data, so each scenario states its mean: "
            "'market' = the mean of the market's own bracket distribution at the decision (tests sigma and "
            "shape), 'persistence' = the last known CLI high (a real but weak forecast).",
        ),
        tables=(
            Table(
                "Scenarios",
                (
                    "scenario",
                    "events",
                    "brackets",
                    "model log loss",
                    "model Brier",
                    "market log loss",
                    "market Brier",
                    "trades",
                    "P&L $ (1 contract)",
                    "P&L $ (as sized)",
                ),
                tuple(rows),
                "Trades: the live weather rule (domain.weather_decision), at most one per event: the side "
                "and bracket with the largest edge p - (ask + taker fee), if it is >= min edge, bought at "
                "the recorded ask and Kelly-sized as the bot would; P&L for one contract and as sized. "
                "Trades data has no asks, so no P&L there.",
            ),
            Table(
                "Forecast error sigma sources (actual - forecast, lead 1 day)",
                ("source", "sd °F", "bias °F", "pairs"),
                sigma_rows,
                "live = the weather bot's day-ahead sigma today; calibrated = the lead-1 cell of the "
                "lead+season fit on weather.com vs the official Central Park high, for the events' season.",
            ),
            *(() if error_calibration is None else (_calibration_table(error_calibration),)),
        ),
        calibration=tuple(calibration),
        equity=tuple(equity),
        equity_ylabel="cumulative P&L ($, 1 contract per trade)",
    )
