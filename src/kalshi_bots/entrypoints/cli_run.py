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


def report(result: JobResult, out: TextIO) -> None:
    """One line per job outcome on stdout; routine collector successes stay in the JSON log only."""
    if JobName(result.job) in COLLECTORS and result.outcome in (Outcome.OK, Outcome.SKIPPED):
        return
    with _print_lock:
        print(describe_result(result), file=out, flush=True)


def run_scheduler(
    settings: Settings,
    stop: threading.Event,
    *,
    out: TextIO,
) -> int:
    from kalshi_bots.app.runner import run_job

    jobs = scheduled_jobs(settings)
    if settings.mode is Mode.LIVE:
        print(live_banner(settings), file=out, flush=True)
    for line in startup_lines(settings, jobs):
        print(line, file=out, flush=True)
    if JobName.WEATHER not in jobs:
        print("weather bot off: set KALSHI_BOTS_NWS_CONTACT (your e-mail or site) to enable it", file=out)
    deps = bootstrap.build_deps(settings)

    def fire(job: JobName, at: datetime) -> JobResult:
        result = run_job(deps, job, at)
        report(result, out)
        return result

    Scheduler(fire, deps.clock, enabled=jobs, stop_event=stop).run_forever()
    return 0


def run_local(settings: Settings, *, sandbox: bool, out: TextIO | None = None) -> int:
    """Run until Ctrl-C/SIGTERM. ``sandbox``: start the fakes, trade paper against them."""
    out = out or sys.stdout
    stop = threading.Event()
    install_stop_signals(stop)
    if not sandbox:
        return run_scheduler(settings, stop, out=out)

    from kalshi_bots.sandbox.launch import WEATHER_SERIES, Sandbox

    with tempfile.TemporaryDirectory(prefix="kalshi-bots-sandbox-") as tmp, Sandbox() as fakes:
        fakes.keep_rolling()
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
        return run_scheduler(sandboxed, stop, out=out)
