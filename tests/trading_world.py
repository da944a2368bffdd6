"""A sandbox world on a manual clock in which the hourly bot trades once and the market settles.

Shared by the alerts and dashboard tests (importable as ``trading_world``: the suite's root conftest
puts ``tests/`` on the path). Everything runs in-process over real HTTP against the sandbox fakes, on
SQLite, in paper mode; nothing sleeps and nothing depends on the minute the test starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.results import JobResult
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.launch import WEATHER_SERIES, Sandbox

if TYPE_CHECKING:
    from kalshi_bots.entrypoints.dashboard import Dashboard

TRADE_AT = datetime(2026, 3, 10, 14, 45, tzinfo=UTC)  # a Tuesday; New York is on EDT (UTC-4)
SETTLE_AT = TRADE_AT + timedelta(minutes=25)  # 15:10Z: the 15:00 market settled, hourly reconcile


def world_env(world: Sandbox, db: Path, **extra: str) -> dict[str, str]:
    urls = world.urls
    env = {
        "KALSHI_BOTS_SQLITE_PATH": str(db),
        "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
        "KALSHI_BOTS_NWS_CONTACT": "tests@example.com",
        "KALSHI_BOTS_WEATHER_CITIES": ",".join(WEATHER_SERIES),
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
    }
    return env | {f"KALSHI_BOTS_{k}": v for k, v in extra.items()}


def cheapen_no(world: Sandbox, event_ticker: str, no_ask: Decimal = Decimal("0.25")) -> None:
    """Quote every market of the event with a NO ask far below any sensible model price."""
    fake = world.kalshi
    with fake.server.lock:
        tickers = list(fake.state.events[event_ticker].market_tickers)
    for ticker in tickers:
        fake.set_quote(ticker, yes_bid=Decimal(1) - no_ask, yes_ask=Decimal(1) - no_ask + Decimal("0.02"))


@dataclass
class TradingWorld:
    world: Sandbox
    clock: ManualClock
    env: dict[str, str]
    deps: Deps

    def at(self, moment: datetime) -> None:
        self.clock.set(moment + timedelta(seconds=1))
        self.world.advance(self.clock.now())

    def run(self, job: JobName, moment: datetime) -> JobResult:
        self.at(moment)
        return run_job(self.deps, job, moment)

    def trade(self, moment: datetime = TRADE_AT) -> JobResult:
        """Fresh prices at ``moment`` (a :45), a cheap NO ask on every strike, then the hourly bot's run."""
        self.run(JobName.COLLECT_BTC, moment)
        cheapen_no(self.world, hourly_target(Asset.BTC, moment).event_ticker)
        return run_job(self.deps, JobName.TRADE_BTC, moment)

    def settle(self) -> JobResult:
        return self.run(JobName.RECONCILE, SETTLE_AT)


@contextmanager
def trading_world(db: Path, **extra_env: str) -> Iterator[TradingWorld]:
    clock = ManualClock(TRADE_AT - timedelta(minutes=20))
    with Sandbox(clock=clock.now) as world:
        env = world_env(world, db, **extra_env)
        deps = build_deps(Settings.from_env(env), clock=clock)
        yield TradingWorld(world, clock, env, deps)


@contextmanager
def dashboard_over_trades(
    db: Path, hours: int = 1, **extra_env: str
) -> Iterator[tuple[TradingWorld, Dashboard]]:
    """A world with ``hours`` settled hourly trades and one open position (the next hour's market), and
    the dashboard serving its store on a free port of 127.0.0.1, on the world's clock."""
    from kalshi_bots.bootstrap import open_configured_store
    from kalshi_bots.entrypoints.dashboard import source_from_settings, start_dashboard
    from kalshi_bots.entrypoints.scheduler import scheduled_jobs

    with trading_world(db, **extra_env) as world:
        for hour in range(hours):
            world.trade(TRADE_AT + timedelta(hours=hour))
            world.run(JobName.RECONCILE, SETTLE_AT + timedelta(hours=hour))
        world.trade(TRADE_AT + timedelta(hours=hours))
        settings = Settings.from_env(world.env)
        source = source_from_settings(
            settings, store=open_configured_store(settings), clock=world.clock, jobs=scheduled_jobs(settings)
        )
        dashboard = start_dashboard(settings, source, port=0)
        try:
            yield world, dashboard
        finally:
            dashboard.stop()
