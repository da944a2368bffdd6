"""What every ``kalshi-bots backtest`` subcommand shares: the subcommand names, the options they have in
common (asset, output folder, report switch), the live hourly settings they replay under, and the last
line that says what was written."""

from __future__ import annotations

import argparse
import os
from enum import StrEnum
from pathlib import Path

from kalshi_bots.app.deps import HourlyParams
from kalshi_bots.bootstrap import job_params
from kalshi_bots.config import Settings
from kalshi_bots.domain.models import Asset


class BacktestKind(StrEnum):
    """The ``backtest`` subcommands: one per bot family, and the quotes study."""

    CRYPTO = "crypto"
    WEATHER = "weather"
    QUOTES = "quotes"


def add_asset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--asset", choices=[a.value for a in Asset], default="BTC")


def add_output_options(
    parser: argparse.ArgumentParser, kind: BacktestKind, report_help: str | None = None
) -> None:
    """``--out`` (default ``backtest-out/<kind>``) and ``--no-report``; every subcommand ends with these."""
    parser.add_argument("--out", type=Path, default=Path(f"backtest-out/{kind.value}"))
    parser.add_argument("--no-report", action="store_true", help=report_help)


def live_settings() -> HourlyParams:
    """The hourly parameters the bot would run with now (``KALSHI_BOTS_*``, validated)."""
    return job_params(Settings.from_env(os.environ)).hourly


def print_written(out: Path, files: str, *, no_report: bool) -> None:
    """The run's last line: the data files in ``out``, and the report unless ``--no-report``."""
    print(f"wrote {out}/{files}" + ("" if no_report else ", report.html"))
