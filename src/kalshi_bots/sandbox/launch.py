"""Start the three fakes together, seeded, and keep them moving with time: an offline world.

``with Sandbox() as world:`` starts fake Kalshi, Coinbase and NWS on 127.0.0.1, seeds them at the
clock's time (six hours of minute prices, the next hourly crypto events, today's and tomorrow's
weather brackets and forecasts) and exposes ``world.urls`` for the composition root.

Time moves in one of two ways:
- ``world.advance(now)``: the caller steps time (tests and simulated days: each simulated minute);
- ``world.keep_rolling()``: a background thread advances to the clock's time every few seconds
  (``kalshi-bots run --sandbox``).
Advancing walks the Coinbase prices forward minute by minute, refreshes NWS observations and
forecasts, lists new hourly events, requotes open markets around the new spot and settles closed ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType

from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase
from kalshi_bots.sandbox.kalshi import FakeKalshi
from kalshi_bots.sandbox.kalshi.demo import DEMO_CITIES, seed_demo_markets
from kalshi_bots.sandbox.nws_fake import FakeNws

ASSETS = (Asset.BTC, Asset.ETH)
# The daily-high series the fake Kalshi lists (the others answer 404, like an unlisted series).
WEATHER_SERIES: tuple[str, ...] = tuple(city.series for city in DEMO_CITIES)


@dataclass(frozen=True, slots=True)
class SandboxUrls:
    kalshi: str  # ends in /trade-api/v2, like the real base URL
    coinbase: str
    nws: str


def _system_now() -> datetime:
    return datetime.now(UTC)


class Sandbox:
    """The fakes as one world. ``clock`` is the world's time (default: the real time)."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        kalshi_balance: Decimal = Decimal(1000),
        seed: int = 7,
    ) -> None:
        self.clock = clock or _system_now
        self.kalshi = FakeKalshi(clock=self.clock, balance=kalshi_balance)
        self.coinbase = FakeCoinbase(seed=seed)
        self.nws = FakeNws()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._roller: threading.Thread | None = None
        self.advanced_to: datetime | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        self.kalshi.start()
        self.coinbase.start()
        self.nws.start()
        now = self.clock()
        self.coinbase.seed_demo(now)
        self.nws.seed_demo(now)
        self._refresh_markets(now)
        self.advanced_to = now
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._roller is not None:
            self._roller.join(timeout=5)
        for fake in (self.kalshi, self.coinbase, self.nws):
            fake.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def urls(self) -> SandboxUrls:
        return SandboxUrls(kalshi=self.kalshi.url, coinbase=self.coinbase.url, nws=self.nws.url)

    # --- time --------------------------------------------------------------------------------------

    def advance(self, now: datetime) -> None:
        """Move the world to ``now`` (never backwards): prices, weather, hourly events, quotes."""
        with self._lock:
            if self.advanced_to is not None and now <= self.advanced_to:
                return
            self.coinbase.advance(now)
            self.nws.advance(now)
            self._refresh_markets(now)
            self.advanced_to = now

    def keep_rolling(self, interval_s: float = 5.0) -> None:
        """Advance to the clock's time every ``interval_s`` seconds in a daemon thread until stop."""

        def roll() -> None:
            while not self._stop.wait(interval_s):
                self.advance(self.clock())

        self._roller = threading.Thread(target=roll, name="sandbox-roller", daemon=True)
        self._roller.start()

    def spot(self, asset: Asset, now: datetime) -> Decimal | None:
        """The fake Coinbase price of the minute (or the one before, early in a minute)."""
        for back in (0, 1, 2):
            price = self.coinbase.price_at(asset, now - timedelta(minutes=back))
            if price is not None:
                return price
        return None

    def _refresh_markets(self, now: datetime) -> None:
        spots = {a: p for a in ASSETS if (p := self.spot(a, now)) is not None}
        seed_demo_markets(self.kalshi, now, spots)


def sandbox_environment(urls: SandboxUrls) -> dict[str, str]:
    """The ``KALSHI_BOTS_*`` variables that point the app at these fakes (``kalshi-bots sandbox``)."""
    return {
        "KALSHI_BOTS_MODE": "paper",
        "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
        "KALSHI_BOTS_NWS_CONTACT": "sandbox@localhost",
        "KALSHI_BOTS_WEATHER_CITIES": ",".join(WEATHER_SERIES),
    }
