"""``kalshi-bots run``: the local system (scheduler + every job), optionally against the sandbox fakes."""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import TextIO

from kalshi_bots import bootstrap
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.domain.models import Mode
from kalshi_bots.entrypoints.cli_commands import describe_result, store_label
from kalshi_bots.entrypoints.scheduler import Scheduler, enabled_jobs, install_stop_signals
from kalshi_bots.ports.clock import Clock

log = logging.getLogger(__name__)
COLLECTORS = frozenset({JobName.COLLECT_BTC, JobName.COLLECT_ETH})
_print_lock = threading.Lock()


def scheduled_jobs(settings: Settings) -> frozenset[JobName]:
    """The default jobs, ETH trading if enabled, and no weather run without an NWS contact."""
    jobs = enabled_jobs([JobName.TRADE_ETH] if settings.trade_eth else [])
    return jobs if settings.nws_contact else jobs - {JobName.WEATHER}


def live_banner(settings: Settings) -> str:
    bar = "!" * 78
    lines = [
        "LIVE MODE: REAL ORDERS WITH REAL MONEY ON KALSHI",
        f"Kalshi: {settings.kalshi_base_url}",
        f"daily budget ${settings.budget_global} (btc ${settings.budget_btc_hourly}, "
        f"eth ${settings.budget_eth_hourly}, weather ${settings.budget_weather}), "
        f"loss halt ${settings.daily_loss_limit}",
        "stop all trading at once: kalshi-bots halt",
    ]
    return "\n".join([bar, *(f"!!  {line:<72}!!" for line in lines), bar])


def startup_lines(settings: Settings, jobs: frozenset[JobName]) -> list[str]:
    return [
        f"kalshi-bots: mode {settings.mode.value}, store {store_label(settings)}",
        f"kalshi: {settings.kalshi_base_url}  coinbase: {settings.coinbase_base_url}  "
        f"nws: {settings.nws_base_url}",
        f"jobs: {', '.join(sorted(j.value for j in jobs))}",
        "Ctrl-C stops after the running jobs finish.",
    ]


class Reporter:
    """One line per job outcome on stdout. A collector's first success per asset is shown, so a
    newcomer sees prices flowing; later routine collector successes stay in the JSON log only."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._collectors_seen: set[str] = set()

    def __call__(self, result: JobResult) -> None:
        routine = JobName(result.job) in COLLECTORS and result.outcome in (Outcome.OK, Outcome.SKIPPED)
        with _print_lock:
            if routine:
                if result.outcome is not Outcome.OK or result.job in self._collectors_seen:
                    return
                self._collectors_seen.add(result.job)
                line = describe_result(result) + "  (further collector runs: JSON log on stderr)"
            else:
                line = describe_result(result)
            print(line, file=self._out, flush=True)


def run_scheduler(
    settings: Settings,
    stop: threading.Event,
    *,
    out: TextIO,
    clock: Clock | None = None,
) -> int:
    from kalshi_bots.app.runner import run_job

    jobs = scheduled_jobs(settings)
    if settings.mode is Mode.LIVE:
        print(live_banner(settings), file=out, flush=True)
    for line in startup_lines(settings, jobs):
        print(line, file=out, flush=True)
    if JobName.WEATHER not in jobs:
        print("weather bot off: set KALSHI_BOTS_NWS_CONTACT (your e-mail or site) to enable it", file=out)
    deps = bootstrap.build_deps(settings, clock=clock)
    report = Reporter(out)

    def fire(job: JobName, at: datetime) -> JobResult:
        result = run_job(deps, job, at)
        report(result)
        return result

    # Wake at least every 3 world-seconds, so an accelerated sandbox clock never steps over a minute.
    speed = getattr(clock, "speed", 1.0)
    Scheduler(fire, deps.clock, enabled=jobs, stop_event=stop).run_forever(max_wait_s=min(1.0, 3.0 / speed))
    return 0


def run_local(
    settings: Settings,
    *,
    sandbox: bool,
    out: TextIO | None = None,
    speed: float = 1.0,
    start: datetime | None = None,
    clock: Clock | None = None,
) -> int:
    """Run until Ctrl-C/SIGTERM. ``sandbox``: start the fakes, trade paper against them, optionally
    with the whole world (fakes, jobs, scheduler) on a clock that starts at ``start`` and runs
    ``speed`` times faster than real time. ``clock`` replaces the system clock (a caller's injected
    time; with the sandbox it gives the default start)."""
    out = out or sys.stdout
    stop = threading.Event()
    install_stop_signals(stop)
    if not sandbox:
        return run_scheduler(settings, stop, out=out, clock=clock)

    from kalshi_bots.adapters.clock import AcceleratedClock
    from kalshi_bots.sandbox.launch import WEATHER_SERIES, Sandbox

    if start is not None or speed != 1.0:
        origin = start or (clock or bootstrap.system_clock()).now()
        clock = AcceleratedClock(origin, speed)
    world_time = clock.now if clock is not None else None
    with (
        tempfile.TemporaryDirectory(prefix="kalshi-bots-sandbox-") as tmp,
        Sandbox(clock=world_time) as fakes,
    ):
        # The fakes must move at least every few world-seconds, or prices look stale to the collector.
        fakes.keep_rolling(interval_s=5.0 / speed)
        urls = fakes.urls
        db = Path(tmp) / "kalshi-bots.db"
        sandboxed = settings.with_base_urls(kalshi=urls.kalshi, coinbase=urls.coinbase, nws=urls.nws)
        offline = {
            "mode": Mode.PAPER,
            "store": StoreKind.SQLITE,
            "sqlite_path": db,
            "nws_contact": settings.nws_contact or "sandbox@localhost",
            "weather_cities": WEATHER_SERIES,
        }
        sandboxed = sandboxed.model_copy(update=offline)
        print(
            f"sandbox: fake Kalshi {urls.kalshi}, Coinbase {urls.coinbase}, NWS {urls.nws}; paper mode; "
            f"state in {db} (deleted on exit; inspect meanwhile with KALSHI_BOTS_SQLITE_PATH={db})",
            file=out,
            flush=True,
        )
        if speed != 1.0:
            print(f"sandbox clock runs {speed:g}x faster than real time", file=out, flush=True)
        if start is not None:
            print(f"sandbox clock starts at {start:%Y-%m-%d %H:%M:%S}Z", file=out, flush=True)
        return run_scheduler(sandboxed, stop, out=out, clock=clock)
