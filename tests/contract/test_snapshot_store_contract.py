"""The recorder's storage contract (ports.snapshots.SnapshotStore): memory, SQLite and DynamoDB Local
answer the same way. Same ``store`` fixture as the main contract suite (page size 3 on DynamoDB)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import cast

import pytest

from kalshi_bots.domain.market_snapshot import (
    EventResult,
    MarketSnapshot,
    RecordedEvent,
    StrikeQuote,
    TradeDecision,
    Trigger,
)
from kalshi_bots.domain.models import Bot
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import Store

D = Decimal
T0 = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)
CLOSE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"


def strike(k: str, p: float | None = 0.5, **changes: object) -> StrikeQuote:
    base = StrikeQuote(
        ticker=f"{EVENT}-T{k}",
        strike_type="greater",
        floor_strike=D(k),
        cap_strike=None,
        yes_bid=D("0.4100"),
        yes_ask=D("0.43"),
        no_bid=D("0.57"),
        no_ask=D("0.59"),
        yes_bid_size=D("120.50"),
        yes_ask_size=D(7),
        model_p_no=p,
        looked_at=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def snapshot(minute: int = 0, **changes: object) -> MarketSnapshot:
    at = T0 + timedelta(minutes=minute)
    base = MarketSnapshot(
        scheduled_for=at,
        at=at + timedelta(seconds=2, microseconds=345),
        trigger=Trigger.MINUTE,
        bot=Bot.BTC_HOURLY,
        mode="",
        series_ticker="KXBTCD",
        event_ticker=EVENT,
        close_time=CLOSE,
        strikes=(
            strike("99999.99", 0.123456),
            strike("100249.99", 0.901234, looked_at=True),
            strike("100499.99", None, yes_bid=None, no_ask=None, yes_bid_size=None),
        ),
        spot=D("100012.34"),
        spot_time=at - timedelta(seconds=1),
        model="ewma-t",
        vol_15m_std_pct=0.1934567890123,
        tail_nu=5.0,
        settlement_average_s=60.0,
        vol_returns=120,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def snaps(store: Store) -> SnapshotStore:
    assert isinstance(store, SnapshotStore)
    return cast(SnapshotStore, store)


def test_a_snapshot_round_trips_exactly_and_is_stored_once(store: Store) -> None:
    s = snaps(store)
    first = snapshot()
    assert s.put_snapshot(first) is True
    assert s.put_snapshot(replace(first, spot=D(1), at=first.at + timedelta(seconds=9))) is False
    assert s.snapshots_between(T0, T0 + timedelta(hours=1)) == [first]


def test_times_in_any_offset_come_back_in_utc(store: Store) -> None:
    s = snaps(store)
    plus2 = timezone(timedelta(hours=2))
    local = snapshot(
        scheduled_for=T0.astimezone(plus2), at=T0.astimezone(plus2), close_time=CLOSE.astimezone(plus2)
    )
    s.put_snapshot(local)
    [back] = s.snapshots_between(T0, T0 + timedelta(minutes=1))
    assert back.scheduled_for == T0 and back.scheduled_for.utcoffset() == timedelta(0)
    assert back.close_time == CLOSE and back.close_time.utcoffset() == timedelta(0)


def test_weather_fields_and_decisions_round_trip(store: Store) -> None:
    s = snaps(store)
    weather = snapshot(
        trigger=Trigger.DECISION,
        bot=Bot.WEATHER,
        mode="paper",
        series_ticker="KXHIGHNY",
        event_ticker="KXHIGHNY-26NOV25",
        strikes=(
            StrikeQuote("KXHIGHNY-26NOV25-T40", "less", None, D(40), D("0.05"), D("0.07"), None, None),
            StrikeQuote("KXHIGHNY-26NOV25-B40.5", "between", D(40), D(41), None, None, D("0.8"), D("0.82")),
        ),
        spot=None,
        spot_time=None,
        model="weather",
        vol_15m_std_pct=None,
        tail_nu=None,
        settlement_average_s=None,
        vol_returns=None,
        forecast_mean_f=44.5,
        forecast_sigma_f=2.6,
        observed_max_f=None,
        decision=TradeDecision.NO_TRADE,
        reason="edge_too_small",
    )
    s.put_snapshot(weather)
    assert s.snapshots_between(T0, T0 + timedelta(minutes=1), Trigger.DECISION) == [weather]
    assert s.snapshots_between(T0, T0 + timedelta(minutes=1), Trigger.MINUTE) == []


def test_between_is_half_open_ascending_filters_by_trigger_and_reads_every_page(store: Store) -> None:
    s = snaps(store)
    for minute in reversed(range(10)):
        s.put_snapshot(snapshot(minute))
    s.put_snapshot(snapshot(3, trigger=Trigger.DECISION, mode="paper", decision=TradeDecision.TRADE))
    s.put_snapshot(snapshot(3, bot=Bot.ETH_HOURLY))
    got = s.snapshots_between(T0 + timedelta(minutes=2), T0 + timedelta(minutes=8))
    keys = [(x.scheduled_for, x.bot, x.trigger.value) for x in got]
    minute = lambda m: T0 + timedelta(minutes=m)  # noqa: E731
    assert keys == [
        (minute(2), "btc-hourly", "minute"),
        (minute(3), "btc-hourly", "decision"),
        (minute(3), "btc-hourly", "minute"),
        (minute(3), "eth-hourly", "minute"),
        *[(minute(m), "btc-hourly", "minute") for m in range(4, 8)],
    ]
    decisions = s.snapshots_between(T0, T0 + timedelta(hours=1), Trigger.DECISION)
    assert [(x.scheduled_for, x.decision) for x in decisions] == [(minute(3), "trade")]


def test_every_recorded_event_is_unsettled_until_its_result_is_in(store: Store) -> None:
    s = snaps(store)
    later_close = CLOSE + timedelta(hours=1)
    for minute in range(4):
        s.put_snapshot(snapshot(minute))
    s.put_snapshot(snapshot(60, event_ticker="KXBTCD-26NOV2411", close_time=later_close))
    assert s.unsettled_events(CLOSE, later_close + timedelta(seconds=1)) == [
        RecordedEvent(EVENT, "KXBTCD", CLOSE),
        RecordedEvent("KXBTCD-26NOV2411", "KXBTCD", later_close),
    ]
    assert s.unsettled_events(CLOSE + timedelta(seconds=1), later_close) == []  # half-open on close_time
    result = EventResult(
        EVENT, "KXBTCD", CLOSE, ((f"{EVENT}-T100249.99", "no"), (f"{EVENT}-T99999.99", "yes"))
    )
    s.put_event_result(result)
    assert s.unsettled_events(CLOSE, later_close + timedelta(seconds=1)) == [
        RecordedEvent("KXBTCD-26NOV2411", "KXBTCD", later_close)
    ]
    assert s.event_results(CLOSE, later_close + timedelta(seconds=1)) == [result]
    # A late snapshot of a settled event never brings it back to the to-do list.
    s.put_snapshot(snapshot(14))
    assert s.event_results(CLOSE, CLOSE + timedelta(seconds=1)) == [result]
    assert result.outcome(f"{EVENT}-T100249.99") == "no" and result.outcome("other") == ""


def test_a_result_can_be_recorded_for_an_event_never_snapshotted_and_replaced(store: Store) -> None:
    s = snaps(store)
    first = EventResult("KXHIGHNY-26NOV25", "KXHIGHNY", CLOSE, (("KXHIGHNY-26NOV25-T40", "scalar"),))
    s.put_event_result(first)
    fixed = replace(first, outcomes=(("KXHIGHNY-26NOV25-T40", "yes"),))
    s.put_event_result(fixed)
    assert s.event_results(CLOSE, CLOSE + timedelta(minutes=1)) == [fixed]
    assert s.unsettled_events(CLOSE, CLOSE + timedelta(minutes=1)) == []


@pytest.mark.parametrize("strikes", [100])
def test_a_full_ladder_round_trips(store: Store, strikes: int) -> None:
    s = snaps(store)
    ladder = tuple(
        strike(f"{90000 + 250 * i - 0.01:.2f}", round(i / strikes, 6), yes_ask_size=D(i))
        for i in range(strikes)
    )
    big = snapshot(strikes=ladder)
    s.put_snapshot(big)
    assert s.snapshots_between(T0, T0 + timedelta(minutes=1)) == [big]


def test_decisions_between_reads_decisions_reduced_to_what_they_looked_at(store: Store) -> None:
    s = snaps(store)
    decided = snapshot(1, trigger=Trigger.DECISION, mode="live", decision=TradeDecision.TRADE, reason="")
    s.put_snapshot(snapshot(1))  # a minute snapshot of the same minute: not a decision
    assert s.put_snapshot(decided) is True
    assert s.put_snapshot(decided) is False
    s.put_snapshot(snapshot(9, trigger=Trigger.DECISION))
    got = s.decisions_between(T0, T0 + timedelta(minutes=9))
    assert got == [decided.reduced()]
    assert [q.ticker for q in got[0].strikes] == [f"{EVENT}-T100249.99"]
    # The full ladder is still what the snapshot read and the export see.
    assert s.snapshots_between(T0, T0 + timedelta(minutes=9), Trigger.DECISION) == [decided]


def test_unusual_values_round_trip_exactly(store: Store) -> None:
    s = snaps(store)
    odd = snapshot(
        strikes=(
            strike("99999.99", 0.1234567891234),  # more decimals than the recorder keeps
            strike("100000.5", 1.0, ticker="OTHER-EVENT-T5", yes_ask_size=D("0.01"), no_bid=D("0.0001")),
            strike("0.001", 0.0, floor_strike=None, cap_strike=D("-3.25"), yes_bid_size=D("12345678.9")),
        )
    )
    s.put_snapshot(odd)
    [back] = s.snapshots_between(T0, T0 + timedelta(minutes=1))
    assert back == odd
    assert [q.ticker for q in back.strikes] == [f"{EVENT}-T99999.99", "OTHER-EVENT-T5", f"{EVENT}-T0.001"]
