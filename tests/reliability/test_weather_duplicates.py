"""Issue 10, defect 5: overlapping weather runs open at most one order per market and one position per
event.

Before the fix the client_order_id carried the minute the run was scheduled for, so a retry, a late
run, 18:00 and 18:01 each had their own id and each passed the "open position in this event" check
when they looked at the same moment. The id is now per (bot, market, trading slot) and every order
claims its event before the POST.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.weather_job import weather

from .money_world import WEATHER_EVENTS, WEATHER_RUN, list_weather_events, make_store, money_world

D = Decimal

# The 18:00 run, its platform retry, an 18:01 run, a late 18:00 run at 19:40, two 20:00 runs.
OVERLAPPING = (
    WEATHER_RUN,
    WEATHER_RUN,
    WEATHER_RUN + timedelta(minutes=1),
    WEATHER_RUN + timedelta(minutes=100),
    WEATHER_RUN + timedelta(hours=2),
    WEATHER_RUN + timedelta(hours=2),
)


def _run_together(world_deps: object, runs: tuple[datetime, ...]) -> list[JobResult]:
    """Start every run at once; each passes its "open position?" look before any of them orders."""
    results: list[JobResult] = []
    lock = threading.Lock()

    def one(when: datetime) -> None:
        result = weather(world_deps(), when)  # type: ignore[operator]
        with lock:
            results.append(result)

    threads = [threading.Thread(target=one, args=(when,)) for when in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_concurrent_overlapping_runs_place_one_order_per_market_and_event(
    tmp_path: Path, store_kind: str
) -> None:
    with money_world(WEATHER_RUN + timedelta(seconds=5), store=make_store(store_kind, tmp_path)) as world:
        list_weather_events(world)
        # The balance is the runs' last read before ordering: hold it until all six are there, so all
        # of them have already looked for open positions and found none.
        hold = world.fake.hold_next(times=len(OVERLAPPING), path="^/portfolio/balance$", method="GET")
        releaser = threading.Thread(
            target=lambda: (hold.wait_for(len(OVERLAPPING), 30), hold.release()), daemon=True
        )
        releaser.start()
        results = _run_together(world.deps, OVERLAPPING)
        releaser.join(5)

        orders = world.fake.orders
        per_market = Counter(o["ticker"] for o in orders)
        per_event = Counter(o["ticker"].rsplit("-", 1)[0] for o in orders)
        assert per_market == {f"{WEATHER_EVENTS[0]}-B50.5": 1, f"{WEATHER_EVENTS[1]}-B44.5": 1}, orders
        assert per_event == {WEATHER_EVENTS[0]: 1, WEATHER_EVENTS[1]: 1}
        assert sum(r.outcome is Outcome.OK for r in results) >= 1
        assert all(r.outcome in (Outcome.OK, Outcome.NO_TRADE) for r in results), results
        # Budget: exactly what the two orders cost, nothing held for the refused duplicates.
        assert world.spent("weather") == world.exchange_cost()


def test_sequential_runs_of_one_slot_share_ids_and_the_next_slot_adds_nothing(tmp_path: Path) -> None:
    with money_world(WEATHER_RUN, store=make_store("sqlite", tmp_path)) as world:
        list_weather_events(world)
        for when in OVERLAPPING:
            world.clock.set(when + timedelta(seconds=5))
            weather(world.deps(), when)
        assert len(world.fake.orders) == 2
        assert len(world.raw_store.all_trades()) == 2


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2026-11-24T18:00", "2026-11-24T18:01", True),
        ("2026-11-24T18:00", "2026-11-24T19:40", True),  # a late run decides for its slot
        ("2026-11-24T17:58", "2026-11-24T18:00", True),  # fired a little early (clock skew)
        ("2026-11-24T18:00", "2026-11-24T20:00", False),  # the next slot is another decision
        ("2026-11-24T20:00", "2026-11-25T01:30", True),  # after midnight: still the 20:00 slot
        ("2026-07-14T18:00", "2026-07-14T18:03", True),  # summer (EDT)
        ("2026-11-24T20:00", "2026-11-25T20:00", False),
    ],
)
def test_weather_order_ids_depend_on_the_slot_not_the_minute(a: str, b: str, same: bool) -> None:
    from zoneinfo import ZoneInfo

    from kalshi_bots.app.weather_job import slot_client_order_id

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)

    ticker = f"{WEATHER_EVENTS[0]}-B50.5"
    assert (slot_client_order_id(ticker, at(a)) == slot_client_order_id(ticker, at(b))) is same


def test_an_event_whose_order_did_not_fill_is_free_for_the_next_slot(tmp_path: Path) -> None:
    """The event claim holds only while its order may be live or filled: an IOC that found nothing
    leaves the event to the 20:00 run, which takes the next claim and trades."""
    today_b50 = f"{WEATHER_EVENTS[0]}-B50.5"
    with money_world(WEATHER_RUN, store=make_store("sqlite", tmp_path)) as world:
        list_weather_events(world)
        hold = world.fake.hold_next(path="^/portfolio/balance$", method="GET")
        releaser = threading.Thread(
            target=lambda: (
                hold.arrived.wait(10),
                world.fake.set_quote(today_b50, yes_bid=D("0.01"), yes_ask=D("0.99")),  # the ask is gone
                hold.release(),
            ),
            daemon=True,
        )
        releaser.start()
        weather(world.deps(), WEATHER_RUN)
        releaser.join(5)
        first = {o["ticker"]: o for o in world.fake.orders}
        assert first[today_b50]["fill_count_fp"] == "0.00"  # sent, found nothing at 0.60

        world.fake.set_quote(today_b50, yes_bid=D("0.01"), yes_ask=D("0.60"))
        later = WEATHER_RUN + timedelta(hours=2)
        world.clock.set(later + timedelta(seconds=5))
        weather(world.deps(), later)
        tickers = [o["ticker"] for o in world.fake.orders]
        assert tickers.count(today_b50) == 2  # 18:00 (unfilled) and 20:00 (filled)
        assert tickers.count(f"{WEATHER_EVENTS[1]}-B44.5") == 1  # tomorrow's position is still open
