"""CoinbaseClient against FakeCoinbase over real HTTP, plus the real Exchange candle fixtures."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from kalshi_bots.adapters.coinbase import CoinbaseClient, parse_candles, parse_ticker
from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.domain.models import Asset
from kalshi_bots.ports.errors import MalformedResponseError, NotFoundError, RejectedError, TransientError
from kalshi_bots.ports.feeds import PriceFeed
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _client(fake: FakeCoinbase, retry: RetryPolicy) -> CoinbaseClient:
    return CoinbaseClient(fake.url, timeout=2.0, retry=retry)


def _seed_path(fake: FakeCoinbase, minutes: int, *, skip: frozenset[int] = frozenset()) -> None:
    for i in range(minutes):
        if i not in skip:
            fake.set_price(
                Asset.BTC, Decimal(60000 + i) + Decimal("0.25"), T0 + timedelta(minutes=i, seconds=10)
            )


def test_client_satisfies_the_price_feed_port(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    feed: PriceFeed = _client(fake_coinbase, retry)
    assert isinstance(feed, CoinbaseClient)


def test_current_price_is_a_decimal_stamped_with_the_exchange_time(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    at = T0 + timedelta(seconds=42, microseconds=123456)
    fake_coinbase.set_price(Asset.BTC, "61234.56", at)
    with _client(fake_coinbase, retry) as client:
        tick = client.current_price(Asset.BTC)
    assert tick.asset is Asset.BTC
    assert tick.price == Decimal("61234.56")
    assert tick.at == at
    request = fake_coinbase.server.requests[-1]
    assert request.path == "/products/BTC-USD/ticker"
    assert request.headers["user-agent"].startswith("kalshi-bots/")


def test_unknown_product_is_not_found(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    with _client(fake_coinbase, retry) as client, pytest.raises(NotFoundError, match="ETH-USD"):
        client.current_price(Asset.ETH)


def test_candles_are_ascending_closes_at_the_bucket_start(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    _seed_path(fake_coinbase, 10)
    with _client(fake_coinbase, retry) as client:
        ticks = client.minute_candles(Asset.BTC, T0, T0 + timedelta(minutes=10))
    assert [t.at for t in ticks] == [T0 + timedelta(minutes=i) for i in range(10)]
    assert [t.price for t in ticks] == [Decimal(60000 + i) + Decimal("0.25") for i in range(10)]


def test_range_end_is_exclusive_and_start_rounds_up_to_a_whole_minute(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    _seed_path(fake_coinbase, 10)
    with _client(fake_coinbase, retry) as client:
        ticks = client.minute_candles(Asset.BTC, T0 + timedelta(seconds=30), T0 + timedelta(minutes=5))
    assert [t.at for t in ticks] == [T0 + timedelta(minutes=i) for i in range(1, 5)]


def test_long_range_is_split_into_calls_of_at_most_300_buckets(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    _seed_path(fake_coinbase, 700)
    with _client(fake_coinbase, retry) as client:
        ticks = client.minute_candles(Asset.BTC, T0, T0 + timedelta(minutes=700))
    assert len(ticks) == 700
    assert [t.at for t in ticks] == sorted({t.at for t in ticks})
    calls = [r for r in fake_coinbase.server.requests if r.path.endswith("/candles")]
    assert len(calls) == 3  # 299 + 299 + 102 minute-steps; the fake answers 400 above 300 buckets
    for call in calls:
        assert call.arg("granularity") == "60"
        assert str(call.arg("start")).endswith("Z")
        assert str(call.arg("end")).endswith("Z")


def test_fake_refuses_more_than_300_buckets_like_the_real_api(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    _seed_path(fake_coinbase, 5)
    reply = httpx.get(
        f"{fake_coinbase.url}/products/BTC-USD/candles",
        params={"granularity": "60", "start": "2026-11-20T12:00:00Z", "end": "2026-11-20T17:00:00Z"},
    )
    assert reply.status_code == 400
    assert "exceeds 300" in reply.json()["message"]


def test_gaps_stay_gaps(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    _seed_path(fake_coinbase, 20, skip=frozenset({3, 4, 11}))
    fake_coinbase.remove_minutes(Asset.BTC, T0 + timedelta(minutes=15), T0 + timedelta(minutes=17))
    with _client(fake_coinbase, retry) as client:
        ticks = client.minute_candles(Asset.BTC, T0, T0 + timedelta(minutes=20))
    minutes = [int((t.at - T0).total_seconds() // 60) for t in ticks]
    assert minutes == [i for i in range(20) if i not in {3, 4, 11, 15, 16}]


def test_429_then_success(fake_coinbase: FakeCoinbase, retry: RetryPolicy, sleeps: object) -> None:
    fake_coinbase.set_price(Asset.BTC, "60000", T0)
    fake_coinbase.fail_next(429, times=2, message="Public rate limit exceeded")
    with _client(fake_coinbase, retry) as client:
        tick = client.current_price(Asset.BTC)
    assert tick.price == Decimal("60000")
    assert len(fake_coinbase.server.requests) == 3


def test_5xx_exhaustion_is_transient(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    _seed_path(fake_coinbase, 5)
    fake_coinbase.fail_next(503, times=3, endpoint="candles")
    with _client(fake_coinbase, retry) as client, pytest.raises(TransientError, match=r"503.*3 attempts"):
        client.minute_candles(Asset.BTC, T0, T0 + timedelta(minutes=5))


def test_malformed_json_names_the_endpoint(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    fake_coinbase.set_price(Asset.BTC, "60000", T0)
    fake_coinbase.malformed_next(endpoint="ticker")
    with _client(fake_coinbase, retry) as client, pytest.raises(MalformedResponseError) as caught:
        client.current_price(Asset.BTC)
    assert "GET /products/BTC-USD/ticker" in str(caught.value)
    assert caught.value.service == "coinbase"


@pytest.mark.parametrize("bad", ["0", "-5.00", "abc", None, "NaN", True, "Infinity"])
def test_bad_ticker_price_is_rejected_naming_the_field(
    fake_coinbase: FakeCoinbase, retry: RetryPolicy, bad: object
) -> None:
    fake_coinbase.bad_price_next(bad)
    with _client(fake_coinbase, retry) as client, pytest.raises(MalformedResponseError, match="'price'"):
        client.current_price(Asset.BTC)


def test_400_from_the_api_is_a_rejection_not_retried(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    fake_coinbase.fail_next(400, message="Invalid interval")
    with _client(fake_coinbase, retry) as client, pytest.raises(RejectedError, match="Invalid interval"):
        client.current_price(Asset.BTC)
    assert len(fake_coinbase.server.requests) == 1


def test_naive_datetimes_are_refused(fake_coinbase: FakeCoinbase, retry: RetryPolicy) -> None:
    with _client(fake_coinbase, retry) as client, pytest.raises(ValueError, match="timezone-aware"):
        client.minute_candles(Asset.BTC, datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_demo_walk_is_deterministic_and_served(retry: RetryPolicy) -> None:
    now = T0 + timedelta(hours=1)
    two = FakeCoinbase(seed=3)  # never started: only its in-memory path is compared
    two.seed_demo(now)
    with FakeCoinbase(seed=3) as one:
        one.seed_demo(now)
        with _client(one, retry) as client:
            ticks = client.minute_candles(Asset.ETH, now - timedelta(hours=6), now + timedelta(minutes=1))
            spot = client.current_price(Asset.BTC)
        assert len(ticks) == 361
        assert ticks[-1].price == two.price_at(Asset.ETH, now)
        assert spot.price == two.price_at(Asset.BTC, now)
        one.advance(now + timedelta(minutes=5))
        with _client(one, retry) as client:
            later = client.current_price(Asset.BTC)
        assert later.at > spot.at


# -- real payloads -------------------------------------------------------------------------------


def test_real_60s_candles_fixture_parses_ascending(fixtures_dir: Path) -> None:
    rows = json.loads((fixtures_dir / "coinbase" / "exchange_candles_btcusd_60s_300.json").read_text())
    ticks = parse_candles(Asset.BTC, rows, "fixture")
    assert len(ticks) == 300
    assert ticks[0].at == datetime.fromtimestamp(1584662400, tz=UTC)
    assert ticks[-1].at == datetime.fromtimestamp(1584680340, tz=UTC)
    assert ticks[-1].price == Decimal("6222.01")  # the close, exactly (no float expansion)
    assert all(b.at - a.at == timedelta(minutes=1) for a, b in itertools.pairwise(ticks))


def test_real_hourly_candles_fixture_parses(fixtures_dir: Path) -> None:
    rows = json.loads((fixtures_dir / "coinbase" / "exchange_candles_btcusd_3600s.json").read_text())
    ticks = parse_candles(Asset.BTC, rows, "fixture")
    assert len(ticks) == len(rows) == 169
    assert ticks[-1].price == Decimal("5245.17")


def test_real_candles_served_by_the_fake_round_trip(
    fixtures_dir: Path, fake_coinbase: FakeCoinbase, retry: RetryPolicy
) -> None:
    rows = json.loads((fixtures_dir / "coinbase" / "exchange_candles_btcusd_60s_300.json").read_text())
    fake_coinbase.load_candles(Asset.BTC, rows)
    start = datetime.fromtimestamp(1584662400, tz=UTC)
    with _client(fake_coinbase, retry) as client:
        ticks = client.minute_candles(Asset.BTC, start, start + timedelta(minutes=300))
    assert ticks == parse_candles(Asset.BTC, rows, "fixture")


def test_ticker_shape_from_feeds_reference_parses_nanoseconds() -> None:
    body = {
        "ask": "63212.98",
        "bid": "63212.97",
        "volume": "4916.94797396",
        "trade_id": 1040406588,
        "price": "63212.97",
        "size": "0.00782662",
        "time": "2026-06-19T16:43:33.016274911Z",
        "rfq_volume": "31.625279",
    }
    tick = parse_ticker(Asset.BTC, body, "fixture")
    assert tick.price == Decimal("63212.97")
    assert tick.at == datetime(2026, 6, 19, 16, 43, 33, 16274, tzinfo=UTC)


@pytest.mark.parametrize(
    ("row", "field"),
    [([1, 1, 1, 1], "array"), (["x", 1, 1, 1, 2, 1], "'time'"), ([60, 1, 1, 1, 0, 1], "close")],
)
def test_bad_candle_rows_are_named(row: list[object], field: str) -> None:
    with pytest.raises(MalformedResponseError, match=field):
        parse_candles(Asset.BTC, [row], "GET /products/BTC-USD/candles")
