"""record-market: a priced ladder snapshot at each configured minute, settlements at :45, never an order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.app.deps import JobParams, RecorderParams
from kalshi_bots.app.recorder import record_market
from kalshi_bots.app.results import Outcome
from kalshi_bots.domain.market_snapshot import RecordedEvent, Trigger
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset, Event, Market
from kalshi_bots.ports.errors import TransientError

from .fakes import FakeMarketData, World, hourly_market, make_world, vol_snapshot

D = Decimal
HOUR = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
CLOSE = HOUR + timedelta(hours=1)
EVENT = hourly_target(Asset.BTC, HOUR + timedelta(minutes=45)).event_ticker  # KXBTCD-26NOV2410


def ladder(event: str, close: datetime) -> tuple[Market, ...]:
    return tuple(
        hourly_market(event, strike, close, no_ask)
        for strike, no_ask in (
            ("99749.99", "0.20"),
            ("99999.99", "0.45"),
            ("100249.99", "0.80"),
            ("100499.99", "0.95"),
        )
    )


def world(minute: int = 47) -> World:
    at = HOUR + timedelta(minutes=minute, seconds=5)
    w = make_world(at)
    w.data.add_event(Event(EVENT, "KXBTCD", ladder(EVENT, CLOSE), exchange_index=2))
    w.store.put_volatility(vol_snapshot(Asset.BTC, at - timedelta(seconds=30)))
    return w


def run(w: World, minute: int = 47, params: JobParams | None = None, **deps: Any) -> Any:
    return record_market(
        w.deps(params=params or JobParams(), **({"snapshots": w.store} | deps)),
        HOUR + timedelta(minutes=minute),
    )


def stored(w: World) -> list[Any]:
    return w.store.snapshots_between(HOUR, HOUR + timedelta(hours=2))


def test_records_the_whole_ladder_priced_and_never_trades() -> None:
    w = world()
    result = run(w)
    assert result.outcome is Outcome.OK and result.data["recorded"] == [EVENT]
    [snap] = stored(w)
    assert snap.trigger is Trigger.MINUTE and snap.bot == "btc-hourly" and snap.mode == ""
    assert snap.scheduled_for == HOUR + timedelta(minutes=47) and snap.at == w.clock.now()
    assert snap.close_time == CLOSE and snap.event_ticker == EVENT and snap.series_ticker == "KXBTCD"
    assert [s.floor_strike for s in snap.strikes] == [
        D("99749.99"),
        D("99999.99"),
        D("100249.99"),
        D("100499.99"),
    ]
    assert snap.strikes[2].no_ask == D("0.80") and snap.strikes[2].yes_bid == D("0.20")
    ps = [s.model_p_no for s in snap.strikes]
    assert all(p is not None for p in ps) and ps == sorted(ps)  # P(NO) rises with the strike
    assert snap.spot == D(100000) and snap.model == "ewma-t" and snap.vol_15m_std_pct is not None
    assert not snap.looked_at  # a minute snapshot looks at nothing: the scorecard ignores it
    assert w.exchange.orders == [] and w.store.all_trades() == []


def test_a_rerun_of_the_minute_stores_nothing_new() -> None:
    w = world()
    run(w)
    w.clock.advance(timedelta(seconds=20))
    assert run(w).outcome is Outcome.OK
    [snap] = stored(w)
    assert snap.at == HOUR + timedelta(minutes=47, seconds=5)  # the first read is kept


def test_only_the_configured_minutes_record_a_ladder() -> None:
    w = world()
    params = JobParams(recorder=RecorderParams(minutes=(45, 50)))
    result = run(w, 47, params)
    assert result.outcome is Outcome.OK and result.reason == "nothing_to_record"
    assert stored(w) == [] and "get_event" not in w.data.calls


def test_eth_is_recorded_when_it_trades() -> None:
    w = world()
    eth_event = hourly_target(Asset.ETH, HOUR + timedelta(minutes=47)).event_ticker
    w.data.add_event(Event(eth_event, "KXETHD", ladder(eth_event, CLOSE), exchange_index=2))
    w.store.put_volatility(vol_snapshot(Asset.ETH, w.clock.now() - timedelta(seconds=30)))
    result = run(w, params=JobParams(trade_assets=(Asset.BTC, Asset.ETH)))
    assert result.data["recorded"] == [EVENT, eth_event]
    assert {s.bot for s in stored(w)} == {"btc-hourly", "eth-hourly"}


def test_stale_volatility_or_a_jumping_spot_records_the_ladder_unpriced() -> None:
    stale = world()
    stale.store.put_volatility(vol_snapshot(Asset.BTC, stale.clock.now() - timedelta(minutes=10)))
    jumping = world()
    jumping.prices.override = D(150000)  # 50 % away from what the collector accepted
    for w in (stale, jumping):
        assert run(w).outcome is Outcome.OK
        [snap] = stored(w)
        assert len(snap.strikes) == 4 and all(s.model_p_no is None for s in snap.strikes)


def test_without_spot_the_ladder_is_still_recorded() -> None:
    w = world()
    w.prices.fail_ticker = True
    assert run(w).outcome is Outcome.OK
    [snap] = stored(w)
    assert snap.spot is None and all(s.model_p_no is None for s in snap.strikes)


class FailingData(FakeMarketData):
    def get_event(self, event_ticker: str) -> Event:
        raise TransientError("kalshi", "503 after retries")


def test_kalshi_failing_is_a_transient_error_and_stores_nothing() -> None:
    w = world()
    failing = FailingData()
    failing.events = w.data.events
    result = record_market(w.deps(exchange=failing, snapshots=w.store), HOUR + timedelta(minutes=47))
    assert result.outcome is Outcome.ERROR and result.transient and "503" in result.detail
    assert stored(w) == []


def test_another_events_markets_are_not_recorded_under_this_event() -> None:
    w = world()
    other = "KXBTCD-26NOV2411"
    w.data.events[EVENT] = Event(EVENT, "KXBTCD", ladder(other, CLOSE + timedelta(hours=1)), exchange_index=2)
    result = run(w)
    assert result.outcome is Outcome.ERROR and not result.transient and stored(w) == []


def test_a_late_run_records_no_ladder() -> None:
    w = world(minute=47)
    w.clock.set(HOUR + timedelta(minutes=52))  # five minutes late: not the 47th minute's ladder any more
    assert run(w, 47).reason == "nothing_to_record" and stored(w) == []


def test_no_snapshot_store_says_so() -> None:
    w = world()
    result = run(w, snapshots=None)
    assert result.outcome is Outcome.NO_TRADE and result.reason == "recorder_off"


def test_at_45_settles_recorded_events_once_every_market_has_a_result() -> None:
    w = world(minute=47)
    run(w)  # records EVENT (closes at 15:00)
    next_hour = HOUR + timedelta(hours=1)
    w.clock.set(next_hour + timedelta(minutes=45, seconds=5))
    w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now() - timedelta(seconds=30)))
    upcoming = hourly_target(Asset.BTC, next_hour + timedelta(minutes=45)).event_ticker
    w.data.add_event(
        Event(upcoming, "KXBTCD", ladder(upcoming, CLOSE + timedelta(hours=1)), exchange_index=2)
    )
    # Not settled yet: nothing stored, the event stays on the to-do list.
    assert run(w, 105).data["settled"] == []
    for m in w.data.events[EVENT].markets:
        w.data.update_market(m.ticker, result="no" if m.floor_strike and m.floor_strike > 100000 else "yes")
    w.clock.advance(timedelta(hours=1))
    w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now() - timedelta(seconds=30)))
    result = run(w, 165)
    assert EVENT in result.data["settled"]
    [settled] = w.store.event_results(CLOSE, CLOSE + timedelta(seconds=1))
    assert settled.outcome(f"{EVENT}-T100249.99") == "no" and settled.outcome(f"{EVENT}-T99999.99") == "yes"
    assert RecordedEvent(EVENT, "KXBTCD", CLOSE) not in w.store.unsettled_events(HOUR, w.clock.now())


def test_settlements_are_looked_up_only_at_the_first_minute_of_the_window() -> None:
    w = world(minute=47)
    run(w)
    w.clock.set(CLOSE + timedelta(minutes=46, seconds=5))
    w.data.calls.clear()
    run(w, 106, JobParams(recorder=RecorderParams(minutes=())))
    assert w.data.calls == []


def test_a_recorded_event_past_the_lookback_is_no_longer_asked_for() -> None:
    w = world(minute=47)
    run(w)
    w.clock.set(CLOSE + timedelta(days=4, minutes=45, seconds=5))
    w.data.calls.clear()
    params = JobParams(recorder=replace(RecorderParams(), minutes=()))
    assert run(w, 45 + 4 * 24 * 60 + 60, params).data["settled"] == []
    assert w.data.calls == []
