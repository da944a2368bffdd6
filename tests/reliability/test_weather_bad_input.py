"""Issue 10, defect 8 on the weather path: an ask that is off the market's tick grid is refused before
the pending row or the reservation exist (the hourly path has had this rule since the input-sanity work;
without it the weather job wrote both and then failed while building the order)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.app.results import Outcome
from kalshi_bots.app.weather_job import weather
from kalshi_bots.domain.models import Bot
from kalshi_bots.sandbox.kalshi.faults import EVENT_PATHS

from .money_world import WEATHER_EVENTS, WEATHER_RUN, list_weather_events, money_world

CHEAP_TODAY = f"{WEATHER_EVENTS[0]}-B50.5"
CHEAP_TOMORROW = f"{WEATHER_EVENTS[1]}-B44.5"


def _over_precise(body: Any) -> Any:
    """The listing quotes today's cheap bracket at a YES ask with five decimals."""
    for event in body.get("events") or []:
        for market in event.get("markets") or []:
            if market.get("ticker") == CHEAP_TODAY:
                market["yes_ask_dollars"] = "0.60001"
                market["no_bid_dollars"] = "0.39999"
    return body


def test_an_off_tick_weather_ask_is_refused_before_anything_is_written() -> None:
    with money_world(WEATHER_RUN + timedelta(seconds=5)) as world:
        list_weather_events(world)
        world.fake.rewrite_next(_over_precise, path=EVENT_PATHS)

        result = weather(world.deps(), WEATHER_RUN)

        refusals = result.data["refusals"]
        assert any(r["reason"] == "price_off_tick" and r["where"] == CHEAP_TODAY for r in refusals), refusals
        tickers = {t.contract_ticker for t in world.raw_store.all_trades()}
        assert CHEAP_TODAY not in tickers
        assert [o["ticker"] for o in world.fake.orders] == [CHEAP_TOMORROW]  # the clean event still trades
        assert result.outcome is Outcome.OK
        assert world.spent(Bot.WEATHER) > Decimal(0)
        held = world.raw_store.reservations(WEATHER_RUN.date())
        assert {r.reservation_id for r in held} == {t.client_order_id for t in world.raw_store.all_trades()}
