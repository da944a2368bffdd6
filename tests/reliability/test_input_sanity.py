"""Defect 2 of issue 10: the hourly bot traded on data its own collector rejects, or that cannot be what
it claims to be. Each fault is injected into the real local fakes and the job runs as the CLI runs it;
the run must refuse with its own reason (result, log, ``status``), with nothing written and no order.

On the code before the fix every fault below ended in an order (or, for the foreign event, in a
refusal for an unrelated reason).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.app.results import Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.sandbox.kalshi import FakeMarket
from kalshi_bots.sandbox.launch import Sandbox

from .hourly_world import TARGET, HourlyWorld, start_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HourlyWorld]:
    sandbox, hourly = start_world(tmp_path / "sanity.db")
    try:
        yield hourly
    finally:
        sandbox.stop()


def assert_refused_cleanly(
    world: HourlyWorld,
    reason: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("INFO", logger="kalshi_bots"):
        result = world.trade()
    assert result.outcome is Outcome.NO_TRADE, result
    assert result.reason == reason, result
    refused = [r for r in caplog.records if getattr(r, "event", "") == "trade.refused"]
    assert [r.fields["reason"] for r in refused] == [reason]  # type: ignore[attr-defined]
    assert world.status_detail(JobName.TRADE_BTC).startswith(reason)
    capsys.readouterr()
    assert main(["status"], world.env) == 0
    assert reason in capsys.readouterr().out
    # Nothing was written and nothing was sent: the hour is still free for a sane run.
    assert world.trades() == [] and world.reservations() == [] and world.spent() == 0
    assert world.orders_sent() == 0


def test_control_without_a_fault_the_same_world_trades(world: HourlyWorld) -> None:
    result = world.trade()
    assert result.outcome is Outcome.OK, result
    assert len(world.trades()) == 1 and world.orders_sent() == 1


def test_a_tick_half_below_the_candles_is_rejected_by_the_collector_and_not_traded(
    world: HourlyWorld, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    world.sandbox.coinbase.jump_next(Asset.BTC, "0.5", times=2)
    collected = world.collect()
    assert collected.outcome is Outcome.ERROR and collected.reason == "price_jump", collected
    assert_refused_cleanly(world, "spot_disagrees", capsys, caplog)


@pytest.mark.parametrize("ahead", [timedelta(days=1), timedelta(seconds=30)], ids=["a-day", "30s"])
def test_a_ticker_stamped_in_the_future_is_refused(
    world: HourlyWorld,
    ahead: timedelta,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    world.sandbox.coinbase.future_tick_next(Asset.BTC, ahead)
    assert_refused_cleanly(world, "future_timestamp", capsys, caplog)


def test_the_collector_does_not_store_a_ticker_from_the_future(world: HourlyWorld) -> None:
    world.sandbox.coinbase.future_tick_next(Asset.BTC, timedelta(days=1))
    collected = world.collect()
    assert collected.outcome is Outcome.ERROR and collected.reason == "price_future", collected


@pytest.mark.parametrize("factor", ["100", "1e30", "0.01"])
def test_strikes_scaled_out_of_any_plausible_band_are_refused(
    world: HourlyWorld,
    factor: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    world.sandbox.kalshi.scale_strikes_next(factor)
    assert_refused_cleanly(world, "strikes_implausible", capsys, caplog)


def _twin_event(sandbox: Sandbox, twin: str) -> None:
    """Another event with the target's close time and strikes (the one a confused reply could carry)."""
    kalshi = sandbox.kalshi
    with kalshi.server.lock:
        originals = [kalshi.state.markets[t] for t in kalshi.state.events[TARGET.event_ticker].market_tickers]
    copies = [
        FakeMarket(
            ticker=f"{twin}-T{m.floor_strike}",
            event_ticker=twin,
            close_time=m.close_time,
            floor_strike=m.floor_strike,
        )
        for m in originals
    ]
    kalshi.add_event(twin, "KXBTCD", *copies, exchange_index=2)


def test_an_event_reply_carrying_another_events_markets_is_refused(
    world: HourlyWorld, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    twin = TARGET.event_ticker + "B"
    _twin_event(world.sandbox, twin)
    world.quote_target_cheap(twin)
    world.sandbox.kalshi.foreign_markets_next(TARGET.event_ticker, twin)
    assert_refused_cleanly(world, "foreign_market", capsys, caplog)


FaultInjector = Callable[[HourlyWorld], object]


@pytest.mark.parametrize(
    ("inject", "reason"),
    [
        (lambda w: w.sandbox.coinbase.jump_next(Asset.BTC, "1.5"), "spot_disagrees"),
        (lambda w: w.sandbox.kalshi.scale_strikes_next(Decimal(100)), "strikes_implausible"),
        (lambda w: w.sandbox.kalshi.over_precise_next("0.25001"), "price_off_tick"),
    ],
    ids=["spot-50pct-above", "strikes-x100", "over-precise-ask"],
)
def test_a_refused_hour_is_not_lost_the_next_sane_run_trades(
    world: HourlyWorld, inject: FaultInjector, reason: str
) -> None:
    inject(world)
    refused = world.run(JobName.TRADE_BTC, world.clock.now().replace(second=0) - timedelta(minutes=1))
    assert refused.reason == reason, refused
    world.clock.advance(timedelta(seconds=20))
    result = world.trade()  # the :45 run, once the data is sane again
    assert result.outcome is Outcome.OK, result
    assert len(world.trades()) == 1 and world.orders_sent() == 1
