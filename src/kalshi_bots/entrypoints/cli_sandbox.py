"""``kalshi-bots sandbox``: the three fakes on their own, with the ``export`` lines that point the app at
them (for running ``job``, ``run``, ``dashboard`` or a debugger against an offline world)."""

from __future__ import annotations

import shlex
import sys
import threading
from pathlib import Path
from typing import TextIO

from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.domain.models import Mode
from kalshi_bots.entrypoints.scheduler import install_stop_signals
from kalshi_bots.sandbox.launch import WEATHER_SERIES, Sandbox, SandboxUrls, sandbox_environment


def sandbox_settings(settings: Settings, urls: SandboxUrls, db: Path) -> Settings:
    """``settings`` pointed at the fakes: paper mode, SQLite at ``db``, weather on for the fakes' cities."""
    sandboxed = settings.with_base_urls(kalshi=urls.kalshi, coinbase=urls.coinbase, nws=urls.nws)
    offline = {
        "mode": Mode.PAPER,
        "store": StoreKind.SQLITE,
        "sqlite_path": db,
        "nws_contact": settings.nws_contact or "sandbox@localhost",
        "weather_cities": WEATHER_SERIES,
        "alert_webhooks": None,  # a sandbox never posts to your real Slack
    }
    return sandboxed.model_copy(update=offline)


SANDBOX_DB = Path("kalshi-bots-sandbox.db")  # never the real ./kalshi-bots.db: sandbox trades stay apart


def export_lines(urls: SandboxUrls, db: Path) -> list[str]:
    env = sandbox_environment(urls)
    env["KALSHI_BOTS_SQLITE_PATH"] = str(db.expanduser().resolve())
    return [f"export {name}={shlex.quote(value)}" for name, value in env.items()]


def run_fakes(
    *, db: Path | None = None, out: TextIO | None = None, stop: threading.Event | None = None
) -> int:
    """Start the fakes in real time, print the exports, serve until Ctrl-C."""
    out = out or sys.stdout
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        install_stop_signals(stop)
    with Sandbox() as world:
        world.keep_rolling(interval_s=5.0)
        print("# kalshi-bots sandbox: fake Kalshi, Coinbase and NWS on 127.0.0.1, in real time.", file=out)
        print("# Paste these lines into another shell, then e.g. `kalshi-bots run` or", file=out)
        print("# `kalshi-bots db init && kalshi-bots job collect-prices`:", file=out)
        for line in export_lines(world.urls, db or SANDBOX_DB):
            print(line, file=out)
        print("# Ctrl-C stops the fakes.", file=out, flush=True)
        stop.wait()
    return 0
