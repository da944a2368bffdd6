"""A fake Coinbase Exchange: ``/products/{id}/ticker`` and ``/products/{id}/candles`` over real HTTP.

State is an in-memory minute price path per product. Seed it exactly (``set_price``,
``load_candles`` with real wire rows) or let ``advance(now)`` extend it with a deterministic random
walk for demos. The candles endpoint behaves like the real one where it matters to a client:
rows ``[time, low, high, open, close, volume]`` newest first, missing minutes absent, more than 300
buckets -> HTTP 400 with the real message, unknown granularity -> 400.

Faults replace the next replies of an endpoint: an HTTP status, a cut-off body, a bad ``price``, and
well-formed but wrong data (a tick far from the candles, a tick stamped in the future, a candle time
no calendar holds), which only the reader's sanity rules can catch.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.faults import FaultQueue, malformed_fault, status_fault
from kalshi_bots.sandbox.server import DropConnection, FakeServer, Request, Response, ServedFake

MAX_CANDLES = 300
ALLOWED_GRANULARITIES = frozenset({60, 300, 900, 3600, 21600, 86400})
TOO_MANY_MESSAGE = (
    "granularity too small for the requested time range. Count of aggregations requested exceeds 300"
)
DEMO_START_PRICES = {"BTC-USD": Decimal("95000.00"), "ETH-USD": Decimal("3500.00")}
DEMO_HISTORY = timedelta(hours=6)
PRODUCT = r"(?P<product>[A-Z0-9]+-[A-Z0-9]+)"


@dataclass(slots=True)
class Candle:
    low: Decimal
    high: Decimal
    open: Decimal
    close: Decimal
    volume: Decimal

    def trade(self, price: Decimal, size: Decimal) -> None:
        self.low, self.high = min(self.low, price), max(self.high, price)
        self.close = price
        self.volume += size

    def row(self, minute: int) -> list[Any]:
        # The real API sends JSON numbers, not strings.
        return [
            minute,
            float(self.low),
            float(self.high),
            float(self.open),
            float(self.close),
            float(self.volume),
        ]


def _minute(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"fake coinbase needs aware datetimes, got {moment!r}")
    return int(moment.timestamp()) // 60 * 60


def _product(product: str | Asset) -> str:
    return product.coinbase_product if isinstance(product, Asset) else product


def _parse_iso(raw: str) -> datetime:
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class FakeCoinbase(ServedFake):
    def __init__(self, *, seed: int = 7, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = FakeServer(host, port)
        self.faults = FaultQueue()
        self._seed = seed
        self._candles: dict[str, dict[int, Candle]] = {}
        self._last: dict[str, tuple[Decimal, datetime]] = {}
        self._rng = random.Random(seed)
        self._trade_id = 1_000_000
        # Hanging: requests that get no answer until released (or the fake stops), then a dropped socket.
        self._hang_forever = False
        self._released = threading.Event()
        self.server.route("GET", f"/products/{PRODUCT}/ticker", self._ticker)
        self.server.route("GET", f"/products/{PRODUCT}/candles", self._candles_route)

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self._released.set()  # hanging handlers end (their sockets drop) before the server goes
        self.server.stop()

    def reset(self) -> None:
        """Forget prices, faults and recorded requests (lets tests share one running server)."""
        with self.server.lock:
            self._candles.clear()
            self._last.clear()
            self._rng = random.Random(self._seed)
            self.faults.clear()
            self.server.requests.clear()
            self._hang_forever = False
        self._released.set()

    # -- seeding ----------------------------------------------------------------------------------

    def set_price(
        self, product: str | Asset, price: Decimal | str, at: datetime, size: Decimal | str = "0.01"
    ) -> None:
        """Record a trade: updates the minute candle containing ``at`` and the ticker."""
        product = _product(product)
        value, amount = Decimal(price), Decimal(size)
        minute = _minute(at)
        with self.server.lock:
            candles = self._candles.setdefault(product, {})
            if minute in candles:
                candles[minute].trade(value, amount)
            else:
                candles[minute] = Candle(value, value, value, value, amount)
            last = self._last.get(product)
            if last is None or at >= last[1]:
                self._last[product] = (value, at.astimezone(UTC))

    def load_candles(self, product: str | Asset, rows: list[list[Any]]) -> None:
        """Seed from real wire rows ``[time, low, high, open, close, volume]`` (any order)."""
        product = _product(product)
        with self.server.lock:
            candles = self._candles.setdefault(product, {})
            for t, low, high, open_, close, volume in rows:
                candles[int(t)] = Candle(*(Decimal(str(v)) for v in (low, high, open_, close, volume)))
            newest = max(candles)
            self._last[product] = (candles[newest].close, datetime.fromtimestamp(newest + 59, tz=UTC))

    def remove_minutes(self, product: str | Asset, start: datetime, end: datetime) -> None:
        """Make a gap: drop the candles whose start minute is in ``[start, end)``."""
        product = _product(product)
        with self.server.lock:
            candles = self._candles.get(product, {})
            for minute in [m for m in candles if _minute(start) <= m < _minute(end)]:
                del candles[minute]

    def advance(self, now: datetime) -> None:
        """Random-walk every product minute by minute up to ``now`` (deterministic for a seed)."""
        with self.server.lock:
            for product, (last_price, at) in list(self._last.items()):
                price, minute = last_price, _minute(at) + 60
                while minute <= _minute(now):
                    step = Decimal(str(round(self._rng.gauss(0.0, 0.0008), 6)))  # ~0.08 % per minute
                    price = max(Decimal("0.01"), (price * (1 + step)).quantize(Decimal("0.01")))
                    # Mid-minute, but never after ``now``: a real trade cannot come from the future.
                    traded = min(datetime.fromtimestamp(minute + 30, tz=UTC), now.astimezone(UTC))
                    self.set_price(product, price, traded)
                    minute += 60

    def seed_demo(self, now: datetime) -> None:
        """Start over with BTC-USD and ETH-USD: six hours of minute history ending at ``now``."""
        self.reset()
        start = now - DEMO_HISTORY
        for product, price in DEMO_START_PRICES.items():
            self.set_price(product, price, start)
        self.advance(now)

    def price_at(self, product: str | Asset, at: datetime) -> Decimal | None:
        product = _product(product)
        with self.server.lock:
            candle = self._candles.get(product, {}).get(_minute(at))
            return candle.close if candle else None

    # -- failure injection ------------------------------------------------------------------------

    def fail_next(
        self, status: int, *, times: int = 1, endpoint: str | None = None, message: str = ""
    ) -> None:
        """The next ``times`` matching requests get ``status`` (e.g. 429, 503)."""
        self.faults.add(status_fault(status, message), times=times, endpoint=endpoint)

    def malformed_next(self, *, times: int = 1, endpoint: str | None = None) -> None:
        self.faults.add(malformed_fault(), times=times, endpoint=endpoint)

    def hang_forever(self) -> None:
        """Every request from now on is read and never answered (a server that accepted the connection and
        went silent, wedged) until :meth:`release_hangs` or :meth:`stop`."""
        with self.server.lock:
            self._hang_forever = True
            self._released.clear()

    def release_hangs(self) -> None:
        with self.server.lock:
            self._hang_forever = False
        self._released.set()

    def _maybe_hang(self) -> None:
        with self.server.lock:
            hang = self._hang_forever
        if hang:
            self._released.wait()
            raise DropConnection

    def bad_price_next(self, price: Any = "0", *, times: int = 1) -> None:
        """The next ticker replies carry ``price`` verbatim (``"0"``, ``"-5"``, ``None``, ``"abc"``)."""
        body = {"price": price, "time": "2026-01-01T00:00:00.000000Z", "bid": "1", "ask": "1"}
        self.faults.add(Response.json(body), times=times, endpoint="ticker")

    def jump_next(self, product: str | Asset, factor: Decimal | str = "0.5", *, times: int = 1) -> Decimal:
        """The next ticker replies show the last trade at ``factor`` x its price, still fresh (a bad
        tick, e.g. 50 % below the candles). Returns the price served."""
        product = _product(product)
        with self.server.lock:
            price, at = self._last[product]
        bad = (price * Decimal(factor)).quantize(Decimal("0.01"))
        self.faults.add(Response.json(self._ticker_body(bad, at)), times=times, endpoint="ticker")
        return bad

    def future_tick_next(
        self, product: str | Asset, ahead: timedelta = timedelta(days=1), *, times: int = 1
    ) -> datetime:
        """The next ticker replies stamp the last price ``ahead`` of its trade; returns the stamp."""
        product = _product(product)
        with self.server.lock:
            price, at = self._last[product]
        self.faults.add(Response.json(self._ticker_body(price, at + ahead)), times=times, endpoint="ticker")
        return at + ahead

    def candle_time_next(self, stamp: Any = 10**15, *, times: int = 1) -> None:
        """The next candle replies carry a row whose ``time`` is ``stamp`` (10**15 s: past year 9999)."""
        row = [stamp, 60000.0, 60010.0, 60005.0, 60001.0, 1.5]
        self.faults.add(Response.json([row]), times=times, endpoint="candles")

    # -- handlers ---------------------------------------------------------------------------------

    def _unknown(self, product: str) -> Response:
        return Response.json({"message": "NotFound"}, 404)

    def _ticker(self, request: Request) -> Response:
        self._maybe_hang()
        injected = self.faults.take("ticker")
        if injected is not None:
            return injected
        product = request.match["product"]
        with self.server.lock:
            last = self._last.get(product)
            if last is None:
                return self._unknown(product)
            body = self._ticker_body(*last)
        return Response.json(body)

    def _ticker_body(self, price: Decimal, at: datetime) -> dict[str, Any]:
        with self.server.lock:
            self._trade_id += 1
            return {
                "ask": str(price + Decimal("0.01")),
                "bid": str(price),
                "volume": "4916.94797396",
                "trade_id": self._trade_id,
                "price": str(price),
                "size": "0.00782662",
                "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "rfq_volume": "31.625279",
            }

    def _candles_route(self, request: Request) -> Response:
        self._maybe_hang()
        injected = self.faults.take("candles")
        if injected is not None:
            return injected
        product = request.match["product"]
        try:
            granularity = int(request.arg("granularity", "60") or "60")
        except ValueError:
            return Response.json({"message": "Invalid granularity"}, 400)
        if granularity not in ALLOWED_GRANULARITIES:
            return Response.json({"message": "Unsupported granularity"}, 400)
        if granularity != 60:
            return Response.json({"message": "fake coinbase serves granularity=60 only"}, 400)
        with self.server.lock:
            candles = self._candles.get(product)
            if candles is None:
                return self._unknown(product)
            raw_start, raw_end = request.arg("start"), request.arg("end")
            if raw_start and raw_end:
                try:
                    start, end = _minute(_parse_iso(raw_start)), _minute(_parse_iso(raw_end))
                except ValueError:
                    return Response.json({"message": "Invalid interval"}, 400)
                if start > end:
                    return Response.json({"message": "start must be before end"}, 400)
                if (end - start) // granularity + 1 > MAX_CANDLES:
                    return Response.json({"message": TOO_MANY_MESSAGE}, 400)
            else:  # like the real API: both ignored, the most recent window
                end = max(candles) if candles else 0
                start = end - (MAX_CANDLES - 1) * granularity
            rows = [candles[m].row(m) for m in sorted(candles, reverse=True) if start <= m <= end]
        return Response.json(rows)
