"""``kalshi-bots backtest crypto``: replay 1-minute prices through the hourly decision code, compare the
volatility models walk-forward, and (with ``--quotes``) study recorded late-band favourites."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.backtest_data import load_late_band_quotes, load_minute_bars
from kalshi_bots.adapters.report import write_report
from kalshi_bots.adapters.report.crypto_report import build_crypto_content
from kalshi_bots.adapters.report.files import write_decisions_csv, write_json
from kalshi_bots.app.backtest.crypto import ReplayConfig
from kalshi_bots.app.backtest.models import LIVE, MODELS
from kalshi_bots.app.backtest.quotes import study
from kalshi_bots.app.backtest.run_crypto import AUTO, DEFAULT_REFERENCE, run_crypto
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints.backtest_common import (
    BacktestKind,
    add_asset_option,
    add_output_options,
    live_settings,
    print_written,
)


def add_crypto_parser(kinds: Any) -> None:
    crypto = kinds.add_parser(
        BacktestKind.CRYPTO.value, help="replay 1-minute prices through the hourly decision code"
    )
    crypto.add_argument(
        "--prices", type=Path, required=True, help="1-minute OHLC CSV (Bitstamp, Coinbase, ISO)"
    )
    add_asset_option(crypto)
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
    add_output_options(crypto, BacktestKind.CRYPTO, "skip the HTML/PNG report")


def run_crypto_cli(args: argparse.Namespace) -> int:
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
    print_written(out, "decisions.csv, metrics.json", no_report=args.no_report)
    return 0
