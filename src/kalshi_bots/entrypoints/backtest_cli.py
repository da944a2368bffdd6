"""``kalshi-bots backtest crypto|weather|quotes``: replay recorded data through the live decision code.

``crypto --quotes`` (the late-band favourite study, market side only) keeps working; ``quotes`` scores the
live model against the market on every recorded quote with a fresh spot.

Also runnable on its own: ``python -m kalshi_bots.entrypoints.backtest_cli crypto --prices FILE.csv``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from kalshi_bots.adapters.backtest_data import BacktestDataError
from kalshi_bots.adapters.snapshot_csv import SnapshotFileError
from kalshi_bots.config import ConfigError
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.entrypoints.backtest_common import BacktestKind
from kalshi_bots.entrypoints.backtest_crypto import add_crypto_parser, run_crypto_cli
from kalshi_bots.entrypoints.backtest_quotes import add_quotes_parser, run_quotes_cli
from kalshi_bots.entrypoints.backtest_weather import add_weather_parser, run_weather_cli


def add_backtest_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``backtest`` and its subcommands (crypto, weather, quotes) to a subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backtest", help="score the models on recorded data and write a report"
    )
    kinds = parser.add_subparsers(dest="backtest_kind", required=True)
    add_crypto_parser(kinds)
    add_weather_parser(kinds)
    add_quotes_parser(kinds)
    return parser


def run_backtest(args: argparse.Namespace) -> int:
    """Run the ``backtest`` subcommand; 0 on success, 2 on bad input (message on stderr)."""
    try:
        if args.backtest_kind == BacktestKind.CRYPTO:
            return run_crypto_cli(args)
        if args.backtest_kind == BacktestKind.WEATHER:
            return run_weather_cli(args)
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
