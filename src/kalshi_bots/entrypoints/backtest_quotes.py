"""``kalshi-bots backtest quotes``: score the live model against the market on every recorded Kalshi
quote (late band, the February 2026 bot logs, recorder exports) that has a spot at most 60 s old."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.backtest_data import (
    BacktestDataError,
    load_botlog,
    load_late_band_quotes,
    load_official_results,
    load_price_points,
)
from kalshi_bots.adapters.report import write_report
from kalshi_bots.adapters.report.files import write_json, write_rows_csv
from kalshi_bots.adapters.report.quotes_report import build_quotes_content
from kalshi_bots.adapters.snapshot_csv import read_snapshot_csv
from kalshi_bots.app.backtest.models import live_model
from kalshi_bots.app.backtest.quote_rows import ROW_COLUMNS, SpotSeries, row_cells
from kalshi_bots.app.backtest.quote_rule import RuleConfig
from kalshi_bots.app.backtest.quote_scoring import QuoteSource
from kalshi_bots.app.backtest.quote_sources import botlog_rows, late_band_rows, minute_prices, recorder_rows
from kalshi_bots.app.backtest.run_quotes import run_quotes
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints.backtest_common import (
    BacktestKind,
    add_asset_option,
    add_output_options,
    live_settings,
    print_written,
)


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
    add_asset_option(quotes)
    add_output_options(quotes, BacktestKind.QUOTES)


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
    print_written(out, "quotes.csv, metrics.json", no_report=args.no_report)
    return 0
