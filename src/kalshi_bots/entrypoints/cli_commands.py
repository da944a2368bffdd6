"""The CLI's commands: each takes the parsed arguments and the settings, prints for humans on stdout
and returns an exit code. Failures raise; :func:`kalshi_bots.entrypoints.cli.main` reports them.

Every command reads the time from ``args.clock`` (set by ``main``: the system clock, or the clock a
test or tool injected), never from the system directly."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_bots import bootstrap
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings, StoreKind, settings_markdown
from kalshi_bots.domain.models import TRADING_BOTS, Asset, Mode, TradeRecord
from kalshi_bots.entrypoints.logs import log_file_for, setup_cli_logging, wants_color
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.store import Store


class UsageError(Exception):
    """A command line that parses but makes no sense (exit code 2)."""


JOB_NAMES: dict[tuple[str, Asset | None], JobName] = {
    ("collect-prices", Asset.BTC): JobName.COLLECT_BTC,
    ("collect-prices", Asset.ETH): JobName.COLLECT_ETH,
    ("trade-hourly", Asset.BTC): JobName.TRADE_BTC,
    ("trade-hourly", Asset.ETH): JobName.TRADE_ETH,
    # The jobs that run once for all assets are named on the command line as they are scheduled.
    **{(job.value, None): job for job in (JobName.CLEANUP, JobName.WEATHER, JobName.RECONCILE)},
    (JobName.RECORD_MARKET.value, None): JobName.RECORD_MARKET,
}
PER_ASSET = {"collect-prices", "trade-hourly"}
# ``job --at`` further ahead than this is refused: a run scheduled in the future would trade an event
# before its time (at the next hour's :45, the next hour's event 60+ minutes early) and its claim
# would block the real run. A few minutes cover a run started by hand just before its minute.
MAX_AT_AHEAD = timedelta(minutes=5)


# Commands that show job events as they happen (human lines on stdout, JSON log file beside the store).
EVENT_COMMANDS = frozenset({"job", "dashboard"})


def setup_logs(settings: Settings, args: argparse.Namespace | None = None) -> None:
    """Human lines for people, JSON for machines (see :mod:`kalshi_bots.entrypoints.logs`). ``run`` sets
    its own up once it knows where its state lives (the sandbox's directory)."""
    log_format = getattr(args, "log_format", "auto")
    command = getattr(args, "command", "")
    if command in EVENT_COMMANDS:
        log_file = data_log_file(settings)
        if command == "dashboard" and not settings.store.sqlite_path.is_file():
            log_file = None  # a read-only command creates nothing (the missing store is reported)
        setup_cli_logging(
            settings.log_level,
            log_format=log_format,
            console=sys.stdout,
            color=wants_color(sys.stdout),
            log_file=log_file,
        )
    else:  # read-only and quick commands: warnings in words on stderr, JSON only when asked or piped
        setup_cli_logging(
            settings.log_level, log_format=log_format, console=sys.stderr, color=wants_color(sys.stderr),
            console_level="WARNING",
        )  # fmt: skip


def data_log_file(settings: Settings) -> Path | None:
    """The JSON log file beside the SQLite store. With DynamoDB there is no local data directory (the
    tables are in AWS): nothing is written to the working directory, JSON goes to stderr as usual."""
    return log_file_for(settings.store.sqlite_path) if settings.store.kind is StoreKind.SQLITE else None


def print_settings_markdown() -> int:
    print(settings_markdown())
    return 0


def store_label(settings: Settings) -> str:
    if settings.store.kind is StoreKind.SQLITE:
        return f"sqlite ({settings.store.sqlite_path})"
    where = settings.store.dynamodb_endpoint_url or settings.store.aws_region or "AWS default region"
    return f"dynamodb ({where})"


# --- job --------------------------------------------------------------------------------------------


def job_name(name: str, asset: Asset | None) -> JobName:
    if name in PER_ASSET:
        return JOB_NAMES[(name, asset or Asset.BTC)]
    if asset is not None:
        raise UsageError(f"--asset does not apply to {name} (only to {', '.join(sorted(PER_ASSET))})")
    return JOB_NAMES[(name, None)]


def clock_of(args: argparse.Namespace) -> Clock:
    """The clock ``main`` put on the arguments (the system clock when a caller built them by hand)."""
    clock: Clock | None = getattr(args, "clock", None)
    return clock if clock is not None else bootstrap.system_clock()


def shown_clock(args: argparse.Namespace, store: Store) -> Clock:
    """The clock ages are shown on: the one ``main`` was given (tests), else the sandbox world's clock
    recorded in this store (an accelerated sandbox), else the system clock."""
    clock: Clock | None = getattr(args, "clock", None)
    return clock if clock is not None else bootstrap.display_clock(store)


def parse_at(raw: str | None, now: datetime) -> datetime:
    """The scheduled minute: ``--at`` (aware, whole minute, at most :data:`MAX_AT_AHEAD` ahead of
    ``now``) or the current minute."""
    if raw is None:
        return now.astimezone(UTC).replace(second=0, microsecond=0)
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--at {raw!r} is not an ISO-8601 time; use e.g. 2026-03-08T14:45:00Z") from None
    if at.tzinfo is None:
        raise UsageError(f"--at {raw!r} has no UTC offset; add Z or e.g. -05:00")
    if at.second or at.microsecond:
        raise UsageError(f"--at {raw!r} is not a whole minute; scheduled runs start at :00 seconds")
    ahead = at - now
    if ahead > MAX_AT_AHEAD:
        minutes = round(ahead.total_seconds() / 60)
        raise UsageError(
            f"--at {raw!r} is {minutes} minutes ahead of the clock ({now:%Y-%m-%d %H:%M}Z); a run may be "
            f"scheduled at most {int(MAX_AT_AHEAD.total_seconds() // 60)} minutes ahead: it would trade "
            "early and its claim would block the real run"
        )
    return at.astimezone(UTC)


def describe_result(result: JobResult) -> str:
    text = f"{result.job} @ {result.scheduled_for:%Y-%m-%d %H:%M}Z: {result.outcome.value}"
    if result.reason is not None:
        text += f" ({result.reason_text})"
    if result.detail:
        text += f" - {result.detail}"
    return text


def exit_code(result: JobResult) -> int:
    return 1 if result.outcome is Outcome.ERROR else 0


def cmd_job(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app.runner import run_job

    job = job_name(args.name, args.asset)
    if settings.mode is Mode.LIVE:
        print(f"kalshi-bots: LIVE MODE - this {job.value} run may send real orders", file=sys.stderr)
    deps = bootstrap.build_deps(settings, clock=clock_of(args))
    result = run_job(deps, job, parse_at(args.at, deps.clock.now()))
    print(describe_result(result))
    return exit_code(result)


# --- trades -----------------------------------------------------------------------------------------


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


SPEC_TRADE_ATTRIBUTES = (
    "pk",
    "sk",
    "contract_ticker",
    "side",
    "quantity",
    "price_cents",
    "btc_price",
    "strike_price",
    "model_prob",
    "market_prob",
    "edge",
    "kelly_fraction",
    "status",
)


def trade_json(trade: TradeRecord) -> dict[str, Any]:
    """The stored row: the spec's attribute names (``edge`` in percentage points) plus ours. Every
    spec attribute is present; one that does not apply (a weather trade's ``btc_price``) is null."""
    from kalshi_bots.adapters.store.codec import trade_item

    row: dict[str, Any] = dict.fromkeys(SPEC_TRADE_ATTRIBUTES)
    row.update((key, _json_number(value)) for key, value in trade_item(trade).items())
    return row


def _trade_line(t: TradeRecord) -> str:
    pnl = "" if t.pnl_dollars is None else f"{t.pnl_dollars:+.2f}"
    strike = "" if t.strike_price is None else f"{t.strike_price}"
    return (
        f"{t.created_at:%Y-%m-%d %H:%M:%S} {t.bot:10} {t.mode.value:5} {t.contract_ticker:28} "
        f"{t.side.value:3} {t.quantity:>3} @ {t.price_cents:>5}c  strike {strike:>10}  "
        f"edge {t.edge * 100:5.1f}pt  {t.status.value:8} filled {t.fill_count} "
        f"{t.settlement_result or ''} {pnl}"
    ).rstrip()


def cmd_trades(args: argparse.Namespace, settings: Settings) -> int:
    day = None
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r} is not a date; use YYYY-MM-DD") from None
    store = bootstrap.open_existing_store(settings)
    trades = store.all_trades() if day is None else store.trades_on(day)
    trades = sorted(trades, key=lambda t: t.created_at)
    if args.json:
        print(json.dumps([trade_json(t) for t in trades], indent=2))
        return 0
    if not trades:
        print("no trades" + (f" on {args.date}" if args.date else " yet"))
    for trade in trades:
        print(_trade_line(trade))
    return 0


# --- volatility -------------------------------------------------------------------------------------


def cmd_volatility(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.volatility_view import volatility_payload, volatility_text

    store = bootstrap.open_existing_store(settings)
    now = shown_clock(args, store).now()
    payload = volatility_payload(store, args.asset, now)
    if payload is None:  # not a failure: a fresh install has no data until the first collector run
        print("null" if args.json else f"no volatility for {args.asset.value} yet (no collector run stored)")
        return 0
    print(json.dumps(payload, indent=2) if args.json else volatility_text(payload))
    return 0


# --- status / halt / resume -------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.runner import displayed_outcome

    store = bootstrap.open_existing_store(settings)
    now = shown_clock(args, store).now()  # a sandbox's accelerated clock: no negative ages
    day = risk.trading_day(now)
    limits = bootstrap.job_params(settings).budget
    flag = store.get_flag(risk.HALT_FLAG)
    print(f"mode:        {settings.mode.value}")
    print(f"store:       {store_label(settings)}")
    print(f"kill switch: {'ON - ' + flag if flag else 'off'}")
    print(f"today (ET):  {day}  realized P&L ${store.realized_pnl(day):.2f}")
    spent_total = Decimal(0)
    for bot in TRADING_BOTS:
        state = store.budget_state(bot, day, limits)
        spent_total += state.spent
        print(f"  budget {bot:11} ${state.remaining:.2f} left of ${state.limit:.2f}")
    left = max(Decimal(0), limits.global_limit - spent_total)
    print(f"  budget {'all bots':11} ${left:.2f} left of ${limits.global_limit:.2f}")
    for asset in Asset:
        # Prices are the system's pulse, and on DynamoDB collectors record no run rows (they are
        # idempotent without a claim), so show how fresh each VOL/LATEST is.
        snapshot = store.get_volatility(asset)
        age = "never" if snapshot is None else f"{(now - snapshot.computed_at).total_seconds():.0f}s ago"
        print(f"  prices {asset.value:11} last volatility update {age}")
    runs = store.last_runs()
    print(f"weather bot: {weather_bot_state(settings, runs)}")
    print("last runs:" if runs else "last runs:  none yet")
    for run in runs:
        detail = f"  {run.detail}" if run.detail else ""
        outcome = displayed_outcome(run, now)  # `abandoned`: still `running` past its lease (process died)
        print(f"  {run.job:20} {run.scheduled_for:%Y-%m-%d %H:%M}Z  {outcome}{detail}")
    return 0


def weather_bot_state(settings: Settings, runs: list[Any]) -> str:
    """Why the weather bot is on or off: it needs an NWS contact, here and on AWS alike (where the
    template leaves its schedule disabled without the NwsContact parameter)."""
    last = max((r.scheduled_for for r in runs if r.job == JobName.WEATHER.value), default=None)
    seen = f"last run {last:%Y-%m-%d %H:%M}Z" if last else "no run recorded in this store"
    if settings.store.kind is StoreKind.DYNAMODB:
        return (
            f"{seen}. On AWS it runs only when the stack's NwsContact parameter is set (else its "
            "Weather-6pm-8pm-ET schedule is disabled; the stack's WeatherBot output says which)"
        )
    if settings.nws.contact is None:
        return f"off: KALSHI_BOTS_NWS_CONTACT is not set (NWS requires a contact); {seen}"
    return f"on; {seen}"


def cmd_halt(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.alerts import notify_kill_switch

    store = bootstrap.open_existing_store(settings)
    reason = f"{args.reason} ({clock_of(args).now():%Y-%m-%d %H:%M}Z)"
    risk.halt(store, reason)
    print(f"kill switch ON: no new orders until `kalshi-bots resume` ({reason})")
    notify_kill_switch(bootstrap.build_notifier(settings), on=True, reason=reason, source="the CLI")
    return 0


def cmd_resume(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.alerts import notify_kill_switch

    store = bootstrap.open_existing_store(settings)
    risk.resume(store)
    print("kill switch off: trading allowed again")
    notify_kill_switch(bootstrap.build_notifier(settings), on=False, reason="", source="the CLI")
    return 0


# --- db / settings ----------------------------------------------------------------------------------


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    bootstrap.open_configured_store(settings, init_schema=True)
    print(f"tables ready in {store_label(settings)}")
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    rows = settings.effective()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    return 0


# --- long-running commands live in their own module ---------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.cli_run import RunOptions, run_local

    if args.speed != 1.0 and not args.sandbox:
        raise UsageError("--speed only applies with --sandbox (real markets run in real time)")
    start = getattr(args, "start", None)
    if start is not None and not args.sandbox:
        raise UsageError("--start only applies with --sandbox (real markets run at the real time)")
    if args.keep is not None and not args.sandbox:
        raise UsageError(
            "--keep only applies with --sandbox (a real run keeps its state in KALSHI_BOTS_SQLITE_PATH)"
        )
    options = RunOptions(
        log_format=args.log_format, dashboard=not args.no_dashboard, color=wants_color(sys.stdout)
    )
    return run_local(
        settings,
        sandbox=args.sandbox,
        speed=args.speed,
        keep=args.keep,
        options=options,
        start=None if start is None else parse_start(start),
        clock=getattr(args, "clock", None),
    )


def parse_start(raw: str) -> datetime:
    """``run --sandbox --start``: the simulated world's first instant (aware; seconds allowed)."""
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--start {raw!r} is not an ISO-8601 time; use e.g. 2026-03-08T14:44:00Z") from None
    if start.tzinfo is None:
        raise UsageError(f"--start {raw!r} has no UTC offset; add Z or e.g. -05:00")
    return start.astimezone(UTC)


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.cli_run import scheduled_jobs
    from kalshi_bots.entrypoints.dashboard import DashboardConfigError, source_from_settings, start_dashboard
    from kalshi_bots.entrypoints.scheduler import install_stop_signals

    store = bootstrap.open_existing_store(settings)
    store.get_flag("halt")  # reach the store once now: a wrong table or region fails here, with its hint
    source = source_from_settings(
        settings, store=store, clock=bootstrap.display_clock(store), jobs=scheduled_jobs(settings)
    )
    try:
        dashboard = start_dashboard(settings, source, host=args.host, port=args.port)
    except DashboardConfigError as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"dashboard of {store_label(settings)} ({settings.mode.value} mode): {dashboard.shown_url}",
        flush=True,
    )
    print("Ctrl-C stops it.", flush=True)
    stop = threading.Event()
    install_stop_signals(stop)
    try:
        stop.wait()
    finally:
        dashboard.stop()
    return 0


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.cli_sandbox import run_fakes

    return run_fakes(db=args.db)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.api import ApiConfigError, serve_from_settings

    try:
        return serve_from_settings(
            settings, host=args.host, port=args.port, open_access=args.open, clock=clock_of(args)
        )
    except ApiConfigError as exc:  # would start insecurely: a usage problem, exit 2
        raise UsageError(str(exc)) from exc
