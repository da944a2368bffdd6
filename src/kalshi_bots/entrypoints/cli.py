"""The ``kalshi-bots`` command line.

Human output goes to stdout. The JSON log goes to a rotating file beside the SQLite store (``run``,
``job``) and to stderr only with ``--log-format json`` or when stderr is not a terminal.
Exit codes: 0 = ok (a deliberate no-trade included), 1 = something failed, 2 = usage or
configuration error. Failures are reported as one line saying what failed and what to do;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from kalshi_bots import __version__
from kalshi_bots.app.schedule import SCHEDULE
from kalshi_bots.bootstrap import MissingStoreError
from kalshi_bots.config import ConfigError, Settings
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints import cli_commands as commands
from kalshi_bots.entrypoints import cli_edge
from kalshi_bots.entrypoints.cli_job import JOB_NAMES
from kalshi_bots.entrypoints.cli_output import UsageError, setup_logs
from kalshi_bots.entrypoints.logs import LOG_FORMATS
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.errors import (
    AuthError,
    ExternalServiceError,
    StoreError,
    TransientError,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
JOB_CHOICES = tuple(dict.fromkeys(name for name, _ in JOB_NAMES))
Handler = Callable[[argparse.Namespace, Settings], int]


def _print_schedule() -> None:
    for rule in SCHEDULE:
        state = "on" if rule.enabled_by_default else "off"
        print(f"{rule.rule_name:32} {rule.aws_expression:28} {rule.timezone:17} {state}")


def _asset(value: str) -> Asset:
    try:
        return Asset(value.upper())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown asset {value!r}: choose BTC or ETH") from None


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str, description: str
) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=description)


def _speed(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 30, got {raw!r}") from None
    # Above 30x the scheduler, which wakes once a real second, could step over a whole minute.
    if not 1 <= value <= 30:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 30, got {raw!r}")
    return value


def _log_format(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        # Only the top level sets the default, so the option works before or after the command.
        default=default if default != "" else argparse.SUPPRESS,
        help="JSON log on stderr: auto (only when stderr is not a terminal), human (never), json (always); "
        "the log file beside the store is always JSON",
    )


def _add_watch_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """positions, pnl, dashboard, sandbox: watching the bot (issue 11)."""
    positions = _add(
        sub,
        "positions",
        "show open positions, cost, mark-to-market and max loss",
        "Open positions (filled, not yet settled) grouped by bot, market and side: contracts, average "
        "price, cost with fees, mark at the current bid of your side (public Kalshi quotes; 'no quote' "
        "when they cannot be fetched), unrealized P&L and the most you can lose.",
    )
    positions.add_argument("--json", action="store_true", help="print JSON")
    positions.add_argument("--no-quotes", action="store_true", help="do not fetch quotes (offline)")
    pnl = _add(
        sub,
        "pnl",
        "show realized P&L by day, by bot and all-time",
        "Realized P&L of settled trades: gross, fees, net, wins, losses and win rate, by New York day "
        "the trade was placed, by bot and all-time.",
    )
    pnl.add_argument("--json", action="store_true", help="print JSON (the dashboard shows the same figures)")

    dash = _add(
        sub,
        "dashboard",
        "serve the web dashboard (P&L, trades, positions, budgets, halt/resume)",
        "Serve the web dashboard for the configured store (SQLite, or DynamoDB to watch an AWS "
        "deployment from a laptop). It listens on 127.0.0.1 and prints a URL with an access token; "
        "set KALSHI_BOTS_DASHBOARD_TOKEN to serve on another address.",
    )
    dash.add_argument("--host", help="bind address (default KALSHI_BOTS_DASHBOARD_HOST, 127.0.0.1)")
    dash.add_argument(
        "--port", type=int, help="port (default KALSHI_BOTS_DASHBOARD_PORT, 8765; 0 = any free)"
    )
    _log_format(dash, default="")

    sandbox = _add(
        sub,
        "sandbox",
        "start the fake Kalshi, Coinbase and NWS and print the exports that use them",
        "Start the bundled fake Kalshi, Coinbase and NWS servers on 127.0.0.1 (real time) and print the "
        "`export KALSHI_BOTS_...` lines that point kalshi-bots at them. Runs until Ctrl-C. "
        "(`kalshi-bots run --sandbox` does all of it in one process.)",
    )
    sandbox.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="SQLite file to export as KALSHI_BOTS_SQLITE_PATH (default ./kalshi-bots-sandbox.db, "
        "never your real store)",
    )


def build_parser(*, with_backtest: bool = True) -> argparse.ArgumentParser:
    """The full parser. ``with_backtest=False`` puts a placeholder where the backtester's options go,
    so commands other than ``backtest`` do not pay for importing it (~0.1 s)."""
    parser = argparse.ArgumentParser(
        prog="kalshi-bots",
        description="Automated trading for Kalshi hourly crypto and daily weather markets "
        "(paper mode by default). Settings come from KALSHI_BOTS_* environment variables: "
        "see `kalshi-bots settings`.",
    )
    parser.add_argument("--version", action="version", version=f"kalshi-bots {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    _log_format(parser, default="auto")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = _add(
        sub,
        "run",
        "start the local system (scheduler + all jobs)",
        "Run every scheduled job at its time until Ctrl-C: collectors each minute, hourly trading "
        "at :45, cleanup, reconcile, weather at 6 pm and 8 pm New York time; and serve the web "
        "dashboard (its URL is printed at start). One line per trade, refusal, settlement or error "
        "on the terminal; the JSON log goes to a file beside the store.",
    )
    run.add_argument(
        "--sandbox",
        action="store_true",
        help="start the bundled fake Kalshi, Coinbase and NWS servers and use them (offline, "
        "paper mode, throwaway SQLite file)",
    )
    run.add_argument(
        "--start",
        metavar="ISO-8601",
        help="with --sandbox: start the simulated world at this instant, e.g. 2026-03-08T14:44:00Z to "
        "see the :45 trading run at once (default: now)",
    )
    run.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="with --sandbox: run the simulated world X times faster than real time (1 to 30; "
        "30 shows an hourly trade within two minutes)",
    )
    run.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="with --sandbox: keep the sandbox's store and log in DIR (inspect afterwards with "
        "KALSHI_BOTS_SQLITE_PATH=DIR/kalshi-bots.db)",
    )
    run.add_argument("--no-dashboard", action="store_true", help="do not start the web dashboard")
    _log_format(run, default="")

    job = _add(
        sub,
        "job",
        "run one job once, as if scheduled at a given minute",
        "Run one job now. The run is claimed in the store like a scheduled run, so running the "
        "same job for the same minute twice does the work once.",
    )
    job.add_argument("name", choices=JOB_CHOICES, help="which job")
    job.add_argument("--asset", type=_asset, help="BTC or ETH (collect-prices, trade-hourly; default BTC)")
    job.add_argument(
        "--at",
        metavar="ISO-8601",
        help="scheduled minute with a UTC offset, e.g. 2026-03-08T14:45:00Z (default: now); "
        "at most 5 minutes ahead of the clock",
    )
    _log_format(job, default="")

    trades = _add(sub, "trades", "show the trade log", "List logged trades, newest last.")
    trades.add_argument("--date", metavar="YYYY-MM-DD", help="only trades of this UTC date")
    trades.add_argument(
        "--json", action="store_true", help="print a JSON array with the spec's attribute names"
    )

    vol = _add(
        sub,
        "volatility",
        "show the latest volatility (VOL/LATEST)",
        "Show the volatility metrics the collector last computed, and their age.",
    )
    vol.add_argument("--asset", type=_asset, default=Asset.BTC, help="BTC or ETH (default BTC)")
    vol.add_argument("--json", action="store_true", help="print JSON (the API's format)")

    _add(
        sub,
        "status",
        "show mode, store, last runs, budget left and kill switch",
        "One screen of health: mode, store, each job's last run and outcome, today's budget left, "
        "realized P&L and the kill switch.",
    )
    halt = _add(
        sub,
        "halt",
        "turn the kill switch on (no new orders anywhere)",
        "Stop all trading until `kalshi-bots resume`. Collectors and reconcile keep running.",
    )
    halt.add_argument("--reason", default="halted from the CLI", help="why (shown by status)")
    _add(sub, "resume", "turn the kill switch off", "Allow trading again after `kalshi-bots halt`.")

    serve = _add(
        sub,
        "serve",
        "serve the volatility HTTP API",
        "Serve GET /volatility/{asset} (VOL/LATEST as JSON). Needs KALSHI_BOTS_API_TOKEN "
        "(sent as 'Authorization: Bearer <token>') unless --open on localhost.",
    )
    serve.add_argument("--host", help="bind address (default KALSHI_BOTS_API_HOST)")
    serve.add_argument("--port", type=int, help="port (default KALSHI_BOTS_API_PORT)")
    serve.add_argument("--open", action="store_true", help="serve without a token (only on 127.0.0.1/::1)")

    _add_watch_commands(sub)

    db = _add(sub, "db", "database maintenance", "Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser(
        "init",
        help="create the tables if missing (idempotent)",
        description="Create the four tables (SQLite file or DynamoDB) if they are missing.",
    )

    _add(
        sub,
        "schedule",
        "print the job schedule",
        "Print every schedule rule (the AWS template uses the same).",
    )
    settings = _add(
        sub,
        "settings",
        "show the settings in force",
        "Show every KALSHI_BOTS_* setting and its value in force (secrets only as set/unset).",
    )
    settings.add_argument("--markdown", action="store_true", help="print the README's table of all settings")

    cli_edge.add_edge_parsers(sub)  # export snapshots, scorecard
    if with_backtest:
        _add_backtest(sub)
    else:
        sub.add_parser("backtest", help="score the models on recorded data and write a report")
    return parser


def _add_backtest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        from kalshi_bots.entrypoints.backtest_cli import add_backtest_parser
    except ImportError:  # the backtester ships separately in some builds; say so instead of vanishing
        sub.add_parser("backtest", help="replay history through the hourly bot (not installed)")
        return
    add_backtest_parser(sub)


def _run_backtest(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from kalshi_bots.entrypoints.backtest_cli import run_backtest
    except ImportError as exc:
        raise UsageError(f"the backtester is not available in this installation ({exc})") from exc
    code: int = run_backtest(args)
    return code


def _lazy(module: str, name: str) -> Handler:
    """A command whose module is imported only when that command runs (a quick command never pays for
    the scheduler, the dashboard or the portfolio read model)."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        handler: Handler = getattr(importlib.import_module(f"kalshi_bots.entrypoints.{module}"), name)
        return handler(args, settings)

    return run


HANDLERS: Mapping[str, Handler] = {
    "job": _lazy("cli_job", "cmd_job"),
    "trades": _lazy("cli_portfolio", "cmd_trades"),
    "volatility": commands.cmd_volatility,
    "status": commands.cmd_status,
    "halt": commands.cmd_halt,
    "resume": commands.cmd_resume,
    "db": commands.cmd_db,
    "settings": commands.cmd_settings,
    "run": _lazy("cli_run", "cmd_run"),
    "serve": _lazy("cli_run", "cmd_serve"),
    "backtest": _run_backtest,
    "positions": _lazy("cli_portfolio", "cmd_positions"),
    "pnl": _lazy("cli_portfolio", "cmd_pnl"),
    "dashboard": _lazy("cli_run", "cmd_dashboard"),
    "sandbox": _lazy("cli_run", "cmd_sandbox"),
    "export": cli_edge.cmd_export,
    "scorecard": cli_edge.cmd_scorecard,
}
NEEDS_NO_SETTINGS = {"schedule"}


def _hint(exc: BaseException) -> str:
    if isinstance(exc, AuthError):
        return "check KALSHI_BOTS_KALSHI_API_KEY_ID and the private key (and that it belongs to this mode)"
    if isinstance(exc, StoreError):
        return (
            "check KALSHI_BOTS_STORE and KALSHI_BOTS_SQLITE_PATH (or the DynamoDB tables); "
            "`kalshi-bots db init` creates missing tables"
        )
    if isinstance(exc, TransientError):
        return "the service did not answer; check the network and try again"
    if isinstance(exc, ExternalServiceError):
        return "see the message; run again with --debug for details"
    if isinstance(exc, OSError):
        return "check the path and its permissions"
    return "run again with --debug for the traceback"


def report_error(command: str, exc: BaseException, *, debug: bool, err: TextIO) -> None:
    if debug:
        traceback.print_exception(exc, file=err)
    what = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ExternalServiceError) else str(exc)
    print(f"kalshi-bots {command}: failed: {what} -> {_hint(exc)}", file=err)


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    clock: Clock | None = None,
) -> int:
    """Run one command. ``environ`` and ``clock`` replace the process environment and the system
    clock (tests and tools run the CLI in-process at a chosen instant)."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    parser = build_parser(with_backtest=bool(words) and words[0] == "backtest")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help/--version exit 0, bad usage exits 2: return, don't raise
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    command: str = args.command
    args.clock = clock
    if command in NEEDS_NO_SETTINGS:
        _print_schedule()
        return EXIT_OK
    if command == "settings" and args.markdown:
        return commands.print_settings_markdown()
    try:
        settings = Settings.from_env(os.environ if environ is None else environ)
    except ConfigError as exc:
        print(f"kalshi-bots: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    setup_logs(settings, args)
    try:
        return HANDLERS[command](args, settings)
    except (UsageError, MissingStoreError) as exc:
        print(f"kalshi-bots {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `kalshi-bots trades | head`: the reader left; not our failure
        sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - silences the flush at interpreter exit
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"kalshi-bots {command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        report_error(command, exc, debug=args.debug, err=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
