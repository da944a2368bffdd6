"""A whole day through the local scheduler, over real HTTP against the sandbox fakes, on SQLite.

The clock is simulated (each minute is stepped, nothing sleeps) and the day is 2026-03-08, when New
York springs forward, so the hourly tickers and the 6 pm / 8 pm weather runs cross a DST change.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps, open_configured_store
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import event_ticker_for_close, hourly_target, next_top_of_hour
from kalshi_bots.domain.models import Asset, TradeStatus
from kalshi_bots.domain.volatility import compute_snapshot
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.cli_portfolio import SPEC_TRADE_ATTRIBUTES
from kalshi_bots.entrypoints.scheduler import Firing, Scheduler, enabled_jobs
from kalshi_bots.sandbox.launch import Sandbox

from .support import cheapen_no, sandbox_env

pytestmark = pytest.mark.slow

START = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)  # midnight EDT... 23:00 EST on Mar 7
END = START + timedelta(days=1)
NY = ZoneInfo("America/New_York")
FORCED_TRADE_HOURS = (9, 15, 21)  # UTC hours whose :45 sees a cheap NO ask on every strike
RETENTION_MIN = 1440


class Day:
    def __init__(self, firings: list[Firing], env: dict[str, str], elapsed: float) -> None:
        self.firings, self.env, self.elapsed = firings, env, elapsed
        self.store = open_configured_store(Settings.from_env(env))

    def results(self, job: JobName) -> list[JobResult]:
        out = []
        for firing in self.firings:
            if firing.job is job:
                assert isinstance(firing.result, JobResult)
                out.append(firing.result)
        return out


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    db = Path(tmp_path_factory.mktemp("day")) / "day.db"
    clock = ManualClock(START)
    with Sandbox(clock=clock.now) as world:
        env = sandbox_env(world, db, PRICE_RETENTION_MINUTES=str(RETENTION_MIN))
        settings = Settings.from_env(env)
        deps = build_deps(settings, clock=clock)
        scheduler = Scheduler(lambda job, at: run_job(deps, job, at), clock, enabled=enabled_jobs())

        def on_minute(minute: datetime) -> None:
            world.advance(clock.now())
            if minute.minute == 45 and minute.hour in FORCED_TRADE_HOURS:
                cheapen_no(world.kalshi, hourly_target(Asset.BTC, minute).event_ticker)

        started = time.monotonic()
        firings = scheduler.run_until(START, END, set_time=clock.set, on_minute=on_minute)
        elapsed = time.monotonic() - started
        scheduler.shutdown()
        yield Day(firings, env, elapsed)


def test_the_day_runs_fast(day):
    assert day.elapsed < 60, f"simulated day took {day.elapsed:.1f} s"


@pytest.mark.parametrize("asset", list(Asset))
def test_1440_price_rows_per_asset_and_cleanup_keeps_only_the_retention(day, asset):
    rows = day.store.prices_between(asset, START, END)
    assert len(rows) == 1440
    assert [r.at for r in rows] == [START + timedelta(minutes=i) for i in range(1440)]
    last_cleanup = END - timedelta(hours=1)
    cutoff = last_cleanup - timedelta(minutes=RETENTION_MIN)
    assert day.store.prices_between(asset, START - timedelta(days=1), cutoff) == []
    assert day.store.prices_between(asset, cutoff, START), "rows inside the retention were deleted"
    cleanups = day.results(JobName.CLEANUP)
    assert len(cleanups) == 24 and all(r.outcome is Outcome.OK for r in cleanups)


@pytest.mark.parametrize("asset", list(Asset))
def test_vol_latest_matches_the_stored_prices(day, asset):
    snapshot = day.store.get_volatility(asset)
    assert snapshot is not None
    last_minute = END - timedelta(minutes=1)
    assert snapshot.computed_at == last_minute
    ticks = day.store.prices_between(asset, last_minute - timedelta(minutes=130), END)
    expected = compute_snapshot(asset, ticks, last_minute)
    assert snapshot.windows == expected.windows
    assert snapshot.last_price == ticks[-1].price
    fifteen = snapshot.window(15)
    assert fifteen is not None and fifteen.sufficient and fifteen.std_pct is not None and fifteen.std_pct > 0


def test_24_hourly_decisions_each_for_the_next_top_of_the_hour(day):
    results = day.results(JobName.TRADE_BTC)
    assert len(results) == 24
    assert all(r.outcome in (Outcome.OK, Outcome.NO_TRADE) for r in results), [
        (r.scheduled_for, r.outcome, r.reason, r.detail)
        for r in results
        if r.outcome not in (Outcome.OK, Outcome.NO_TRADE)
    ]
    for r in results:
        assert r.scheduled_for.minute == 45
        assert r.data["event_ticker"] == event_ticker_for_close(Asset.BTC, next_top_of_hour(r.scheduled_for))
    traded = {r.scheduled_for.hour for r in results if r.outcome is Outcome.OK}
    assert set(FORCED_TRADE_HOURS) <= traded
    assert day.results(JobName.TRADE_ETH) == []  # off by default


def test_two_weather_runs_at_6pm_and_8pm_new_york(day):
    results = day.results(JobName.WEATHER)
    assert [r.scheduled_for.astimezone(NY).hour for r in results] == [18, 20]
    assert [r.scheduled_for.hour for r in results] == [22, 0]  # EDT after the change: UTC-4
    assert all(r.outcome is not Outcome.ERROR for r in results), [(r.reason, r.detail) for r in results]
    # Two quiet runs would pass the lines above: the day must also show weather trading for real.
    filled = [t for t in day.store.all_trades() if t.bot == "weather" and t.fill_count > 0]
    assert filled and all(t.status is TradeStatus.EXECUTED for t in filled), "weather never traded"


def test_reconcile_runs_hourly_and_leaves_nothing_pending(day):
    results = day.results(JobName.RECONCILE)
    assert len(results) == 24 and all(r.outcome is Outcome.OK for r in results)
    assert all(t.status is not TradeStatus.PENDING for t in day.store.all_trades())


def test_trade_log_rows_have_every_spec_attribute(day, capsys):
    assert main(["trades", "--json"], day.env) == 0
    rows = json.loads(capsys.readouterr().out)
    hourly = [r for r in rows if r["bot"] == "btc-hourly"]
    assert len(hourly) >= len(FORCED_TRADE_HOURS)
    for row in rows:
        assert set(SPEC_TRADE_ATTRIBUTES) <= set(row)
        assert row["pk"] == "TRADE" and row["side"] in ("YES", "NO")
        assert row["status"] in ("executed", "failed", "rejected")
        for name in ("contract_ticker", "quantity", "price_cents", "model_prob", "market_prob", "edge"):
            assert row[name] is not None, (name, row)
    for row in hourly:
        assert row["side"] == "NO" and row["mode"] == "paper"
        assert row["btc_price"] is not None and row["strike_price"] is not None
        assert row["kelly_fraction"] is not None and 0 < row["quantity"] <= 5
