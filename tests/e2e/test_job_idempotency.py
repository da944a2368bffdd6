"""`kalshi-bots job trade-hourly --at T` over real HTTP, demo mode, signed with a key made at test time.

Exactly one order reaches the fake Kalshi however often (and however concurrently) the run is started,
and an order whose reply is lost is found by reconciliation instead of being sent again.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from kalshi_bots.adapters.clock import AcceleratedClock, FixedClock
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset, TradeStatus
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.sandbox.launch import Sandbox

from .support import at_minute_45, cheapen_no


def prepare(world: Sandbox, env: dict[str, str], clock: AcceleratedClock) -> datetime:
    """Collect a price (fresh VOL/LATEST), make the target event tradeable, return T (this hour's :45)."""
    assert main(["job", "collect-prices", "--asset", "BTC"], env, clock=clock) == 0
    at = at_minute_45(clock.now())
    cheapen_no(world.kalshi, hourly_target(Asset.BTC, at).event_ticker)
    return at


def orders(world: Sandbox) -> list[dict[str, object]]:
    return world.kalshi.orders


def test_trade_hourly_twice_places_one_order(world, demo_env, clock, capsys):
    at = prepare(world, demo_env, clock)
    argv = ["job", "trade-hourly", "--at", at.isoformat()]
    assert main(argv, demo_env, clock=clock) == 0
    first = capsys.readouterr().out
    assert ": ok" in first, first
    assert main(argv, demo_env, clock=clock) == 0  # the same scheduled run: the claim says it is done
    assert "skipped (already_claimed)" in capsys.readouterr().out
    # Another minute of the same hour: a new run, but the hour's client_order_id is already logged.
    earlier = ["job", "trade-hourly", "--at", (at - timedelta(minutes=1)).isoformat()]
    assert main(earlier, demo_env, clock=clock) == 0
    assert "already_traded" in capsys.readouterr().out
    assert len(orders(world)) == 1
    trades = SqliteStore(demo_env["KALSHI_BOTS_SQLITE_PATH"]).all_trades()
    assert len(trades) == 1 and trades[0].status is TradeStatus.EXECUTED
    assert trades[0].order_id == orders(world)[0]["order_id"]


def test_trade_hourly_twice_concurrently_places_one_order(world, demo_env, clock):
    at = prepare(world, demo_env, clock)
    codes: list[int] = []
    start = threading.Barrier(2)

    def run(minute: datetime) -> None:
        start.wait()
        codes.append(main(["job", "trade-hourly", "--at", minute.isoformat()], demo_env, clock=clock))

    # Same scheduled minute in one pair of threads, then two different minutes of the same hour.
    for pair in ((at, at), (at - timedelta(minutes=2), at - timedelta(minutes=3))):
        threads = [threading.Thread(target=run, args=(m,)) for m in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert codes == [0, 0, 0, 0]
    assert len(orders(world)) == 1


def test_lost_order_reply_is_repaired_by_reconcile_without_a_second_order(world, demo_env, clock, capsys):
    at = prepare(world, demo_env, clock)
    # The exchange accepts the order, then the connection dies; the lookups by client_order_id fail too,
    # so the run cannot tell whether the order exists: as if the process had crashed after the POST.
    world.kalshi.crash_after_accept(mode="drop")
    world.kalshi.fail_next(404, times=3, path="/portfolio/orders$", method="GET")
    assert main(["job", "trade-hourly", "--at", at.isoformat()], demo_env, clock=clock) == 1
    assert "order_outcome_unknown" in capsys.readouterr().out
    store = SqliteStore(demo_env["KALSHI_BOTS_SQLITE_PATH"])
    (pending,) = store.all_trades()
    assert pending.status is TradeStatus.PENDING and len(orders(world)) == 1

    # The next reconcile run, a couple of minutes later (reconcile leaves a trade alone for its first
    # minute, when the run that wrote it may still be waiting for the answer).
    later = FixedClock(clock.now() + timedelta(minutes=2))
    deps = build_deps(Settings.from_env(demo_env), clock=later)
    result = run_job(deps, JobName.RECONCILE, later.now())
    assert result.outcome is Outcome.OK and result.data["resolved"] == 1, result
    (repaired,) = store.all_trades()
    assert repaired.status is TradeStatus.EXECUTED
    assert repaired.order_id == orders(world)[0]["order_id"]
    assert repaired.fill_count > 0

    earlier = ["job", "trade-hourly", "--at", (at - timedelta(minutes=1)).isoformat()]
    assert main(earlier, demo_env, clock=clock) == 0
    assert "already_traded" in capsys.readouterr().out
    assert len(orders(world)) == 1
