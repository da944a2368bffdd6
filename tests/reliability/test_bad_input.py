"""Defect 8 of issue 10: bad input must be refused (or named as a malformed reply) before any state is
written, never raise in the middle of the order path or crash a job with ``unexpected_error``.

- A NO ask with more than 4 decimals, or off the market's tick grid: before the fix the pending trade
  row and the budget reservation were written, then building the order raised (the hour was lost, the
  row stayed pending). Now the decision refuses ``price_off_tick`` and nothing exists.
- Out-of-range numbers and times in replies (a Coinbase candle at 10**15 s, a Kalshi fill at 10**15 s,
  an ISO time with no UTC equivalent): before the fix ``OverflowError``/``ValueError`` escaped the
  parsers; now each is a MalformedResponseError that says what and where.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.coinbase import CoinbaseClient, parse_candles, parse_ticker
from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.adapters.nws.parse import parse_observation
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import Asset, BookSide, OrderIntent
from kalshi_bots.ports.errors import MalformedResponseError
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase
from kalshi_bots.sandbox.kalshi import FakeKalshi, FakeMarket
from kalshi_bots.sandbox.kalshi.faults import ORDERS_PATH

from .hourly_world import HourlyWorld, T, start_world

DEMO_KEY_ID = "reliability-demo-key"


@pytest.fixture
def demo_world(tmp_path: Path) -> Iterator[HourlyWorld]:
    """Demo mode: orders go to the fake Kalshi, signed with a key made for this test."""
    sandbox, world = start_world(tmp_path / "demo.db")
    pem = sandbox.kalshi.issue_key(DEMO_KEY_ID)
    world.env |= {
        "KALSHI_BOTS_MODE": "demo",
        "KALSHI_BOTS_KALSHI_API_KEY_ID": DEMO_KEY_ID,
        "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM": pem,
    }
    try:
        yield world
    finally:
        sandbox.stop()


@pytest.mark.slow
@pytest.mark.parametrize("no_ask", ["0.25001", "0.2550"], ids=["5-decimals", "off-the-cent-grid"])
def test_an_over_precise_no_ask_is_refused_before_anything_is_written(
    demo_world: HourlyWorld, no_ask: str
) -> None:
    demo_world.sandbox.kalshi.over_precise_next(no_ask)
    result = demo_world.trade()
    assert result.outcome is Outcome.NO_TRADE and result.reason == "price_off_tick", result
    assert no_ask in result.detail
    assert demo_world.trades() == [] and demo_world.reservations() == [] and demo_world.spent() == 0
    assert demo_world.orders_sent() == 0
    # The hour is not lost: the next minute's run, on a sane quote, trades the same hour once.
    demo_world.clock.advance(timedelta(minutes=1))
    again = demo_world.run(JobName.TRADE_BTC, T + timedelta(minutes=1))
    assert again.outcome is Outcome.OK, again
    assert demo_world.orders_sent() == 1 and len(demo_world.trades()) == 1


# --- out-of-range numbers and times in replies -----------------------------------------------------

NO_RETRY = RetryPolicy(attempts=1, base_delay_s=0.0, max_delay_s=0.0, sleep=lambda _s: None)
NO_UTC_INSTANT = "9999-12-31T23:00:00-05:00"  # valid ISO-8601, but past the last UTC datetime


@pytest.mark.slow
def test_a_candle_time_of_10_to_the_15_is_a_clean_malformed_reply_in_the_collector(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox, world = start_world(tmp_path / "candles.db", collect=False)
    try:
        sandbox.coinbase.candle_time_next(10**15)
        with caplog.at_level("INFO", logger="kalshi_bots"):
            result = world.collect()  # first run: backfills 120 minutes of candles
    finally:
        sandbox.stop()
    assert result.reason != "unexpected_error", result
    assert "candle #0 field 'time' is not a time" in result.data["backfill_error"], result
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_candle_time_of_10_to_the_15_is_named_by_the_coinbase_client(
    fake_coinbase_world: FakeCoinbase,
) -> None:
    fake_coinbase_world.candle_time_next(10**15)
    client = CoinbaseClient(fake_coinbase_world.url, timeout=2.0, retry=NO_RETRY)
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    with client, pytest.raises(MalformedResponseError, match=r"candles: candle #0 field 'time'.*10{15}"):
        client.minute_candles(Asset.BTC, start, start + timedelta(minutes=5))


@pytest.mark.parametrize("stamp", [10**15, -(10**15), 2**63])
def test_candle_times_no_calendar_holds_are_malformed(stamp: int) -> None:
    with pytest.raises(MalformedResponseError, match="not a time"):
        parse_candles(Asset.BTC, [[stamp, 1, 1, 1, 1, 1]], "GET /candles")


@pytest.mark.parametrize("stamp", [NO_UTC_INSTANT, "0001-01-01T00:00:00+05:00"])
def test_a_ticker_time_with_no_utc_instant_is_malformed(stamp: str) -> None:
    with pytest.raises(MalformedResponseError, match="out of range"):
        parse_ticker(Asset.BTC, {"price": "60000.00", "time": stamp}, "GET /ticker")


def test_an_nws_observation_time_with_no_utc_instant_is_malformed() -> None:
    feature = {"properties": {"timestamp": NO_UTC_INSTANT, "temperature": None}}
    with pytest.raises(MalformedResponseError, match="out of range"):
        parse_observation(feature, "GET /observations")


@pytest.fixture
def fake_coinbase_world() -> Iterator[FakeCoinbase]:
    with FakeCoinbase() as fake:
        fake.seed_demo(datetime(2026, 11, 24, 14, 10, tzinfo=UTC))
        yield fake


@pytest.fixture
def kalshi() -> Iterator[tuple[FakeKalshi, KalshiClient]]:
    with FakeKalshi(balance=Decimal(100)) as fake:
        pem = fake.issue_key(DEMO_KEY_ID)
        client = KalshiClient(
            fake.url, signer=KalshiSigner.from_pem(DEMO_KEY_ID, pem), timeout=2.0, retry=NO_RETRY
        )
        with client:
            yield fake, client


def _listed(fake: FakeKalshi, **extra: object) -> str:
    close = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=40)
    market = FakeMarket(
        "KXBTCD-26NOV2411-T97199.99", "KXBTCD-26NOV2411", close, floor_strike=Decimal("97199.99"), extra=extra
    )
    fake.add_series("KXBTCD")
    fake.add_event(market.event_ticker, "KXBTCD", market, exchange_index=2)
    fake.set_quote(market.ticker, Decimal("0.40"), Decimal("0.42"))
    return market.ticker


@pytest.mark.parametrize("ts", [10**15, 2**63])
def test_a_kalshi_fill_stamped_past_any_calendar_is_malformed(
    kalshi: tuple[FakeKalshi, KalshiClient], ts: int
) -> None:
    # 10**15 raised ValueError (already malformed, without saying which field); 2**63 raised
    # OverflowError, which escaped the client as a crash.
    fake, client = kalshi
    fake.state.fills.append(
        {
            "fill_id": "f-far",
            "order_id": "o",
            "ticker": "KXBTCD-26NOV2411-T97199.99",
            "book_side": "ask",
            "count_fp": "1.00",
            "yes_price_dollars": "0.6000",
            "fee_cost": "0.0200",
            "ts": ts,
        }
    )
    with pytest.raises(MalformedResponseError, match=rf"fill f-far has ts {ts}, not a time"):
        client.fills(datetime(2026, 1, 1, tzinfo=UTC))


def test_a_kalshi_close_time_with_no_utc_instant_is_malformed(
    kalshi: tuple[FakeKalshi, KalshiClient],
) -> None:
    fake, client = kalshi
    ticker = _listed(fake, close_time=NO_UTC_INSTANT)
    with pytest.raises(MalformedResponseError, match="out of range"):
        client.get_market(ticker)


def test_an_order_reply_whose_numbers_overflow_is_looked_up_not_crashed(
    kalshi: tuple[FakeKalshi, KalshiClient],
) -> None:
    # The order is placed and filled, then its 201 carries a fee no Decimal context can scale: before
    # the fix decimal.InvalidOperation escaped after the order existed. Now the reply counts as unreadable
    # and the order is resolved by its client_order_id, never sent twice.
    fake, client = kalshi
    ticker = _listed(fake)
    fake.rewrite_next(
        lambda body: body | {"average_fee_paid": "1e30"}, path=f"^{ORDERS_PATH}$", method="POST"
    )
    intent = OrderIntent(ticker, BookSide.ASK, Decimal("0.40"), 2, "3f1c2a8e-4b7d-5e93-9a41-0d2c6b8f7e15")
    result = client.create_order(intent)
    assert result.fill_count == 2 and result.fees_paid == Decimal("0.04")
    assert len(fake.orders) == 1
