"""An offline world for the hourly bot on a fixed clock: the sandbox fakes over real HTTP, a SQLite file,
and the job run exactly as the CLI and the scheduler run it (``run_job`` on ``build_deps``).

The clock is a :class:`ManualClock` shared by the fakes and the jobs, so nothing here depends on the
minute the suite starts. At :data:`T` (09:45 EST) the target is ``KXBTCD-26NOV2410``, closing 15:00Z.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.paper import ORDER_KIND
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.results import JobResult
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset, BudgetReservation, TradeRecord
from kalshi_bots.sandbox.launch import Sandbox

T = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)
TARGET = hourly_target(Asset.BTC, T)
CHEAP_NO = Decimal("0.25")  # far below any sane model price for the strikes the bot picks


def world_env(sandbox: Sandbox, db: Path, **extra: str) -> dict[str, str]:
    urls = sandbox.urls
    env = {
        "KALSHI_BOTS_SQLITE_PATH": str(db),
        "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
    }
    return env | {f"KALSHI_BOTS_{k}": v for k, v in extra.items()}


@dataclass
class HourlyWorld:
    sandbox: Sandbox
    clock: ManualClock
    env: dict[str, str]

    @property
    def store(self) -> SqliteStore:
        return SqliteStore(self.env["KALSHI_BOTS_SQLITE_PATH"])

    def deps(self) -> Deps:
        return build_deps(Settings.from_env(self.env), clock=self.clock)

    def run(self, job: JobName, at: datetime = T) -> JobResult:
        return run_job(self.deps(), job, at)

    def trade(self) -> JobResult:
        return self.run(JobName.TRADE_BTC)

    def collect(self) -> JobResult:
        return self.run(JobName.COLLECT_BTC)

    def quote_target_cheap(self, event_ticker: str = TARGET.event_ticker) -> None:
        """Every strike of the event at a NO ask of 25 cents: the bot sees an edge whichever it picks."""
        kalshi = self.sandbox.kalshi
        with kalshi.server.lock:
            tickers = list(kalshi.state.events[event_ticker].market_tickers)
        for ticker in tickers:
            kalshi.set_quote(ticker, yes_bid=1 - CHEAP_NO, yes_ask=1 - CHEAP_NO + Decimal("0.02"))

    def trades(self) -> list[TradeRecord]:
        return self.store.all_trades()

    def spent(self) -> Decimal:
        limits = self.deps().params.budget
        return self.store.budget_state("btc-hourly", risk.trading_day(self.clock.now()), limits).spent

    def orders_sent(self) -> int:
        """Orders that reached an exchange: the paper exchange's (paper mode) or the fake Kalshi's."""
        return len(self.store.list_docs(ORDER_KIND)) + len(self.sandbox.kalshi.orders)

    def reservations(self) -> list[BudgetReservation]:
        """Budget held today (ET) by any bot: empty when nothing was reserved."""
        return self.store.reservations(risk.trading_day(self.clock.now()))

    def status_detail(self, job: JobName) -> str:
        runs = {run.job: run for run in self.store.last_runs()}
        return runs[job.value].detail


def start_world(db: Path, *, collect: bool = True, **env: str) -> tuple[Sandbox, HourlyWorld]:
    """Fakes seeded at T - 55 s; the collector run at T - 1 min (unless ``collect=False``); the clock
    then moved to T + 5 s with a fresh minute of prices and the target event quoted cheap. The caller
    stops the sandbox."""
    clock = ManualClock(T - timedelta(seconds=55))
    sandbox = Sandbox(clock=clock.now).start()
    world = HourlyWorld(sandbox, clock, world_env(sandbox, db, **env))
    if collect:
        result = world.run(JobName.COLLECT_BTC, T - timedelta(minutes=1))
        assert result.outcome.value == "ok", result
    clock.set(T + timedelta(seconds=5))
    sandbox.advance(clock.now())
    world.quote_target_cheap()
    return sandbox, world
