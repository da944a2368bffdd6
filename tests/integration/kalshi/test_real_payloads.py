"""Wire contract on real replies: every payload in ``../shared/data/found-data/kalshi_api_payloads_real``
(37 recorded Kalshi replies, live and demo, 2025-2026; see its README) goes through the wire models
exactly as :class:`KalshiClient` reads it (``parse_reply`` then ``convert_reply``), and every value we
use is checked against the raw JSON, computed here from the raw text rather than from our code.

Rules under test (issue 10, defect 11):
- both empty-book forms become "no quote" (``None``): ``null``/absent, and the extremes 0 / 1 on either
  side (bid 0 / ask 1, and on markets that never traded ``yes_ask 0`` / ``no_bid 1``);
- a missing count or fill amount (``*_fp``, fill costs, fees, settlement revenue) is a malformed reply,
  never a zero. Replies of the retired shapes (integer counts, the V1 order endpoint) are therefore
  refused with a MalformedResponseError that names the field, which is the fail-closed answer.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kalshi_bots.adapters.kalshi import KalshiClient
from kalshi_bots.adapters.kalshi.client import convert_reply, parse_reply
from kalshi_bots.adapters.kalshi.wire import (
    EventResponse,
    EventsPage,
    ExchangeStatusWire,
    MarketResponse,
    MarketWire,
    SeriesResponse,
)
from kalshi_bots.adapters.kalshi.wire_account import (
    BalanceResponse,
    CreateOrderResponse,
    FillsPage,
    OrdersPage,
    OrderWire,
    SettlementsPage,
)
from kalshi_bots.domain.models import (
    BookSide,
    Event,
    FeeType,
    Fill,
    Market,
    OrderIntent,
    OrderResult,
    PriceRange,
    Settlement,
    StrikeType,
)
from kalshi_bots.ports.errors import MalformedResponseError
from kalshi_bots.sandbox.kalshi import FakeKalshi
from kalshi_bots.sandbox.kalshi.faults import ORDERS_PATH

SHARED = Path(__file__).resolve().parents[4] / "shared"
PAYLOADS = SHARED / "data" / "found-data" / "kalshi_api_payloads_real"
FILES = sorted(p.name for p in PAYLOADS.glob("*.json")) if PAYLOADS.is_dir() else []
shared_data = pytest.mark.shared_data

# Replies of shapes Kalshi retired; reading them must fail closed, naming what is missing.
RETIRED = {
    "demo_2025-11-23_GET_portfolio_fills__precog.json": "count_fp",  # integer `count`, `*_fixed` prices
    "live_2025-12-24_GET_portfolio_order_resting__precog.json": "fill_count_fp",  # integer counts
    "live_2025-12-24_POST_portfolio_orders_v1_resting__precog.json": "order_id",  # V1 {"order": ...}
}


def raw(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


# --- what the raw JSON says, computed without our parsers ---------------------------------------------


def dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def quote(value: Any) -> Decimal | None:
    """Kalshi's quote or None: null, absent, "" and the extremes 0 and 1 all mean an empty side."""
    price = dec(value)
    return None if price is None or price in (0, 1) else price


def check_market(r: dict[str, Any], m: Market) -> None:
    assert (m.ticker, m.event_ticker, m.status) == (r["ticker"], r["event_ticker"], r.get("status", ""))
    assert m.close_time == when(r["close_time"])
    assert m.strike_type is StrikeType.parse(r.get("strike_type"))
    assert (m.floor_strike, m.cap_strike) == (dec(r.get("floor_strike")), dec(r.get("cap_strike")))
    for side in ("yes_bid", "yes_ask", "no_bid", "no_ask"):
        assert getattr(m, side) == quote(r.get(f"{side}_dollars")), (r["ticker"], side)
    assert (m.yes_bid_size, m.yes_ask_size) == (dec(r.get("yes_bid_size_fp")), dec(r.get("yes_ask_size_fp")))
    assert m.exchange_index == r.get("exchange_index")
    assert m.result == r.get("result", "")
    ranges = tuple(
        PriceRange(*(Decimal(x[k]) for k in ("start", "end", "step"))) for x in r.get("price_ranges", ())
    )
    assert m.price_ranges == ranges


def check_event(r: dict[str, Any], top_level_markets: list[dict[str, Any]] | None, e: Event) -> None:
    assert (e.event_ticker, e.series_ticker) == (r["event_ticker"], r.get("series_ticker", ""))
    assert e.exchange_index == r.get("exchange_index")
    markets = r.get("markets") or top_level_markets or []
    assert len(e.markets) == len(markets)
    for raw_market, market in zip(markets, e.markets, strict=True):
        check_market(raw_market, market)


def check_order(r: dict[str, Any], o: OrderResult) -> None:
    assert (o.order_id, o.client_order_id, o.ticker, o.status) == (
        r["order_id"],
        r["client_order_id"],
        r["ticker"],
        r["status"],
    )
    assert (o.fill_count, o.remaining_count) == (
        Decimal(r["fill_count_fp"]),
        Decimal(r["remaining_count_fp"]),
    )
    assert o.fees_paid == Decimal(r["taker_fees_dollars"]) + Decimal(r["maker_fees_dollars"])
    if o.fill_count > 0:  # these filled at their limit: the average is the order's YES price
        assert o.average_fill_price == Decimal(r["yes_price_dollars"])
    else:
        assert o.average_fill_price is None


def check_fill(r: dict[str, Any], f: Fill) -> None:
    assert (f.order_id, f.ticker) == (r["order_id"], r.get("ticker") or r["market_ticker"])
    assert (f.count, f.yes_price, f.fee) == (
        Decimal(r["count_fp"]),
        Decimal(r["yes_price_dollars"]),
        Decimal(r["fee_cost"]),
    )
    assert f.book_side is BookSide(r["book_side"])
    assert f.created_at == when(r["created_time"])


def check_settlement(r: dict[str, Any], s: Settlement) -> None:
    assert (s.ticker, s.market_result) == (r["ticker"], r["market_result"])
    assert (s.yes_count, s.no_count) == (Decimal(r["yes_count_fp"]), Decimal(r["no_count_fp"]))
    assert s.revenue == Decimal(r["revenue"]) / 100 and s.fee_cost == Decimal(r["fee_cost"])
    assert s.settled_at == when(r["settled_time"])


# --- one reader per endpoint, as the client reads it ---------------------------------------------------


def read_markets(body: Any, where: str) -> None:
    # The client asks for markets only within events; a page of them is still a page of market objects.
    for r in body["markets"]:
        check_market(r, convert_reply(parse_reply(MarketWire, r, where).to_domain, where))


def read_market(body: Any, where: str) -> None:
    check_market(
        body["market"], convert_reply(parse_reply(MarketResponse, body, where).market.to_domain, where)
    )


def read_market_object(body: Any, where: str) -> None:
    check_market(body, convert_reply(parse_reply(MarketWire, body, where).to_domain, where))


def read_events(body: Any, where: str) -> None:
    page = parse_reply(EventsPage, body, where)
    for r, e in zip(body["events"], page.events, strict=True):
        check_event(r, None, convert_reply(e.to_domain, where))


def read_event(body: Any, where: str) -> None:
    event = convert_reply(parse_reply(EventResponse, body, where).to_domain, where)
    check_event(body["event"], body.get("markets"), event)


def read_series(body: Any, where: str) -> None:
    schedule = parse_reply(SeriesResponse, body, where).series.fee_schedule()
    r = body["series"]
    assert schedule.fee_type is FeeType.parse(r["fee_type"])
    assert schedule.multiplier == (dec(r.get("fee_multiplier")) or 1)


def not_read(body: Any, where: str) -> None:
    """A reply of an endpoint the client never asks (the order book: quotes come with the markets)."""


def read_status(body: Any, where: str) -> None:
    status = parse_reply(ExchangeStatusWire, body, where).to_domain()
    assert (status.exchange_active, status.trading_active) == (
        body["exchange_active"],
        body["trading_active"],
    )
    shards = [
        (s["exchange_index"], s["exchange_active"] and s["trading_active"])
        for s in body.get("exchange_index_statuses", ())
    ]
    assert list(status.shards) == shards


def read_balance(body: Any, where: str) -> None:
    dollars = parse_reply(BalanceResponse, body, where).dollars()
    assert dollars == (dec(body.get("balance_dollars")) or Decimal(body["balance"]) / 100)


def read_create_order(body: Any, where: str) -> None:
    reply = parse_reply(CreateOrderResponse, body, where)
    filled, remaining = Decimal(body["fill_count"]), Decimal(body["remaining_count"])
    requested = max(Decimal(1), filled + remaining)  # every recorded order asked for 1 contract
    result = convert_reply(lambda: reply.to_domain("T", requested, "ours"), where)
    assert (result.order_id, result.fill_count, result.remaining_count) == (
        body["order_id"],
        filled,
        remaining,
    )
    expected_status = next(
        s for k, s in (("filled", "executed"), ("resting", "resting"), ("nofill", "canceled")) if k in where
    )
    assert result.status == expected_status
    if filled > 0:
        assert result.average_fill_price == Decimal(body["average_fill_price"])
        assert result.fees_paid == Decimal(body["average_fee_paid"]) * filled
    else:
        assert result.average_fill_price is None and result.fees_paid == 0


def read_order(body: Any, where: str) -> None:
    check_order(body["order"], convert_reply(parse_reply(OrderWire, body["order"], where).to_domain, where))


def read_orders(body: Any, where: str) -> None:
    page = parse_reply(OrdersPage, body, where)
    for r, o in zip(body["orders"], page.orders, strict=True):
        check_order(r, convert_reply(o.to_domain, where))


def read_fills(body: Any, where: str) -> None:
    page = parse_reply(FillsPage, body, where)
    for r, f in zip(body["fills"], page.fills, strict=True):
        check_fill(r, convert_reply(f.to_domain, where))


def read_settlements(body: Any, where: str) -> None:
    page = parse_reply(SettlementsPage, body, where)
    for r, s in zip(body["settlements"], page.settlements, strict=True):
        check_settlement(r, convert_reply(s.to_domain, where))


# File name pattern -> reader; the first match wins. Every file must match one (test below).
READERS: list[tuple[str, Callable[[Any, str], None]]] = [
    (r"_GET_markets_", read_markets),
    (r"_GET_market_", read_market),
    (r"_market_object_", read_market_object),
    (r"_GET_events_", read_events),
    (r"_GET_event_", read_event),
    (r"_GET_series_", read_series),
    (r"_GET_orderbook_", not_read),
    (r"_GET_exchange_status_", read_status),
    (r"_GET_portfolio_balance_", read_balance),
    (r"_POST_portfolio_(events_)?orders_", read_create_order),
    (r"_GET_portfolio_order_", read_order),
    (r"_GET_portfolio_orders_", read_orders),
    (r"_GET_portfolio_fills_", read_fills),
    (r"_GET_portfolio_settlements_", read_settlements),
]


def reader_for(name: str) -> Callable[[Any, str], None]:
    return next(read for pattern, read in READERS if re.search(pattern, name))


@shared_data
def test_the_folder_holds_the_37_replies_and_every_one_has_a_reader() -> None:
    assert len(FILES) == 37, FILES
    for name in FILES:
        reader_for(name)  # StopIteration = a reply nobody checks


@shared_data
@pytest.mark.parametrize("name", [n for n in FILES if n not in RETIRED])
def test_every_real_reply_parses_to_the_values_in_its_json(name: str) -> None:
    reader_for(name)(raw(name), name)


@shared_data
@pytest.mark.parametrize("name", sorted(RETIRED))
def test_replies_of_retired_shapes_fail_closed_naming_the_missing_field(name: str) -> None:
    with pytest.raises(MalformedResponseError, match=RETIRED[name]):
        reader_for(name)(raw(name), name)


@shared_data
def test_a_market_that_never_traded_has_no_quotes_not_a_free_ask() -> None:
    # yes_ask_dollars "0.0000" and no_bid_dollars "1.0000": read as quotes, a YES would look free.
    body = raw("live_2026-09-26_GET_markets_page_mixed__feetball.json")
    (never_traded,) = [m for m in body["markets"] if m["ticker"] == "KXNFLCAREERRECYDS-MEVANS-22896"]
    assert (never_traded["yes_ask_dollars"], never_traded["no_bid_dollars"]) == ("0.0000", "1.0000")
    market = convert_reply(parse_reply(MarketWire, never_traded, "GET /markets").to_domain, "GET /markets")
    assert (market.yes_bid, market.yes_ask, market.no_bid, market.no_ask) == (None, None, None, None)


# --- a missing amount is a malformed reply, never a zero -------------------------------------------------


def _without(body: Any, path: tuple[Any, ...], field: str, *, null: bool) -> Any:
    edited = copy.deepcopy(body)
    holder = edited
    for key in path:
        holder = holder[key]
    if null:
        holder[field] = None
    else:
        del holder[field]
    return edited


@dataclass(frozen=True)
class Amount:
    file: str
    path: tuple[Any, ...]  # to the object holding the field
    field: str

    def __str__(self) -> str:
        return f"{self.file.split('_', 3)[3][:40]}:{self.field}"


AMOUNTS = [
    *(
        Amount("docs_2026-09-19_GET_portfolio_orders__arb-engine.json", ("orders", 0), f)
        for f in (
            "fill_count_fp",
            "remaining_count_fp",
            "taker_fill_cost_dollars",
            "maker_fill_cost_dollars",
            "taker_fees_dollars",
            "maker_fees_dollars",
        )
    ),
    *(
        Amount("live_2026-09-25_GET_portfolio_fills_rows_scrubbed__sharp-check.json", ("fills", 0), f)
        for f in ("count_fp", "yes_price_dollars", "fee_cost")
    ),
    *(
        Amount("live_2026-09-27_GET_portfolio_settlements_rows__sharp-check.json", ("settlements", 0), f)
        for f in ("yes_count_fp", "no_count_fp", "revenue", "fee_cost")
    ),
    *(
        Amount("demo_2026-09-26_POST_portfolio_events_orders_filled__arb-engine.json", (), f)
        for f in ("fill_count", "remaining_count", "average_fill_price", "average_fee_paid")
    ),
]


@shared_data
@pytest.mark.parametrize("null", [False, True], ids=["absent", "null"])
@pytest.mark.parametrize("amount", AMOUNTS, ids=str)
def test_a_missing_count_or_fill_amount_is_malformed_never_zero(amount: Amount, null: bool) -> None:
    body = _without(raw(amount.file), amount.path, amount.field, null=null)
    with pytest.raises(MalformedResponseError, match=amount.field):
        reader_for(amount.file)(body, amount.file)


def test_an_order_reply_without_its_fill_count_is_looked_up_not_read_as_unfilled(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    # The fake fills 2 NO, then its 201 drops fill_count. Read as 0 the order would be booked "failed"
    # and its budget released while the position exists. The client must find the order instead.
    fake.rewrite_next(
        lambda body: {k: v for k, v in body.items() if k != "fill_count"},
        path=f"^{ORDERS_PATH}$",
        method="POST",
    )
    intent = OrderIntent(ladder[1], BookSide.ASK, Decimal("0.40"), 2, "0b6c1f5e-8d44-5a51-9c2e-4f0e6f9d2a10")
    result = client.create_order(intent)
    assert result.fill_count == 2 and result.status == "executed"
    assert len(fake.orders) == 1
