"""Defect 9 (runs): a killed run is shown as ``abandoned`` once its lease lapses, and ``job --at`` far
ahead of the clock is refused before it can trade early or block the real run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase

NOW = datetime(2026, 5, 4, 14, 26, 10, tzinfo=UTC)


@pytest.fixture
def coinbase() -> Iterator[FakeCoinbase]:
    with FakeCoinbase() as fake:
        fake.seed_demo(NOW)
        yield fake


def env_for(tmp_path: Path, coinbase: str) -> dict[str, str]:
    with_dead_port = "http://127.0.0.1:9"  # discard port: nothing listens; never the internet
    return {
        "KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "runs.db"),
        "KALSHI_BOTS_COINBASE_BASE_URL": coinbase,
        "KALSHI_BOTS_KALSHI_BASE_URL": with_dead_port,
        "KALSHI_BOTS_NWS_BASE_URL": with_dead_port,
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
    }


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_killed_run_shows_as_abandoned_once_its_lease_lapses(tmp_path, coinbase, capsys):
    coinbase.hang_forever()  # the run waits on Coinbase: killed mid-run, as by an OOM kill or a reboot
    env = env_for(tmp_path, coinbase.url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kalshi_bots.entrypoints.cli", "job", "collect-prices"],
        env={k: v for k, v in os.environ.items() if not k.startswith("KALSHI_BOTS_")} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"])
    try:
        deadline = time.monotonic() + 20
        while not coinbase.server.requests:  # claimed, and now waiting on Coinbase
            assert time.monotonic() < deadline and proc.poll() is None, "the run never reached Coinbase"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    (run,) = store.last_runs()
    assert run.outcome == "running"  # nothing recorded: the process died

    assert main(["status"], env, clock=FixedClock(run.lease_until - timedelta(seconds=1))) == 0
    assert f"{run.job:20} {run.scheduled_for:%Y-%m-%d %H:%M}Z  running" in capsys.readouterr().out
    assert main(["status"], env, clock=FixedClock(run.lease_until + timedelta(seconds=1))) == 0
    assert f"{run.job:20} {run.scheduled_for:%Y-%m-%d %H:%M}Z  abandoned" in capsys.readouterr().out

    # An abandoned run may be taken over: running the same scheduled minute again does the work.
    coinbase.release_hangs()
    coinbase.seed_demo(run.lease_until)  # the fake's prices move on to the takeover's time
    later = FixedClock(run.lease_until + timedelta(seconds=1))
    assert main(["job", "collect-prices", "--at", run.scheduled_for.isoformat()], env, clock=later) == 0
    assert store.get_run(run.job, run.scheduled_for).outcome == "ok"


def test_at_the_next_hours_45_is_refused_and_does_not_block_the_real_run(tmp_path, coinbase, capsys):
    env = env_for(tmp_path, coinbase.url)
    next_45 = (NOW + timedelta(hours=1)).replace(minute=45, second=0)  # 79 minutes ahead
    code = main(["job", "trade-hourly", "--at", next_45.isoformat()], env, clock=FixedClock(NOW))
    assert code == 2
    err = capsys.readouterr().err
    assert "79 minutes ahead of the clock" in err and "at most 5 minutes" in err
    store = SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"])
    assert store.get_run("trade-hourly-btc", next_45) is None  # the real 15:45 run can still claim it


@pytest.mark.parametrize(("ahead", "refused"), [(timedelta(minutes=6), True), (timedelta(minutes=5), False)])
def test_at_may_be_a_few_minutes_ahead_at_most(tmp_path, coinbase, capsys, ahead, refused):
    env = env_for(tmp_path, coinbase.url)
    at = (NOW + ahead).replace(second=0)
    clock = FixedClock(at - ahead)
    code = main(["job", "collect-prices", "--at", at.isoformat()], env, clock=clock)
    assert ("ahead of the clock" in capsys.readouterr().err) == refused
    # Refused: a usage error and no run claimed. Accepted: the run is claimed and runs (the collector may
    # still refuse a price stamped after its clock, which is its own rule, not the --at limit).
    assert (code == 2) == refused
    assert (SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"]).get_run("collect-prices-btc", at) is None) == refused


def test_past_minutes_stay_allowed(tmp_path, coinbase):
    env = env_for(tmp_path, coinbase.url)
    past = NOW.replace(second=0) - timedelta(minutes=3)
    assert main(["job", "collect-prices", "--at", past.isoformat()], env, clock=FixedClock(NOW)) == 0
    assert SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"]).get_run("collect-prices-btc", past.astimezone(UTC))
