"""What each path of the fake Kalshi answers, read from (or written to) its :class:`ExchangeState`.

Handlers run with the server lock held, after the request pipeline (:mod:`.server`) has applied faults
and checked signatures; a :class:`FakeReject` becomes Kalshi's error body. Lists are paged with Kalshi's
opaque ``cursor`` (here an offset) and filtered as the API documents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kalshi_bots.sandbox.kalshi.faults import ORDERS_PATH
from kalshi_bots.sandbox.kalshi.order_rules import FakeReject
from kalshi_bots.sandbox.kalshi.render import (
    balance_json,
    event_json,
    exchange_status_json,
    market_json,
    series_json,
)
from kalshi_bots.sandbox.kalshi.state import ExchangeState, FakeEvent, FakeMarket
from kalshi_bots.sandbox.server import Request, Response

_STATUS_FILTER = {
    "open": {"active"},
    "unopened": {"initialized"},
    "paused": {"inactive"},
    "settled": {"finalized"},
}
_CLOSED = {"closed", "determined", "disputed", "amended"}
Handler = Callable[[Request], Response]


class KalshiEndpoints:
    """The Trade API's endpoints over ``state``; :class:`~.server.FakeKalshi` serves them."""

    state: ExchangeState
    clock: Callable[[], datetime]
    page_size: int | None  # caps every page (tests use 2 to exercise cursors)
    order_visibility_delay: timedelta | None
    _visible_after: dict[str, datetime]

    def route_table(self) -> list[tuple[str, str, Handler, bool]]:
        """(method, path pattern under the API prefix, handler, signed)."""
        return [
            ("GET", r"/exchange/status", self._h_status, False),
            ("GET", r"/series/(?P<t>[^/]+)", self._h_series, False),
            ("GET", r"/events", self._h_events, False),
            ("GET", r"/events/(?P<t>[^/]+)", self._h_event, False),
            ("GET", r"/markets", self._h_markets, False),
            ("GET", r"/markets/(?P<t>[^/]+)", self._h_market, False),
            ("GET", r"/portfolio/balance", self._h_balance, True),
            ("GET", r"/portfolio/orders", self._h_orders, True),
            ("GET", r"/portfolio/fills", self._h_fills, True),
            ("GET", r"/portfolio/settlements", self._h_settlements, True),
            ("POST", ORDERS_PATH, self._h_create_order, True),
        ]

    def _visible(self, order_id: str) -> bool:
        after = self._visible_after.get(order_id)
        return after is None or self.clock() >= after

    def _page(self, request: Request, items: list[Any], default_limit: int) -> tuple[list[Any], str]:
        limit = int(request.arg("limit") or default_limit)
        if self.page_size is not None:
            limit = min(limit, self.page_size)
        raw = request.arg("cursor") or "0"
        if not raw.isdigit():
            raise FakeReject(400, "invalid_parameters", f"bad cursor {raw!r}")
        start = int(raw)
        end = start + max(1, limit)
        return items[start:end], (str(end) if end < len(items) else "")

    # --- handlers (called with the server lock held) ---------------------------------------------------

    def _h_status(self, request: Request) -> Response:
        return Response.json(exchange_status_json(self.state))

    def _h_series(self, request: Request) -> Response:
        series = self.state.series.get(request.match["t"])
        if series is None:
            raise FakeReject(404, "not_found", f"series {request.match['t']} not found")
        return Response.json({"series": series_json(series)})

    def _market_json(self, market: FakeMarket) -> dict[str, Any]:
        return market_json(market, self.state.effective_status(market, self.clock()))

    def _event_markets(self, event: FakeEvent) -> list[FakeMarket]:
        return [self.state.markets[t] for t in event.market_tickers]

    def _status_ok(self, wanted: str | None, markets: list[FakeMarket]) -> bool:
        if not wanted:
            return True
        statuses = {self.state.effective_status(m, self.clock()) for m in markets}
        if wanted == "closed":
            return bool(statuses & _CLOSED)
        return bool(statuses & _STATUS_FILTER.get(wanted, {wanted}))

    def _h_events(self, request: Request) -> Response:
        series, status = request.arg("series_ticker"), request.arg("status")
        nested = request.arg("with_nested_markets") == "true"
        events = [
            e
            for e in self.state.events.values()
            if (not series or e.series_ticker == series) and self._status_ok(status, self._event_markets(e))
        ]
        page, cursor = self._page(request, events, 200)
        body = [
            event_json(e, [self._market_json(m) for m in self._event_markets(e)] if nested else None)
            for e in page
        ]
        return Response.json({"events": body, "cursor": cursor})

    def _h_event(self, request: Request) -> Response:
        event = self.state.events.get(request.match["t"])
        if event is None:
            raise FakeReject(404, "not_found", f"event {request.match['t']} not found")
        markets = [self._market_json(m) for m in self._event_markets(event)]
        nested = request.arg("with_nested_markets") == "true"
        return Response.json({"event": event_json(event, markets if nested else None), "markets": markets})

    def _h_markets(self, request: Request) -> Response:
        event, series, status = (
            request.arg("event_ticker"),
            request.arg("series_ticker"),
            request.arg("status"),
        )
        tickers = set(filter(None, (request.arg("tickers") or "").split(",")))
        chosen = [
            m
            for m in self.state.markets.values()
            if (not event or m.event_ticker == event)
            and (
                not series
                or (
                    m.event_ticker in self.state.events
                    and self.state.events[m.event_ticker].series_ticker == series
                )
            )
            and (not tickers or m.ticker in tickers)
            and self._status_ok(status, [m])
        ]
        page, cursor = self._page(request, chosen, 100)
        return Response.json({"markets": [self._market_json(m) for m in page], "cursor": cursor})

    def _h_market(self, request: Request) -> Response:
        return Response.json({"market": self._market_json(self.state.market(request.match["t"]))})

    def _h_balance(self, request: Request) -> Response:
        index = request.arg("exchange_index")
        return Response.json(balance_json(self.state, self.clock(), int(index) if index else None))

    def _h_orders(self, request: Request) -> Response:
        ticker, status = request.arg("ticker"), request.arg("status")
        rows = [
            dict(o)
            for o in reversed(self.state.orders)  # newest first
            if (not ticker or o["ticker"] == ticker)
            and (not status or o["status"] == status)
            and self._visible(o["order_id"])
        ]
        page, cursor = self._page(request, rows, 100)
        return Response.json({"orders": page, "cursor": cursor})

    def _h_fills(self, request: Request) -> Response:
        ticker, order_id = request.arg("ticker"), request.arg("order_id")
        min_ts = int(request.arg("min_ts") or 0)
        rows = [
            dict(f)
            for f in reversed(self.state.fills)
            if (not ticker or f["ticker"] == ticker)
            and (not order_id or f["order_id"] == order_id)
            and f["ts"] >= min_ts
            and self._visible(f["order_id"])
        ]
        page, cursor = self._page(request, rows, 100)
        return Response.json({"fills": page, "cursor": cursor})

    def _h_settlements(self, request: Request) -> Response:
        ticker = request.arg("ticker")
        min_ts = int(request.arg("min_ts") or 0)
        rows = [
            dict(s)
            for s in reversed(self.state.settlements)
            if (not ticker or s["ticker"] == ticker)
            and datetime.fromisoformat(s["settled_time"].replace("Z", "+00:00")).timestamp() >= min_ts
        ]
        page, cursor = self._page(request, rows, 100)
        return Response.json({"settlements": page, "cursor": cursor})

    def _h_create_order(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            raise FakeReject(400, "invalid_parameters", "body is not JSON") from None
        reply = self.state.create_order(body, self.clock())
        if self.order_visibility_delay is not None:
            self._visible_after[reply["order_id"]] = self.clock() + self.order_visibility_delay
        return Response.json(reply, 201)
