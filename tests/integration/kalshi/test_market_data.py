"""Public market data over real HTTP against the fake: status, fees, events, markets, order books."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from kalshi_bots.adapters.kalshi import KalshiClient
from kalshi_bots.domain.models import FeeType, StrikeType
from kalshi_bots.ports.errors import NotFoundError
from kalshi_bots.sandbox.kalshi import FakeKalshi

from .conftest import EVENT, SERIES, strike_market


def test_exchange_status_reads_shards_and_falls_back_without_them(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    client = make_client(None)
    plain = client.exchange_status()
    assert plain.shards == () and plain.shard_trading(2)  # no list: the exchange-wide flag decides

    fake.set_exchange_status(shards={0: True, 2: False})
    sharded = client.exchange_status()
    assert dict(sharded.shards) == {0: True, 2: False}
    assert sharded.shard_trading(0) and not sharded.shard_trading(2)

    fake.set_exchange_status(trading_active=False)
    assert not client.exchange_status().shard_trading(2)


def test_series_fees_and_unknown_fee_types_are_left_for_the_bot(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series("KXBTCD", "quadratic_with_maker_fees", Decimal("0.5"))
    fake.add_series("KXNEW", "progressive_2027")
    client = make_client(None)
    fees = client.series_fees("KXBTCD")
    assert fees.fee_type is FeeType.QUADRATIC_WITH_MAKER_FEES and fees.multiplier == Decimal("0.5")
    assert client.series_fees("KXNEW").fee_type is FeeType.UNKNOWN
    with pytest.raises(NotFoundError, match="HTTP 404 on GET /trade-api/v2/series/KXNOPE"):
        client.series_fees("KXNOPE")


def test_get_event_has_nested_markets_with_decimal_strikes_and_quotes(
    ladder: list[str], make_client: Callable[..., KalshiClient]
) -> None:
    event = make_client(None).get_event(EVENT)
    assert event.series_ticker == SERIES and event.exchange_index == 2
    assert [m.ticker for m in event.markets] == ladder
    mid = event.markets[1]
    assert mid.strike_type is StrikeType.GREATER and mid.floor_strike == Decimal("97199.99")
    assert (mid.yes_bid, mid.yes_ask, mid.no_bid, mid.no_ask) == (
        Decimal("0.40"),
        Decimal("0.45"),
        Decimal("0.55"),
        Decimal("0.60"),
    )
    assert mid.exchange_index == 2 and mid.close_time.tzinfo is not None
    empty = event.markets[0]  # no book: Kalshi shows 0 / 1, which means "no quote"
    assert (empty.yes_bid, empty.yes_ask, empty.no_bid, empty.no_ask) == (None, None, None, None)


def test_unknown_event_is_not_found(ladder: list[str], make_client: Callable[..., KalshiClient]) -> None:
    with pytest.raises(NotFoundError, match="KXBTCD-NOPE"):
        make_client(None).get_event("KXBTCD-NOPE")


def test_list_events_walks_every_page(fake: FakeKalshi, make_client: Callable[..., KalshiClient]) -> None:
    fake.add_series(SERIES)
    tickers = [f"KXBTCD-26NOV24{h:02d}" for h in range(10, 15)]
    for ticker in tickers:
        fake.add_event(ticker, SERIES, strike_market("97199.99", event=ticker), exchange_index=2)
    fake.add_event("KXETHD-26NOV2410", "KXETHD", strike_market("3399.99", event="KXETHD-26NOV2410"))
    fake.page_size = 2
    events = make_client(None).list_events(SERIES)
    assert [e.event_ticker for e in events] == tickers
    assert all(len(e.markets) == 1 for e in events)
    pages = [r for r in fake.server.requests if r.path.endswith("/events")]
    assert len(pages) == 3
    assert [r.arg("cursor") for r in pages] == [None, "2", "4"]
    assert all(r.arg("series_ticker") == SERIES and r.arg("with_nested_markets") == "true" for r in pages)


def test_list_events_status_filter_uses_the_filter_vocabulary(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series(SERIES)
    fake.add_event("KXBTCD-A", SERIES, strike_market("1.99", event="KXBTCD-A"))
    fake.add_event("KXBTCD-B", SERIES, strike_market("1.99", event="KXBTCD-B", minutes=-5))  # past close
    client = make_client(None)
    assert [e.event_ticker for e in client.list_events(SERIES)] == ["KXBTCD-A"]  # "open" = status active
    assert [e.event_ticker for e in client.list_events(SERIES, status="closed")] == ["KXBTCD-B"]
    assert len(client.list_events(SERIES, status="")) == 2


def test_get_market(ladder: list[str], make_client: Callable[..., KalshiClient]) -> None:
    market = make_client(None).get_market(ladder[1])
    assert market.ticker == ladder[1] and market.status == "active"
    with pytest.raises(NotFoundError):
        make_client(None).get_market("NOPE")
