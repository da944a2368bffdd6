"""``kalshi-bots backtest weather``: score KXHIGHNY bracket probabilities against the NWS CLI highs,
under each sigma source (live, weather.com, NWS points, fixed, calibrated) and the persistence baseline,
with the live weather decision rule."""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.backtest_data import (
    BacktestDataError,
    load_cli_highs,
    load_ghcnd_tmax,
    load_kxhighny_book,
    load_kxhighny_trades,
    load_nws_point_forecasts,
    load_weathercom_pairs,
)
from kalshi_bots.adapters.report import write_report
from kalshi_bots.adapters.report.files import write_json, write_rows_csv
from kalshi_bots.adapters.report.weather_report import build_weather_content
from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.app.backtest.run_weather import Scenario, run_scenario, scenario_dict
from kalshi_bots.app.backtest.weather import BANKROLL, WeatherEvent, error_sd
from kalshi_bots.app.backtest.weather_calibration import (
    VARIANTS,
    calibrate,
    fit_errors,
    season_of,
    with_truth,
)
from kalshi_bots.app.backtest.weather_events import events_from_book, events_from_trades
from kalshi_bots.app.deps import WeatherParams
from kalshi_bots.entrypoints.backtest_common import BacktestKind, add_output_options, print_written


def add_weather_parser(kinds: Any) -> None:
    weather = kinds.add_parser(
        BacktestKind.WEATHER.value, help="score KXHIGHNY bracket probabilities against NWS CLI highs"
    )
    weather.add_argument("--cli", type=Path, required=True, help="knyc_cli_daily_extract.csv (outcomes)")
    weather.add_argument("--book-dir", type=Path, help="folder of market_data_KXHIGHNY-*.csv book logs")
    weather.add_argument("--trades", type=Path, help="KXHIGHNY_trades_last100_per_market.csv")
    weather.add_argument("--weathercom", type=Path, help="nyc_forecast.csv (sigma source 'weathercom')")
    weather.add_argument("--nws-points", type=Path, help="nws_forecast_highs_10_airports.csv (sigma 'nws')")
    weather.add_argument(
        "--ghcnd",
        type=Path,
        help="GHCN-Daily TMAX (nws_settlement_ground_truth_OFFICIAL.csv): the official Central Park high, "
        "to calibrate the weather.com errors against (sigma 'calibrated')",
    )
    weather.add_argument("--sigma", type=float, help="a fixed sigma in °F (sigma source 'fixed')")
    weather.add_argument("--min-edge", type=float, default=WeatherParams().min_edge)
    weather.add_argument(
        "--bankroll", type=Decimal, default=BANKROLL, help="what each event's Kelly size is computed against"
    )
    weather.add_argument("--decision-day-offset", type=int, default=-1, help="decide on event day + N")
    weather.add_argument("--decision-hour-et", type=int, default=16, help="decide at this New York hour")
    add_output_options(weather, BacktestKind.WEATHER)


OFFICIAL_NYC = "weathercom vs GHCN (KNYC, official high)"
NWS_REANALYSIS = "NWS points vs Open-Meteo reanalysis (10 airports)"


def _archives(args: argparse.Namespace) -> dict[str, list[ForecastPair]]:
    """Forecast-error archives for the calibration, every lead."""
    archives: dict[str, list[ForecastPair]] = {}
    if args.weathercom and args.ghcnd:
        truth = load_ghcnd_tmax(args.ghcnd, "NYC")
        archives[OFFICIAL_NYC] = with_truth(load_weathercom_pairs(args.weathercom, None), truth, "wc:KNYC")
    if args.nws_points:
        archives[NWS_REANALYSIS] = load_nws_point_forecasts(args.nws_points, None)
    return archives


def _calibrated_sigma(
    archives: dict[str, list[ForecastPair]], events: list[WeatherEvent]
) -> tuple[float, float, int] | None:
    """The NYC lead-1 cell of the lead+season fit on the official archive, for the events' season."""
    pairs = archives.get(OFFICIAL_NYC)
    if not pairs or not events:
        return None
    season = Counter(season_of(e.day) for e in events).most_common(1)[0][0]
    cell = fit_errors(pairs, VARIANTS["lead+season"]).cells.get((1, season))
    return None if cell is None else (cell.sd_f, cell.bias_f, cell.n)


def _sigmas(args: argparse.Namespace) -> dict[str, tuple[float, float, int]]:
    # The live weather model's own day-ahead sigma, so every run compares against what the bot uses.
    sigmas: dict[str, tuple[float, float, int]] = {"live": (WeatherParams().sigma_day_ahead_f, 0.0, 0)}
    if args.weathercom:
        sigmas["weathercom"] = error_sd(load_weathercom_pairs(args.weathercom))
    if args.nws_points:
        sigmas["nws"] = error_sd(load_nws_point_forecasts(args.nws_points))
    if args.sigma is not None:
        sigmas["fixed"] = (args.sigma, 0.0, 0)
    return sigmas


def run_weather_cli(args: argparse.Namespace) -> int:
    cli = load_cli_highs(args.cli)
    datasets: dict[str, list[WeatherEvent]] = {}
    offset, hour = args.decision_day_offset, args.decision_hour_et
    if args.book_dir:
        files = sorted(Path(args.book_dir).glob("market_data_KXHIGHNY-*.csv"))
        if not files:
            raise BacktestDataError(f"{args.book_dir}: no market_data_KXHIGHNY-*.csv files")
        datasets["book"] = [
            e for f in files for e in events_from_book(load_kxhighny_book(f), cli, offset, hour)
        ]
    if args.trades:
        datasets["trades"] = events_from_trades(load_kxhighny_trades(args.trades), cli, offset, hour)
    if not datasets:
        raise BacktestDataError("weather backtest needs --book-dir and/or --trades")
    sigmas = _sigmas(args)
    archives = _archives(args)
    calibrated = _calibrated_sigma(archives, datasets.get("book", []))
    if calibrated is not None:
        sigmas["calibrated"] = calibrated
    sigma_values = {name: sd for name, (sd, _, _) in sigmas.items()}
    # The market-implied mean needs recorded quotes: only the book has them (see events_from_trades).
    scenarios = [Scenario("book", "market", s) for s in sigma_values if "book" in datasets]
    scenarios += [Scenario(d, "persistence", "persistence") for d in datasets]
    rules = replace(WeatherParams(), min_edge=args.min_edge)
    results = [
        run_scenario(sc, datasets[sc.dataset], cli, sigma_values, params=rules, bankroll=args.bankroll)
        for sc in scenarios
    ]
    out: Path = args.out
    calibration = calibrate(archives, WeatherParams().sigma_day_ahead_f) if archives else None
    write_json(
        {
            "decision": f"event day {offset:+d} at {hour}:00 America/New_York",
            "rule": "the live weather decision (domain.weather_decision.decide_weather), min edge "
            f"{rules.min_edge}, Kelly x{rules.kelly_multiplier} capped at {rules.max_fraction} and "
            f"{rules.max_contracts} contracts, ${args.bankroll} bankroll per event",
            "sigma_sources": {k: {"sd_f": sd, "bias_f": b, "pairs": n} for k, (sd, b, n) in sigmas.items()},
            "scenarios": [scenario_dict(r) for r in results],
            "calibration": calibration,
        },
        out / "metrics.json",
    )
    write_rows_csv(
        (
            "scenario",
            "event",
            "ticker",
            "decision_time",
            "mean_f",
            "sigma_f",
            "p_yes",
            "market_p",
            "outcome_yes",
            "side",
            "price",
            "pnl",
            "contracts",
            "pnl_sized",
        ),
        [
            (
                r.label,
                x.event_ticker,
                x.ticker,
                x.decision_time.isoformat(),
                f"{x.mean_f:.2f}",
                f"{x.sigma_f:.2f}",
                f"{x.p_yes:.4f}",
                "" if x.market_p is None else f"{x.market_p:.4f}",
                x.outcome_yes,
                x.side,
                "" if x.price is None else x.price,
                x.pnl,
                x.contracts,
                x.pnl_sized,
            )
            for r in results
            for x in r.rows
        ],
        out / "brackets.csv",
    )
    if not args.no_report:
        write_report(build_weather_content(results, sigmas, calibration), out)
    for r in results:
        s, m = r.scores, r.market_scores
        print(
            f"{r.label}: {r.events} events, model log loss {s.log_loss if s else float('nan'):.4f}, "
            f"market {m.log_loss if m else float('nan'):.4f}, {len(r.trades)} trades, P&L ${r.pnl} "
            f"(1 contract each), ${r.pnl_sized} as sized"
        )
    print_written(out, "brackets.csv, metrics.json", no_report=args.no_report)
    return 0
