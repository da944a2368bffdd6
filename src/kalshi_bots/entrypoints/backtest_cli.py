"""``kalshi-bots backtest crypto|weather|quotes``: replay recorded data through the live decision code.

``crypto --quotes`` (the late-band favourite study, market side only) keeps working; ``quotes`` scores the
live model against the market on every recorded quote with a fresh spot.

Also runnable on its own: ``python -m kalshi_bots.entrypoints.backtest_cli crypto --prices FILE.csv``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.backtest_data import (
    BacktestDataError,
    load_botlog,
    load_cli_highs,
    load_ghcnd_tmax,
    load_kxhighny_book,
    load_kxhighny_trades,
    load_late_band_quotes,
    load_minute_bars,
    load_nws_point_forecasts,
    load_official_results,
    load_price_points,
    load_weathercom_pairs,
)
from kalshi_bots.adapters.report import write_report
from kalshi_bots.adapters.report.crypto_report import build_crypto_content
from kalshi_bots.adapters.report.files import write_decisions_csv, write_json, write_rows_csv
from kalshi_bots.adapters.report.quotes_report import build_quotes_content
from kalshi_bots.adapters.report.weather_report import build_weather_content
from kalshi_bots.adapters.snapshot_csv import SnapshotFileError, read_snapshot_csv
from kalshi_bots.app.backtest.crypto import ReplayConfig
from kalshi_bots.app.backtest.models import LIVE, MODELS, live_model
from kalshi_bots.app.backtest.quote_rows import ROW_COLUMNS, SpotSeries, row_cells
from kalshi_bots.app.backtest.quote_rule import RuleConfig
from kalshi_bots.app.backtest.quote_scoring import QuoteSource
from kalshi_bots.app.backtest.quote_sources import botlog_rows, late_band_rows, minute_prices, recorder_rows
from kalshi_bots.app.backtest.quotes import study
from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.app.backtest.run_crypto import AUTO, DEFAULT_REFERENCE, run_crypto
from kalshi_bots.app.backtest.run_quotes import run_quotes
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
from kalshi_bots.app.deps import HourlyParams, WeatherParams
from kalshi_bots.bootstrap import job_params
from kalshi_bots.config import ConfigError, Settings
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import Asset


class BacktestKind(StrEnum):
    """The ``backtest`` subcommands: one per bot family, and the quotes study."""

    CRYPTO = "crypto"
    WEATHER = "weather"
    QUOTES = "quotes"


def add_backtest_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``backtest`` (with ``crypto`` and ``weather``) to a ``kalshi-bots`` subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backtest", help="score the models on recorded data and write a report"
    )
    kinds = parser.add_subparsers(dest="backtest_kind", required=True)
    crypto = kinds.add_parser(
        BacktestKind.CRYPTO.value, help="replay 1-minute prices through the hourly decision code"
    )
    crypto.add_argument(
        "--prices", type=Path, required=True, help="1-minute OHLC CSV (Bitstamp, Coinbase, ISO)"
    )
    crypto.add_argument("--asset", choices=[a.value for a in Asset], default="BTC")
    crypto.add_argument(
        "--strikes",
        choices=("decision", "ladder"),
        default="ladder",
        help="rows in decisions.csv: the decision strike only, or every ladder strike (default)",
    )
    crypto.add_argument(
        "--model",
        choices=(AUTO, LIVE, *MODELS),
        default=AUTO,
        help="volatility model to replay; 'live' = what the bot runs under the current KALSHI_BOTS_* "
        "settings (model, its parameters and the trading rule); 'auto' = the walk-forward choice (default)",
    )
    crypto.add_argument(
        "--reference", choices=tuple(MODELS), default=DEFAULT_REFERENCE, help="assumed market's model"
    )
    crypto.add_argument("--quotes", type=Path, help="recorded Kalshi late-band quotes (hourly_KXBTCD.csv)")
    crypto.add_argument("--folds", type=int, default=6, help="walk-forward blocks (default 6)")
    crypto.add_argument("--ladder-width-pct", type=float, default=1.0)
    crypto.add_argument("--bankroll", type=Decimal, default=Decimal(100))
    crypto.add_argument("--half-spread-cents", type=Decimal, default=Decimal(1))
    crypto.add_argument(
        "--settlement-average-s",
        type=float,
        default=0.0,
        help="model the 60 s settlement average in pricing (0 = spec formula)",
    )
    crypto.add_argument("--out", type=Path, default=Path("backtest-out/crypto"))
    crypto.add_argument("--no-report", action="store_true", help="skip the HTML/PNG report")
    add_weather_parser(kinds)
    add_quotes_parser(kinds)
    return parser


def add_quotes_parser(kinds: Any) -> None:
    quotes = kinds.add_parser(
        BacktestKind.QUOTES.value,
        help="score the live model against the market on recorded Kalshi quotes (needs spot <= 60 s old)",
    )
    quotes.add_argument("--late-band", type=Path, help="hourly_KXBTCD.csv (late-band asks and outcomes)")
    quotes.add_argument(
        "--spot", type=Path, help="1-minute spot closes for the late band (Coinbase: time = candle start)"
    )
    quotes.add_argument(
        "--spot-stamp",
        choices=("start", "end"),
        default="start",
        help="whether --spot times are candle starts (Coinbase, default) or the observation time",
    )
    quotes.add_argument("--brti", type=Path, help="brti_quarter_hour_2026.csv: settlement index points")
    quotes.add_argument("--botlog", type=Path, help="kxbtcd_v2_paper_run_*.jsonl (Feb 2026 ladder logs)")
    quotes.add_argument("--botlog-results", type=Path, help="fills_with_settlement_*.csv (official results)")
    quotes.add_argument(
        "--recorder", type=Path, action="append", default=[], help="a recorder snapshot export (repeatable)"
    )
    quotes.add_argument("--asset", choices=[a.value for a in Asset], default="BTC")
    quotes.add_argument("--out", type=Path, default=Path("backtest-out/quotes"))
    quotes.add_argument("--no-report", action="store_true")


def _quote_sources(args: argparse.Namespace) -> list[QuoteSource]:
    asset = Asset(args.asset)
    sources: list[QuoteSource] = []
    if args.late_band:
        minutes = (
            load_price_points(args.spot, asset, stamp_offset_s=60 if args.spot_stamp == "start" else 0)
            if args.spot
            else []
        )
        brti = load_price_points(args.brti, asset, price_column="brti_60s_avg") if args.brti else []
        rows = [
            r
            for r in late_band_rows(load_late_band_quotes(args.late_band))
            if r.ticker.startswith(f"KX{asset}")
        ]
        sources.append(QuoteSource("late-band", rows, minutes, brti, asset))
    if args.botlog:
        candidates, prints = load_botlog(args.botlog, asset)
        official = load_official_results(args.botlog_results) if args.botlog_results else {}
        rows = botlog_rows(candidates, SpotSeries(prints), official)
        sources.append(QuoteSource("botlog-2026-02", rows, minute_prices(prints), (), asset))
    for path in args.recorder:
        sources.append(
            QuoteSource(f"recorder:{path.name}", recorder_rows(read_snapshot_csv(path)), (), (), asset)
        )
    if not sources:
        raise BacktestDataError("backtest quotes needs --late-band, --botlog and/or --recorder")
    return sources


def run_quotes_cli(args: argparse.Namespace) -> int:
    hourly = live_settings()
    sources = _quote_sources(args)
    rule = RuleConfig(min_edge=hourly.min_edge, strike_distance_bps=hourly.strike_distance_bps)
    run = run_quotes(sources, hourly.model, rule=rule, model_description=live_model(hourly.model).description)
    out: Path = args.out
    write_rows_csv(ROW_COLUMNS, [row_cells(r) for r in run.result.rows], out / "quotes.csv")
    write_json(run.metrics, out / "metrics.json")
    if not args.no_report:
        write_report(build_quotes_content(run), out)
    r = run.result
    print(f"{len(r.rows)} of {sum(r.seen.values())} quotes scored ({r.model}); dropped: {r.drops}")
    for name, c in (
        ("all, vs ask", r.versus_ask),
        ("with a bid, vs mid", r.versus_mid),
        *r.by_source.items(),
    ):
        if c is None:
            continue
        d = c.log_loss_difference
        se = "n/a" if d.standard_error is None else f"{d.standard_error:.4f}"
        print(
            f"  {name}: {c.model.n} rows, {d.clusters} events; log loss model {c.model.log_loss:.4f} "
            f"market {c.market.log_loss:.4f} (diff {d.difference:+.4f}, s.e. {se}); "
            f"Brier {c.model.brier:.4f} vs {c.market.brier:.4f}"
        )
    print(f"live rule: {r.rule.trades} trades, P&L ${r.rule.total_pnl}")
    print(f"wrote {out}/quotes.csv, metrics.json" + ("" if args.no_report else ", report.html"))
    return 0


def live_settings() -> HourlyParams:
    """The hourly parameters the bot would run with now (``KALSHI_BOTS_*``, validated)."""
    return job_params(Settings.from_env(os.environ)).hourly


def _run_crypto(args: argparse.Namespace) -> int:
    out: Path = args.out
    hourly = live_settings()
    bars = load_minute_bars(args.prices, Asset(args.asset))
    for gap in bars.gaps:
        print(f"gap: {gap.describe()}", file=sys.stderr)
    quotes = study(load_late_band_quotes(args.quotes)) if args.quotes else None
    # The trading rule is the live one under the current settings, for every model replayed.
    config = ReplayConfig(
        ladder_width_pct=args.ladder_width_pct,
        bankroll=args.bankroll,
        half_spread=args.half_spread_cents / 100,
        settlement_average_s=args.settlement_average_s,
        rules=hourly,
    )
    run = run_crypto(
        bars,
        model=args.model,
        config=config,
        reference=args.reference,
        folds=args.folds,
        quotes=quotes,
        live=hourly.model,
    )
    write_decisions_csv(run.selected, out / "decisions.csv", decision_only=args.strikes == "decision")
    write_json(run.metrics, out / "metrics.json")
    if not args.no_report:
        write_report(build_crypto_content(run, quotes), out)
    m = run.metrics
    print(
        f"{len(bars)} bars, {m['replayable_hours']} hours, {bars.missing_minutes} missing minutes; "
        f"model {run.selected.model} {run.selected.params}"
    )
    for row in m["comparison_all_hours"]:
        print(f"  {row['model']:13} decision-strike log loss {row['decision_log_loss']:.4f}")
    for name in ("decision_strike", "ladder"):
        d = m["against_spec_same_rows"].get(name)
        if d:
            where = f"{name.replace('_', ' ')} ({d['n']} rows, {d['clusters']} hours)"
            print(
                f"{run.selected.model} vs spec, {where}: "
                f"{d['mean_a']:.4f} vs {d['mean_b']:.4f} = {d['ratio']:.3f}x, "
                f"difference {d['difference']:+.4f} (s.e. {d['standard_error'] or float('nan'):.4f})"
            )
    wf = m["walk_forward"]
    print(
        f"walk-forward choice {wf['chosen_default']}: OOS minus spec "
        f"{wf['chosen_minus_spec_oos_log_loss']:+.4f} (s.e. {wf['chosen_minus_spec_standard_error']:.4f})"
    )
    print(f"wrote {out}/decisions.csv, metrics.json" + ("" if args.no_report else ", report.html"))
    return 0


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
    weather.add_argument("--out", type=Path, default=Path("backtest-out/weather"))
    weather.add_argument("--no-report", action="store_true")


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


def run_weather(args: argparse.Namespace) -> int:
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
    print(f"wrote {out}/brackets.csv, metrics.json" + ("" if args.no_report else ", report.html"))
    return 0


def run_backtest(args: argparse.Namespace) -> int:
    """Run the ``backtest`` subcommand; 0 on success, 2 on bad input (message on stderr)."""
    try:
        if args.backtest_kind == BacktestKind.CRYPTO:
            return _run_crypto(args)
        if args.backtest_kind == BacktestKind.WEATHER:
            return run_weather(args)
        if args.backtest_kind == BacktestKind.QUOTES:
            return run_quotes_cli(args)
    except ConfigError as exc:
        print(f"backtest: settings: {exc}", file=sys.stderr)
        return 2
    except (BacktestDataError, DomainError, SnapshotFileError) as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return 2
    print(f"backtest: unknown kind {args.backtest_kind!r}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kalshi-bots", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_backtest_parser(sub)
    # Standalone use: "backtest_cli crypto ..." works as well as "backtest_cli backtest crypto ...".
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in and args_in[0] in set(BacktestKind):
        args_in.insert(0, "backtest")
    return run_backtest(parser.parse_args(args_in))


if __name__ == "__main__":
    sys.exit(main())
