"""Kalshi Trade API v2 client (httpx, synchronous). Implements :class:`kalshi_bots.ports.exchange.Exchange`.

- Reads go through :func:`send_with_retries` (429/5xx/timeouts, capped backoff with jitter); the
  signature is rebuilt per attempt so every try carries a fresh timestamp.
- An order POST is sent exactly once. If its outcome is unknown (timeout, dropped connection, 5xx,
  unreadable 2xx, any 4xx but a definitive rejection such as a 408) the client looks the order up by
  ``client_order_id`` and returns what it finds, or raises :class:`OrderOutcomeUnknownError`. A 409
  (duplicate ``client_order_id``) is answered the same way: the existing order is returned, a second
  one is never placed. A connection that never opened
  (connect error/timeout) and a 429 mean "not placed": TransientError, no lookup.
- Every failure is one of :mod:`kalshi_bots.ports.errors`, mapped in ``adapters/http.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from kalshi_bots.adapters.http import (
    DEFAULT_TIMEOUT,
    RetryPolicy,
    json_body,
    raise_for_status,
    send_once,
    send_with_retries,
)
from kalshi_bots.adapters.kalshi.orders import create_order_body, resolve_unknown_outcome
from kalshi_bots.adapters.kalshi.wire import (
    EventResponse,
    EventsPage,
    ExchangeStatusWire,
    MarketResponse,
    SeriesResponse,
)
from kalshi_bots.adapters.kalshi.wire_account import (
    BalanceResponse,
    CreateOrderResponse,
    FillsPage,
    OrdersPage,
    SettlementsPage,
)
from kalshi_bots.domain.models import (
    Event,
    ExchangeStatus,
    FeeSchedule,
    Fill,
    Market,
    OrderIntent,
    OrderResult,
    Settlement,
)
from kalshi_bots.domain.orders import is_definitive_rejection
from kalshi_bots.ports.errors import (
    AuthError,
    MalformedResponseError,
    OrderOutcomeUnknownError,
    RejectedError,
    TransientError,
)
from kalshi_bots.ports.exchange import Exchange

if TYPE_CHECKING:  # the signer (cryptography) is only imported by whoever signs: paper runs never do
    from kalshi_bots.adapters.kalshi.auth import KalshiSigner

SERVICE = "kalshi"
PRODUCTION_URL = "https://external-api.kalshi.com/trade-api/v2"
DEMO_URL = "https://external-api.demo.kalshi.co/trade-api/v2"
MAX_PAGES = 1000  # a server that keeps handing out cursors must not loop us forever
W = TypeVar("W", bound=BaseModel)
T = TypeVar("T")


class KalshiClient:
    """``KalshiClient(base_url, signer=KalshiSigner.from_file(key_id, path))``; no signer: market data."""

    def __init__(
        self,
        base_url: str,
        *,
        signer: KalshiSigner | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        lookup_attempts: int = 3,
        page_limit: int | None = None,
        fee_cache_s: float = 900.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"Kalshi base URL must be an absolute http(s) URL, got {base_url!r}")
        self._base = base_url.rstrip("/")
        self._signer = signer
        self._retry = retry or RetryPolicy()
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._lookup_attempts = lookup_attempts
        self._page_limit = page_limit
        # Series fee schedules change rarely and on announced dates; caching them for a few minutes
        # saves one round trip per trading run (the decision path's budget is 4 calls before the order).
        self._fee_cache_s = fee_cache_s
        self._monotonic = monotonic
        self._fee_cache: dict[str, tuple[float, FeeSchedule]] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KalshiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KalshiClient({self._base!r}, signer={self._signer!r})"

    # --- plumbing ------------------------------------------------------------------------------------

    def _build(
        self, method: str, path: str, *, params: dict[str, Any] | None, body: Any, auth: bool
    ) -> httpx.Request:
        request = self._http.build_request(
            method,
            self._base + path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=body,
            timeout=self._timeout,
        )
        signer = self._signer
        if auth:
            if signer is None:
                raise AuthError(
                    SERVICE,
                    f"{method} {path} needs a Kalshi API key: set KALSHI_BOTS_KALSHI_API_KEY_ID and "
                    "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH (or KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM)",
                )
            # Sign the path exactly as it goes on the wire: base prefix included, query excluded.
            wire_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
            request.headers.update(signer.headers(method, wire_path))
        return request

    def _send(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, auth: bool = False
    ) -> Any:
        """A safe request with retries; returns the parsed JSON of a 2xx reply."""
        response = send_with_retries(
            self._http,
            lambda: self._build(method, path, params=params, body=None, auth=auth),
            service=SERVICE,
            policy=self._retry,
        )
        raise_for_status(response, SERVICE)
        return json_body(response, SERVICE)

    def _get(
        self, model: type[W], path: str, *, params: dict[str, Any] | None = None, auth: bool = False
    ) -> W:
        return parse_reply(model, self._send("GET", path, params=params, auth=auth), f"GET {path}")

    def _pages(self, model: type[W], path: str, params: dict[str, Any], *, auth: bool) -> Iterator[W]:
        """Every page of a cursor-paginated list; an empty or missing cursor ends it."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._get(
                model, path, params=params | {"limit": self._page_limit, "cursor": cursor}, auth=auth
            )
            yield page
            cursor = getattr(page, "cursor", None) or None
            if cursor is None:
                return
            if cursor in seen:
                raise MalformedResponseError(SERVICE, f"GET {path} repeated cursor {cursor!r}; stopping")
            seen.add(cursor)
        raise MalformedResponseError(SERVICE, f"GET {path} returned more than {MAX_PAGES} pages")

    # --- market data (public) ------------------------------------------------------------------------

    def exchange_status(self) -> ExchangeStatus:
        return self._get(ExchangeStatusWire, "/exchange/status").to_domain()

    def series_fees(self, series_ticker: str) -> FeeSchedule:
        now = self._monotonic()
        cached = self._fee_cache.get(series_ticker)
        if cached is not None and now - cached[0] < self._fee_cache_s:
            return cached[1]
        schedule = self._get(SeriesResponse, f"/series/{series_ticker}").series.fee_schedule()
        self._fee_cache[series_ticker] = (now, schedule)
        return schedule

    def get_event(self, event_ticker: str) -> Event:
        path = f"/events/{event_ticker}"
        reply = self._get(EventResponse, path, params={"with_nested_markets": "true"})
        return convert_reply(reply.to_domain, f"GET {path}")

    def list_events(self, series_ticker: str, status: str = "open") -> list[Event]:
        params = {"series_ticker": series_ticker, "status": status or None, "with_nested_markets": "true"}
        events: list[Event] = []
        for page in self._pages(EventsPage, "/events", params, auth=False):
            events.extend(convert_reply(e.to_domain, "GET /events") for e in page.events)
        return events

    def get_market(self, ticker: str) -> Market:
        path = f"/markets/{ticker}"
        return convert_reply(self._get(MarketResponse, path).market.to_domain, f"GET {path}")

    # --- account (signed) ----------------------------------------------------------------------------

    def balance(self, exchange_index: int | None = None) -> Decimal:
        """Available cash in dollars; all shards unless ``exchange_index`` is given."""
        reply = self._get(
            BalanceResponse, "/portfolio/balance", params={"exchange_index": exchange_index}, auth=True
        )
        dollars = reply.dollars()
        if dollars is None:
            raise MalformedResponseError(
                SERVICE, "GET /portfolio/balance has neither balance_dollars nor balance"
            )
        return dollars

    def find_order(self, client_order_id: str, ticker: str) -> OrderResult | None:
        """The order with this client id on ``ticker`` (no server-side filter exists: page and match)."""
        for page in self._pages(OrdersPage, "/portfolio/orders", {"ticker": ticker}, auth=True):
            for order in page.orders:
                if order.client_order_id == client_order_id:
                    return convert_reply(order.to_domain, "GET /portfolio/orders")
        return None

    def create_order(self, intent: OrderIntent) -> OrderResult:
        path = "/portfolio/events/orders"
        request = self._build("POST", path, params=None, body=create_order_body(intent), auth=True)
        try:
            response = send_once(self._http, request, service=SERVICE)  # capped by the run deadline
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # No connection was established, so no byte of the order left this process.
            raise TransientError(SERVICE, f"{type(exc).__name__} on POST {path}: order not sent") from None
        except httpx.TransportError as exc:  # read timeouts, drops: the order may or may not exist
            return self._after_unknown(intent, f"{type(exc).__name__} on POST {path}")
        status = response.status_code
        if status == 409:
            # Duplicate client_order_id: the order exists already. Return it; never place a second.
            return self._after_unknown(intent, f"HTTP 409 on POST {path} (duplicate client_order_id)")
        if status == 429:
            raise TransientError(SERVICE, f"HTTP 429 on POST {path}: rate limited, order not placed")
        if status >= 400 and not is_definitive_rejection(status):
            # 408, 425, 5xx, ...: the exchange may have accepted the order before failing the reply.
            return self._after_unknown(intent, f"HTTP {status} on POST {path}")
        raise_for_status(response, SERVICE)
        try:
            body = json_body(response, SERVICE)
            if isinstance(body, dict) and "error" in body and "order_id" not in body:
                # A 2xx carrying an error and no order (seen on the retired v1 endpoint, reference §0.1).
                code = (
                    str((body.get("error") or {}).get("code", ""))
                    if isinstance(body.get("error"), dict)
                    else ""
                )
                raise RejectedError(
                    SERVICE, f"POST {path} answered {status} with an error: {body}", code, status
                )
            reply = parse_reply(CreateOrderResponse, body, f"POST {path}")
            requested = Decimal(intent.count)
            return convert_reply(
                lambda: reply.to_domain(intent.ticker, requested, intent.client_order_id), f"POST {path}"
            )
        except MalformedResponseError as exc:
            # A 2xx we cannot read (a count or fee missing...) may still be a placed order: look it up.
            return self._after_unknown(intent, f"unreadable reply to POST {path} ({exc.message})")

    def _after_unknown(self, intent: OrderIntent, why: str) -> OrderResult:
        return resolve_unknown_outcome(
            lambda: self.find_order(intent.client_order_id, intent.ticker),
            client_order_id=intent.client_order_id,
            why=why,
            attempts=self._lookup_attempts,
            policy=self._retry,
        )

    def fills(self, since: datetime) -> list[Fill]:
        out: list[Fill] = []
        for page in self._pages(FillsPage, "/portfolio/fills", {"min_ts": int(since.timestamp())}, auth=True):
            out.extend(convert_reply(f.to_domain, "GET /portfolio/fills") for f in page.fills)
        return out

    def settlements(self, since: datetime) -> list[Settlement]:
        out: list[Settlement] = []
        params = {"min_ts": int(since.timestamp())}
        for page in self._pages(SettlementsPage, "/portfolio/settlements", params, auth=True):
            out.extend(convert_reply(s.to_domain, "GET /portfolio/settlements") for s in page.settlements)
        return out


def parse_reply(model: type[W], body: Any, where: str) -> W:
    """The JSON ``body`` of the reply to ``where`` as a wire model; MalformedResponseError otherwise."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise MalformedResponseError(
            SERVICE, f"reply to {where} does not match {model.__name__}: {problems}"
        ) from None


def convert_reply(to_domain: Callable[[], T], where: str) -> T:
    """Run a wire model's conversion; unusable data (and any arithmetic on it) is a malformed reply."""
    try:
        return to_domain()
    except (ValueError, ArithmeticError) as exc:  # decimal.InvalidOperation/Overflow are ArithmeticError
        raise MalformedResponseError(SERVICE, f"reply to {where}: {exc}") from None


__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "KalshiClient",
    "OrderOutcomeUnknownError",
    "convert_reply",
    "parse_reply",
]


def _implements_exchange(client: KalshiClient) -> Exchange:
    """Never called: makes mypy prove that KalshiClient satisfies the Exchange port."""
    return client
