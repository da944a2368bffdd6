"""Lenient parsing: new fields and enum values Kalshi may add must not break a page (reference §8)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from kalshi_bots.adapters.kalshi import KalshiClient
from kalshi_bots.adapters.kalshi.wire import ExchangeStatusWire, MarketWire
from kalshi_bots.adapters.kalshi.wire_account import FillWire, OrderWire
from kalshi_bots.domain.models import BookSide, OrderStatus, StrikeType
from kalshi_bots.ports.errors import MalformedResponseError
from kalshi_bots.sandbox.kalshi import FakeKalshi

from .conftest import EVENT, SERIES, strike_market


def test_unknown_fields_and_enum_values_are_tolerated_over_http(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series(SERIES, "quadratic", brand_new_series_field={"nested": [1, 2]})
    odd = strike_market(
        "97199.99", strike_type="quantum", market_type="trinary", settlement_bounds_type="ceiling"
    )
    fake.add_event(EVENT, SERIES, odd, exchange_index=2, future_field=True)
    fake.set_quote(odd.ticker, Decimal("0.20"), Decimal("0.25"))
    (event,) = make_client(None).list_events(SERIES)
    (market,) = event.markets
    assert market.strike_type is StrikeType.UNKNOWN  # tolerated on read, never traded by the bot
    assert market.yes_ask == Decimal("0.25")


def test_market_status_outside_the_spec_enum_is_kept_as_text() -> None:
    market = MarketWire.model_validate(
        {
            "ticker": "T",
            "event_ticker": "E",
            "close_time": "2026-08-13T21:00:00Z",
            "status": "halted_for_lunch",
        }
    ).to_domain()
    assert market.status == "halted_for_lunch" and market.floor_strike is None


def test_reference_example_market_parses_exactly() -> None:
    # Field values follow the example market in reference kalshi-api.md §3.4.
    payload = {
        "ticker": "KXBTCD-26AUG1317-T73249.99",
        "event_ticker": "KXBTCD-26AUG1317",
        "status": "active",
        "close_time": "2026-08-13T21:00:00Z",
        "strike_type": "greater",
        "floor_strike": 73249.99,
        "cap_strike": None,
        "yes_bid_dollars": "0.4100",
        "yes_ask_dollars": "0.4200",
        "no_bid_dollars": "0.5800",
        "no_ask_dollars": "0.5900",
        "yes_bid_size_fp": "282.00",
        "exchange_index": 2,
        "settlement_bounds_type": "default",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
    }
    market = MarketWire.model_validate(payload).to_domain()
    assert market.floor_strike == Decimal("73249.99")  # exact, not 73249.98999...
    assert (market.yes_bid, market.yes_ask, market.no_ask) == (
        Decimal("0.41"),
        Decimal("0.42"),
        Decimal("0.59"),
    )
    assert market.close_time.isoformat() == "2026-08-13T21:00:00+00:00"


def test_exchange_status_without_shard_list_and_with_extra_fields() -> None:
    status = ExchangeStatusWire.model_validate(
        {"exchange_active": True, "trading_active": False, "something_new": 1}
    ).to_domain()
    assert status.shards == () and not status.shard_trading(2)


def test_old_payloads_without_book_side_fall_back_to_outcome_side() -> None:
    fill = FillWire.model_validate(
        {
            "order_id": "o",
            "market_ticker": "T",
            "outcome_side": "no",
            "count_fp": "1.50",
            "yes_price_dollars": "0.40",
            "fee_cost": "0.0200",
            "ts": 1786650000,
        }
    ).to_domain()
    assert fill.book_side is BookSide.ASK and fill.count == Decimal("1.50") and fill.ticker == "T"
    order = OrderWire.model_validate(
        {
            "order_id": "o",
            "ticker": "T",
            "status": "some_future_status",
            "book_side": "ask",
            "fill_count_fp": "2.00",
            "remaining_count_fp": "0.00",
            "taker_fill_cost_dollars": "1.2000",
            "maker_fill_cost_dollars": "0.0000",
            "taker_fees_dollars": "0.0400",
            "maker_fees_dollars": "0.0000",
        }
    ).to_domain()
    # A status word this code does not know: what the counts say (all filled, nothing left: executed).
    assert order.average_fill_price == Decimal("0.4") and order.status is OrderStatus.EXECUTED


def test_a_fill_without_direction_is_a_clear_error_over_http(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    from datetime import UTC, datetime

    fake.state.fills.append(
        {
            "fill_id": "f1",
            "order_id": "o",
            "ticker": ladder[0],
            "count_fp": "1.00",
            "yes_price_dollars": "0.5",
            "ts": 1786650000,
            "fee_cost": "0.0000",
            "book_side": "sideways",
        }
    )
    with pytest.raises(
        MalformedResponseError, match=r"GET /portfolio/fills: fill f1 has no usable book_side"
    ):
        client.fills(datetime(2026, 1, 1, tzinfo=UTC))
