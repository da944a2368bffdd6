"""The long-running commands: ``kalshi-bots run`` (the local system: scheduler + every job, and the
dashboard, optionally against the sandbox fakes), ``dashboard``, ``sandbox`` (the fakes alone) and
``serve`` (the volatility API).

The terminal shows a banner (mode, store, which bots are on and why the others are off, next runs,
the dashboard URL) and then one human line per meaningful event (:class:`~.logs.ConsoleHandler`); the
JSON log goes to a rotating file beside the SQLite store.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kalshi_bots import bootstrap
from kalshi_bots.app.results import JobResult
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings
from kalshi_bots.domain.models import Mode
from kalshi_bots.entrypoints.cli_banner import banner, live_banner
from kalshi_bots.entrypoints.cli_output import UsageError, clock_of, data_log_file, store_label
from kalshi_bots.entrypoints.logs import setup_cli_logging, wants_color
from kalshi_bots.entrypoints.scheduler import Scheduler, install_stop_signals, scheduled_jobs
from kalshi_bots.ports.clock import Clock

if TYPE_CHECKING:
    from kalshi_bots.entrypoints.dashboard import Dashboard
    from kalshi_bots.sandbox.launch import SandboxUrls

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How ``run`` presents itself (the CLI flags)."""

    log_format: str = "auto"
    dashboard: bool = True
    color: bool = False


def _start_dashboard(
    settings: Settings, clock: Clock, jobs: frozenset[JobName], out: TextIO
) -> Dashboard | None:
    from kalshi_bots.entrypoints.dashboard import DashboardConfigError, source_from_settings, start_dashboard

    note = ""
    try:
        source = source_from_settings(
            settings, store=bootstrap.open_configured_store(settings), clock=clock, jobs=jobs
        )
        try:
            dashboard = start_dashboard(settings, source)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            # Another kalshi-bots (or anything) has the port: take a free one rather than no dashboard.
            dashboard = start_dashboard(settings, source, port=0)
            note = f"  (port {settings.dashboard.port} was busy)"
    except (DashboardConfigError, OSError) as exc:
        print(f"  dashboard  not started: {exc} (--no-dashboard hides this)", file=out, flush=True)
        return None
    print(f"  dashboard  {dashboard.shown_url}{note}", file=out, flush=True)
    return dashboard


def run_scheduler(
    settings: Settings,
    stop: threading.Event,
    *,
    out: TextIO,
    clock: Clock | None = None,
    options: RunOptions | None = None,
    log_file: Path | None = None,
    offline_hint: bool = True,
) -> int:
    from kalshi_bots.app.runner import run_job

    options = options or RunOptions()
    jobs = scheduled_jobs(settings)
    setup_cli_logging(
        settings.log_level,
        log_format=options.log_format,
        console=out,
        color=options.color,
        log_file=log_file,
        offline_hint=offline_hint,
    )
    deps = bootstrap.build_deps(settings, clock=clock)
    if settings.mode is Mode.LIVE:
        print(live_banner(settings), file=out, flush=True)
    for line in banner(settings, jobs, deps.clock.now(), log_file):
        print(line, file=out, flush=True)
    dashboard = _start_dashboard(settings, deps.clock, jobs, out) if options.dashboard else None
    print("Ctrl-C stops after the running jobs finish.", file=out, flush=True)

    def fire(job: JobName, at: datetime) -> JobResult:
        return run_job(deps, job, at)

    # Wake at least every 3 world-seconds, so an accelerated sandbox clock never steps over a minute.
    speed = getattr(clock, "speed", 1.0)
    try:
        Scheduler(fire, deps.clock, enabled=jobs, stop_event=stop).run_forever(
            max_wait_s=min(1.0, 3.0 / speed)
        )
    finally:
        if dashboard is not None:
            dashboard.stop()
        print("stopped: running jobs finished.", file=out, flush=True)
    return 0


def run_local(
    settings: Settings,
    *,
    sandbox: bool,
    out: TextIO | None = None,
    speed: float = 1.0,
    keep: Path | None = None,
    options: RunOptions | None = None,
    start: datetime | None = None,
    clock: Clock | None = None,
) -> int:
    """Run until Ctrl-C/SIGTERM. ``sandbox``: start the fakes, trade paper against them, optionally
    with the whole world (fakes, jobs, scheduler) on a clock that starts at ``start`` and runs ``speed``
    times faster than real time; ``keep``: the sandbox's state goes to this directory and stays there
    afterwards. ``clock`` replaces the system clock (a caller's injected time; with the sandbox it gives
    the default start)."""
    out = out or sys.stdout
    options = options or RunOptions(color=wants_color(out))
    stop = threading.Event()
    install_stop_signals(stop)
    if not sandbox:
        return run_scheduler(
            settings, stop, out=out, clock=clock, options=options, log_file=data_log_file(settings)
        )
    return _run_sandbox(
        settings, stop, out=out, speed=speed, keep=keep, options=options, start=start, clock=clock
    )


@contextmanager
def _state_dir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="kalshi-bots-sandbox-") as tmp:
        yield Path(tmp)


def _run_sandbox(
    settings: Settings,
    stop: threading.Event,
    *,
    out: TextIO,
    speed: float,
    keep: Path | None,
    options: RunOptions,
    start: datetime | None,
    clock: Clock | None,
) -> int:
    from kalshi_bots.adapters.clock import AcceleratedClock
    from kalshi_bots.entrypoints.cli_sandbox import sandbox_settings
    from kalshi_bots.sandbox.launch import Sandbox
    from kalshi_bots.sandbox.world_clock import WorldClock, record_clock

    wall = time.time()
    origin = start or (clock or bootstrap.system_clock()).now()
    accelerated = start is not None or speed != 1.0
    # The world's clock: accelerated from ``origin``, or the caller's injected clock, or real time.
    world_clock = AcceleratedClock(origin, speed) if accelerated else clock
    with (
        _state_dir(keep) as state,
        Sandbox(clock=world_clock.now if world_clock is not None else None) as fakes,
    ):
        # The fakes must move at least every few world-seconds, or prices look stale to the collector.
        fakes.keep_rolling(interval_s=5.0 / speed)
        db = state / "kalshi-bots.db"
        sandboxed = sandbox_settings(settings, fakes.urls, db)
        _print_sandbox(out, fakes.urls, state, db, keep=keep, speed=speed, start=start)
        store = bootstrap.open_configured_store(sandboxed)
        if accelerated:  # so `status` and the dashboard age things on the world's clock
            record_clock(store, WorldClock(origin, wall, speed))
        try:
            return run_scheduler(
                sandboxed, stop, out=out, clock=world_clock, options=options,
                log_file=state / "kalshi-bots.log", offline_hint=False,
            )  # fmt: skip
        finally:
            if accelerated and world_clock is not None:
                record_clock(store, WorldClock(origin, wall, speed, stopped_at=world_clock.now()))
            if keep is not None:
                print(
                    f"sandbox: state kept in {state}: KALSHI_BOTS_SQLITE_PATH={db} kalshi-bots pnl", file=out
                )


def _print_sandbox(
    out: TextIO,
    urls: SandboxUrls,
    state: Path,
    db: Path,
    *,
    keep: Path | None,
    speed: float,
    start: datetime | None,
) -> None:
    print(
        f"sandbox: fake Kalshi {urls.kalshi}, Coinbase {urls.coinbase}, NWS {urls.nws}; paper mode", file=out
    )
    kept = "kept after exit" if keep is not None else "deleted on exit; --keep DIR keeps it"
    print(f"sandbox: state in {state} ({kept})", file=out)
    print(f"sandbox: inspect meanwhile with KALSHI_BOTS_SQLITE_PATH={db} kalshi-bots status", file=out)
    if speed != 1.0:
        print(f"sandbox: the world runs {speed:g}x faster than real time", file=out)
    if start is not None:
        print(f"sandbox: the world's clock starts at {start:%Y-%m-%d %H:%M:%S}Z", file=out)
    out.flush()


# --- the commands ----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
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
    from kalshi_bots.entrypoints.dashboard import DashboardConfigError, source_from_settings, start_dashboard

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
