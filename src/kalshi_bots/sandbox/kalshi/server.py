"""A fake Kalshi Trade API v2 on a real local HTTP server, for tests and offline demos.

``with FakeKalshi() as fake:`` -> ``fake.url`` is the base URL (``http://127.0.0.1:<port>/trade-api/v2``).

- Public: /exchange/status, /series/{t}, /events (+cursor, series_ticker, status, with_nested_markets),
  /events/{t}, /markets (+cursor, filters), /markets/{t}, /markets/{t}/orderbook.
- Signed: /portfolio/balance, positions, orders (cursor, ticker), fills, settlements,
  POST /portfolio/events/orders, DELETE /portfolio/events/orders/{id}.
- Signatures are VERIFIED with the public key registered under the key id (``register_key``):
  missing headers, an unknown key, a bad signature (altered path or method) or a timestamp more than
  ``max_skew_ms`` (default 5000 ms, our choice: Kalshi's tolerance is undocumented) from the fake's
  clock answer 401 ``{"error": {"code": "authentication_error", ...}}``.
- Faults (``fail_next``, ``malformed_next``, ``delay_next``, ``hold_next``, ``drop_next``,
  ``crash_after_accept``) act before auth and the handler, except ``crash_after_accept``, which lets an
  order through first (then answers e.g. 500 or 408), and the ``rewrite`` family (``scale_strikes_next``,
  ``over_precise_next``, ``foreign_markets_next``), which edits a correct answer into well-formed but
  wrong data. ``hide_new_orders`` keeps accepted orders out of the orders and fills lists for a while,
  as a lagging exchange would.
The endpoints are in :mod:`.routes`; exchange behaviour (matching, fees, settlement) in :mod:`.state`;
the faults in :mod:`.faults`; demo markets in :mod:`.demo`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.kalshi.auth import PublicKey
from kalshi_bots.sandbox.kalshi.faults import FaultInjector, error_response
from kalshi_bots.sandbox.kalshi.order_rules import FakeReject
from kalshi_bots.sandbox.kalshi.routes import KalshiEndpoints
from kalshi_bots.sandbox.kalshi.signing import new_key_pair, signature_problem
from kalshi_bots.sandbox.kalshi.state import ExchangeState, FakeEvent, FakeMarket, FakeSeries
from kalshi_bots.sandbox.server import DropConnection, FakeServer, Request, Response, ServedFake

PREFIX = "/trade-api/v2"


class FakeKalshi(FaultInjector, KalshiEndpoints, ServedFake):
    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        balance: Decimal = Decimal(1000),
        max_skew_ms: int = 5000,
        page_size: int | None = None,
    ) -> None:
        self.server = FakeServer()
        self.state = ExchangeState(balance)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.auth_clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000
        self.max_skew_ms = max_skew_ms
        self.page_size = page_size  # caps every page (tests use 2 to exercise cursors)
        self._keys: dict[str, PublicKey] = {}
        # Orders created while ``order_visibility_delay`` is set stay out of the orders and fills lists
        # until the fake's clock passes this instant (a lagging read replica on the exchange's side).
        self.order_visibility_delay: timedelta | None = None
        self._visible_after: dict[str, datetime] = {}
        FaultInjector.__init__(self)
        self._routes()

    # --- lifecycle -------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url + PREFIX

    # --- seeding and inspection (tests, demos) ---------------------------------------------------------

    def register_key(self, key_id: str, public_key: PublicKey) -> None:
        self._keys[key_id] = public_key

    def issue_key(self, key_id: str = "sandbox-key") -> str:
        """Register a fresh Ed25519 key under ``key_id``; its private PEM text is for the client side
        (``KalshiSigner.from_pem`` or ``KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM``). Never stored anywhere."""
        public_key, pem = new_key_pair()
        self.register_key(key_id, public_key)
        return pem

    def add_series(
        self, ticker: str, fee_type: str = "quadratic", fee_multiplier: Decimal = Decimal(1), **extra: Any
    ) -> None:
        with self.server.lock:
            self.state.series[ticker] = FakeSeries(ticker, fee_type, fee_multiplier, extra=extra)

    def add_event(
        self,
        event_ticker: str,
        series: str,
        *markets: FakeMarket,
        exchange_index: int = 0,
        mutually_exclusive: bool = False,
        **extra: Any,
    ) -> None:
        """Add (or extend) an event; each market's ``event_ticker`` must match."""
        with self.server.lock:
            event = self.state.events.setdefault(
                event_ticker,
                FakeEvent(
                    event_ticker,
                    series,
                    exchange_index=exchange_index,
                    mutually_exclusive=mutually_exclusive,
                    extra=extra,
                ),
            )
            for market in markets:
                if market.event_ticker != event_ticker:
                    raise ValueError(
                        f"market {market.ticker} belongs to {market.event_ticker}, not {event_ticker}"
                    )
                if market.exchange_index is None:
                    market.exchange_index = event.exchange_index
                if market.ticker not in self.state.markets:
                    event.market_tickers.append(market.ticker)
                self.state.markets[market.ticker] = market

    def set_orderbook(
        self,
        ticker: str,
        yes_bids: Sequence[tuple[Decimal, Decimal]] = (),
        no_bids: Sequence[tuple[Decimal, Decimal]] = (),
    ) -> None:
        """Replace the book: ``(price_dollars, size)`` YES bids and NO bids."""
        with self.server.lock:
            market = self.state.market(ticker)
            market.yes_bids = {Decimal(p): Decimal(q) for p, q in yes_bids}
            market.no_bids = {Decimal(p): Decimal(q) for p, q in no_bids}

    def set_quote(
        self, ticker: str, yes_bid: Decimal | None, yes_ask: Decimal | None, size: Decimal = Decimal(100)
    ) -> None:
        """One level each side: a YES bid and a YES ask (= a NO bid at 1 - ask)."""
        self.set_orderbook(
            ticker,
            yes_bids=[(yes_bid, size)] if yes_bid is not None else [],
            no_bids=[(Decimal(1) - yes_ask, size)] if yes_ask is not None else [],
        )

    def set_exchange_status(
        self,
        *,
        exchange_active: bool = True,
        trading_active: bool = True,
        shards: dict[int, bool] | None = None,
    ) -> None:
        with self.server.lock:
            self.state.exchange_active, self.state.trading_active = exchange_active, trading_active
            self.state.shard_trading = shards

    def set_balance(self, dollars: Decimal) -> None:
        with self.server.lock:
            self.state.balance = Decimal(dollars)

    def hide_new_orders(self, delay: timedelta | None) -> None:
        """Orders accepted from now on appear in ``GET /portfolio/orders`` and ``/fills`` only ``delay``
        after their creation (by the fake's clock); ``None`` stops hiding new ones."""
        with self.server.lock:
            self.order_visibility_delay = delay

    def settle(self, market_ticker: str, result: str) -> None:
        with self.server.lock:
            self.state.settle(market_ticker, result, self.clock())

    def foreign_markets_next(self, event_ticker: str, other_event_ticker: str, *, times: int = 1) -> None:
        """The reply for ``event_ticker`` carries the markets of ``other_event_ticker`` instead."""

        def swap(body: Any) -> Any:
            other = self.state.events[other_event_ticker]
            markets = [self._market_json(m) for m in self._event_markets(other)]
            if isinstance(body.get("event"), dict) and "markets" in body["event"]:
                body["event"]["markets"] = markets
            body["markets"] = markets
            return body

        self.rewrite_next(swap, times=times, path=f"^/events/{re.escape(event_ticker)}$")

    @property
    def orders(self) -> list[dict[str, Any]]:
        with self.server.lock:
            return [dict(o) for o in self.state.orders]

    @property
    def balance(self) -> Decimal:
        with self.server.lock:
            return self.state.balance

    # --- request pipeline ------------------------------------------------------------------------------

    def _routes(self) -> None:
        for method, pattern, handler, signed in self.route_table():
            self.server.route(method, PREFIX + pattern, self._pipeline(handler, signed))

    def _pipeline(
        self, handler: Callable[[Request], Response], signed: bool
    ) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            path = request.path[len(PREFIX) :]
            fault = self.take_fault(request.method, path)
            if fault is not None and fault.kind != "crash_after_accept":
                early = self.apply_early(fault)
                if early is not None:
                    return early
            if signed:
                problem = signature_problem(
                    request, self._keys, now_ms=self.auth_clock_ms(), max_skew_ms=self.max_skew_ms
                )
                if problem:
                    return error_response(401, "authentication_error", problem)
            try:
                with self.server.lock:
                    response = handler(request)
                    if fault is not None:
                        response = self.apply_late(fault, response)
            except FakeReject as exc:
                return error_response(exc.status, exc.code, exc.message)
            if fault is not None and fault.kind == "crash_after_accept":
                if fault.status == 0:
                    raise DropConnection
                code = "request_timeout" if fault.status == 408 else "internal_server_error"
                return error_response(fault.status, code, "injected failure after accepting the order")
            return response

        return run


__all__ = ["PREFIX", "FakeKalshi", "FakeMarket"]
