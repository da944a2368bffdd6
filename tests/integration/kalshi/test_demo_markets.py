"""seed_demo_markets: realistic hourly ladders and weather brackets, refreshed as time advances."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.adapters.kalshi import KalshiClient
from kalshi_bots.domain.models import Asset, StrikeType
from kalshi_bots.domain.pricing import normal_cdf
from kalshi_bots.sandbox.kalshi import FakeKalshi
from kalshi_bots.sandbox.kalshi.demo import seed_demo_markets

NOW = datetime(2026, 11, 24, 14, 40, tzinfo=UTC)  # 09:40 EST
SPOTS = {Asset.BTC: Decimal("97234.50"), Asset.ETH: Decimal("3412.20")}


def test_hourly_ladders_follow_the_live_shape() -> None:
    clock = {"now": NOW}
    with FakeKalshi(clock=lambda: clock["now"]) as fake:
        created = seed_demo_markets(fake, NOW, SPOTS)
        assert created[:2] == ["KXBTCD-26NOV2410", "KXBTCD-26NOV2411"]  # ET hour of the close
        client = KalshiClient(fake.url)
        event = client.get_event("KXBTCD-26NOV2410")
        assert event.exchange_index == 2 and len(event.markets) == 21
        strikes = [m.floor_strike for m in event.markets]
        assert all(s is not None and s % 100 == Decimal("99.99") for s in strikes)
        assert (
            min(s for s in strikes if s is not None)
            < SPOTS[Asset.BTC]
            < max(s for s in strikes if s is not None)
        )
        assert all(m.close_time == datetime(2026, 11, 24, 15, tzinfo=UTC) for m in event.markets)
        assert all(m.strike_type is StrikeType.GREATER for m in event.markets)
        assert "BRTI" in event.markets[0].rules_primary
        assert dict(client.exchange_status().shards) == {0: True, 2: True}
        # Quotes sit around a random-walk fair value, and some are off by 4+ cents: a visible edge.
        sigma = 0.005 * math.sqrt(20 / 60)
        gaps = []
        for m in event.markets:
            assert m.floor_strike is not None
            fair = normal_cdf(math.log(float(SPOTS[Asset.BTC]) / float(m.floor_strike)) / sigma)
            if m.yes_bid is not None and m.yes_ask is not None:
                assert m.yes_bid < m.yes_ask
                gaps.append(abs(float(m.yes_bid + m.yes_ask) / 2 - fair))
        assert gaps and max(gaps) >= 0.03 and min(gaps) <= 0.03
        client.close()


def test_weather_events_have_four_brackets_and_two_tails() -> None:
    with FakeKalshi(clock=lambda: NOW) as fake:
        seed_demo_markets(fake, NOW, {})
        client = KalshiClient(fake.url)
        (today, tomorrow) = client.list_events("KXHIGHNY")
        assert (today.event_ticker, tomorrow.event_ticker) == ("KXHIGHNY-26NOV24", "KXHIGHNY-26NOV25")
        kinds = [m.strike_type for m in today.markets]
        assert kinds == [StrikeType.LESS] + [StrikeType.BETWEEN] * 4 + [StrikeType.GREATER]
        low, *brackets, high = today.markets
        for market in brackets:
            assert market.floor_strike is not None and market.cap_strike == market.floor_strike + 1
            assert market.ticker.endswith(f"-B{market.floor_strike + Decimal('0.5')}")
        assert low.cap_strike == brackets[0].floor_strike and high.floor_strike == brackets[-1].cap_strike
        assert all(m.close_time == datetime(2026, 11, 25, 4, 59, tzinfo=UTC) for m in today.markets)
        assert "The Weather Company" in low.rules_primary and "CLINYC" in low.rules_primary
        chicago = client.get_event("KXHIGHCHI-26NOV24")
        assert chicago.markets[0].close_time == datetime(2026, 11, 25, 5, 59, tzinfo=UTC)
        client.close()


def test_calling_again_later_lists_new_hours_and_settles_the_past() -> None:
    clock = {"now": NOW}
    with FakeKalshi(clock=lambda: clock["now"]) as fake:
        seed_demo_markets(fake, NOW, SPOTS)
        assert seed_demo_markets(fake, NOW + timedelta(minutes=1), SPOTS) == []  # idempotent
        clock["now"] = NOW + timedelta(minutes=30)
        created = seed_demo_markets(fake, clock["now"], {Asset.BTC: Decimal("97250")})
        assert created == ["KXBTCD-26NOV2412"]
        client = KalshiClient(fake.url)
        settled = client.list_events("KXBTCD", status="settled")
        assert [e.event_ticker for e in settled] == ["KXBTCD-26NOV2410"]
        results = {m.floor_strike: fake.state.markets[m.ticker].result for m in settled[0].markets}
        assert results[Decimal("97199.99")] == "yes" and results[Decimal("97299.99")] == "no"
        assert [e.event_ticker for e in client.list_events("KXBTCD")] == [
            "KXBTCD-26NOV2411",
            "KXBTCD-26NOV2412",
        ]
        client.close()
