"""Issue 10, defect 4: ``halt`` stops a run that is already in flight.

The exchange is made slow on the last read before the order (the balance): the run is held there, the
kill switch is set, the reply is released. The order path re-checks the switch (and the budget and the
loss gate) right before the POST, so no order reaches the exchange. Same for weather.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.app import risk
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.app.weather_job import weather
from kalshi_bots.domain.models import Asset, TradeStatus

from .money_world import (
    HOURLY_SCHED,
    WEATHER_RUN,
    MoneyWorld,
    hourly_order_id,
    list_hourly_event,
    list_weather_events,
    make_store,
    money_world,
)

D = Decimal
BALANCE = "^/portfolio/balance$"


def _run_in_thread(job: Callable[[], JobResult]) -> tuple[threading.Thread, list[JobResult]]:
    out: list[JobResult] = []
    thread = threading.Thread(target=lambda: out.append(job()))
    thread.start()
    return thread, out


def _halt_while_the_exchange_is_slow(world: MoneyWorld, job: Callable[[], JobResult]) -> JobResult:
    hold = world.fake.hold_next(path=BALANCE, method="GET")
    thread, out = _run_in_thread(job)
    assert hold.arrived.wait(10), "the run never reached the exchange's balance"
    risk.halt(world.raw_store, "operator: stop now")  # the CLI's `halt`, mid-run
    hold.release()
    thread.join(30)
    assert not thread.is_alive()
    [result] = out
    return result


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_halt_during_a_slow_hourly_run_sends_no_order(tmp_path: Path, store_kind: str) -> None:
    with money_world(HOURLY_SCHED, store=make_store(store_kind, tmp_path)) as world:
        list_hourly_event(world)
        result = _halt_while_the_exchange_is_slow(
            world, lambda: trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)
        )
        assert world.fake.orders == []
        assert (result.outcome, result.reason) == (Outcome.NO_TRADE, "kill_switch"), result
        # The decision's record says why nothing was sent, and its budget is given back.
        trade = world.trade(hourly_order_id())
        assert trade.status is TradeStatus.FAILED and trade.reason == "kill_switch"
        assert world.spent() == 0


def test_halt_during_a_slow_weather_run_sends_no_order(tmp_path: Path) -> None:
    with money_world(WEATHER_RUN, store=make_store("sqlite", tmp_path)) as world:
        list_weather_events(world)
        result = _halt_while_the_exchange_is_slow(world, lambda: weather(world.deps(), WEATHER_RUN))
        assert world.fake.orders == []
        assert result.outcome is Outcome.NO_TRADE and result.reason == "kill_switch", result
        assert world.spent("weather") == 0


def test_without_a_halt_the_same_slow_run_trades(tmp_path: Path) -> None:
    """The control: the hold alone does not stop anything, so the tests above test the switch."""
    with money_world(HOURLY_SCHED, store=make_store("sqlite", tmp_path)) as world:
        list_hourly_event(world)
        hold = world.fake.hold_next(path=BALANCE, method="GET")
        thread, out = _run_in_thread(lambda: trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC))
        assert hold.arrived.wait(10)
        world.clock.advance(timedelta(seconds=2))
        hold.release()
        thread.join(30)
        assert out[0].outcome is Outcome.OK, out
        assert len(world.fake.orders) == 1
