"""Hand-written fakes for the job tests (no mocks): market data, price feed, weather, wrapping stores."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.deps import Deps, JobParams
from kalshi_bots.domain.models import (
    Asset,
    Event,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    Fill,
    Market,
    OrderIntent,
    OrderResult,
    PriceTick,
    Settlement,
    StrikeType,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.ports.errors import NotFoundError, StoreError, TransientError
from kalshi_bots.ports.feeds import ForecastHigh, ObservedMax

D = Decimal
SPOT = Decimal(100000)


class FakeMarketData:
    """Kalshi public data held in dicts; tests edit ``events``/``status``/``fees`` directly."""

    def __init__(self) -> None:
        self.events: dict[str, Event] = {}
        self.status = ExchangeStatus(True, True, ((0, True), (2, True)))
        self.fees: dict[str, FeeSchedule] = {}
        self.calls: list[str] = []

    def add_event(self, event: Event) -> None:
        self.events[event.event_ticker] = event

    def exchange_status(self) -> ExchangeStatus:
        self.calls.append("exchange_status")
        return self.status

    def series_fees(self, series_ticker: str) -> FeeSchedule:
        self.calls.append("series_fees")
        return self.fees.get(series_ticker, FeeSchedule(FeeType.QUADRATIC))

    def get_event(self, event_ticker: str) -> Event:
        self.calls.append("get_event")
        try:
            return self.events[event_ticker]
        except KeyError:
            raise NotFoundError("kalshi", f"event {event_ticker} not found") from None

    def list_events(self, series_ticker: str, status: str = "open") -> list[Event]:
        self.calls.append("list_events")
        return [e for e in self.events.values() if e.series_ticker == series_ticker]

    def get_market(self, ticker: str) -> Market:
        self.calls.append("get_market")
        for event in self.events.values():
            for market in event.markets:
                if market.ticker == ticker:
                    return market
        raise NotFoundError("kalshi", f"market {ticker} not found")

    def update_market(self, ticker: str, **changes: Any) -> None:
        for key, event in self.events.items():
            markets = tuple(replace(m, **changes) if m.ticker == ticker else m for m in event.markets)
            self.events[key] = replace(event, markets=markets)


class FakePriceFeed:
    """``price_at(minute) -> Decimal`` drives both the ticker and the candles."""

    def __init__(
        self, clock: ManualClock, price_at: Callable[[datetime], Decimal], lag_s: float = 2.0
    ) -> None:
        self.clock = clock
        self.price_at = price_at
        self.lag = timedelta(seconds=lag_s)
        self.candle_calls: list[tuple[datetime, datetime]] = []
        self.fail_candles = False
        self.override: Decimal | None = None
        self.fail_ticker = False

    def current_price(self, asset: Asset) -> PriceTick:
        if self.fail_ticker:
            raise TransientError("coinbase", "503 after retries")
        at = self.clock.now() - self.lag
        price = (
            self.override if self.override is not None else self.price_at(at.replace(second=0, microsecond=0))
        )
        return PriceTick(asset, at, price)

    def minute_candles(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        self.candle_calls.append((start, end))
        if self.fail_candles:
            raise TransientError("coinbase", "candles unavailable")
        out = []
        t = start
        while t < end:
            out.append(PriceTick(asset, t, self.price_at(t)))
            t += timedelta(minutes=1)
        return out


@dataclass
class FakeWeather:
    forecasts: dict[date, Decimal] = field(default_factory=dict)
    observed: dict[date, Decimal] = field(default_factory=dict)
    issued_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    stale: bool = False
    calls: list[str] = field(default_factory=list)

    def forecast_high(self, latitude: float, longitude: float, target_date: date) -> ForecastHigh:
        from kalshi_bots.ports.errors import StaleDataError

        self.calls.append(f"forecast {target_date}")
        if self.stale:
            raise StaleDataError("nws", "forecast older than its update window")
        if target_date not in self.forecasts:
            raise NotFoundError("nws", f"no forecast for {target_date}")
        return ForecastHigh(target_date, self.forecasts[target_date], self.issued_at)

    def observed_max(self, station: str, cli_location: str, climate_date: date) -> ObservedMax:
        self.calls.append(f"observed {station} {climate_date}")
        if climate_date not in self.observed:
            raise NotFoundError("nws", f"no observations for {climate_date}")
        return ObservedMax(climate_date, self.observed[climate_date], self.issued_at, final=False)


class CountingStore:
    """Wraps a store and counts calls per method name (a fake, not a mock: it really stores)."""

    def __init__(self, inner: MemoryStore) -> None:
        self.inner = inner
        self.counts: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] = self.counts.get(name, 0) + 1
            return target(*args, **kwargs)

        return counted


class BrokenStore:
    """A store whose every method raises StoreError, except the ones listed in ``working``."""

    def __init__(self, inner: MemoryStore, working: tuple[str, ...] = ()) -> None:
        self.inner = inner
        self.working = set(working)

    def __getattr__(self, name: str) -> Any:
        if name in self.working:
            return getattr(self.inner, name)

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise StoreError(f"{name}: table unreachable")

        return broken


class CrashAfterPostExchange:
    """Delegates to a paper exchange; ``create_order`` really places the order, then raises
    TransientError as if the connection dropped before the reply (the crash-after-POST case)."""

    def __init__(self, inner: PaperExchange) -> None:
        self.inner = inner
        self.orders_sent = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create_order(self, intent: OrderIntent) -> OrderResult:
        self.orders_sent += 1
        self.inner.create_order(intent)
        raise TransientError("kalshi", "connection reset after the order POST")


class CountingExchange:
    """Counts create_order calls across threads; everything else delegates."""

    def __init__(self, inner: PaperExchange) -> None:
        self.inner = inner
        self.orders: list[OrderIntent] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create_order(self, intent: OrderIntent) -> OrderResult:
        with self._lock:
            self.orders.append(intent)
        return self.inner.create_order(intent)

    def fills(self, since: datetime) -> list[Fill]:
        return self.inner.fills(since)

    def settlements(self, since: datetime) -> list[Settlement]:
        return self.inner.settlements(since)


# --- builders --------------------------------------------------------------------------------------


def hourly_market(
    event_ticker: str, strike: str, close: datetime, no_ask: str | None, *, yes_bid: str | None = None
) -> Market:
    na = None if no_ask is None else D(no_ask)
    yb = D(yes_bid) if yes_bid is not None else (None if na is None else D(1) - na)
    return Market(
        ticker=f"{event_ticker}-T{strike}",
        event_ticker=event_ticker,
        strike_type=StrikeType.GREATER,
        floor_strike=D(strike),
        cap_strike=None,
        close_time=close,
        yes_bid=yb,
        yes_ask=None if yb is None else yb + D("0.01"),
        no_bid=None if na is None else na - D("0.01"),
        no_ask=na,
        exchange_index=2,
    )


def vol_snapshot(
    asset: Asset, computed_at: datetime, std_pct: float | None = 0.2, samples: int = 15
) -> VolatilitySnapshot:
    """Every window reports ``std_pct``; the trailing minute prices alternate up and down by the same
    log step, so the EWMA model (hourly_model) estimates exactly ``std_pct`` from them too. With
    ``std_pct`` None only ``samples`` prices are carried: too few for either model."""
    windows = tuple(
        WindowVolatility(
            w, samples, std_pct, None if std_pct is None else 0.5, None if std_pct is None else 0.1
        )
        for w in (15, 30, 60, 90, 120)
    )
    step = 0.0 if std_pct is None else std_pct / 100 / math.sqrt(15)
    count = samples if std_pct is None else 121
    recent = tuple(
        PriceTick(
            asset, computed_at - timedelta(minutes=count - 1 - i), D(repr(100000 * math.exp(step * (i % 2))))
        )
        for i in range(count)
    )
    return VolatilitySnapshot(asset, computed_at, windows, D(100000), recent)


@dataclass
class World:
    clock: ManualClock
    store: MemoryStore
    data: FakeMarketData
    paper: PaperExchange
    exchange: CountingExchange
    prices: FakePriceFeed
    weather: FakeWeather

    def deps(self, **overrides: Any) -> Deps:
        base: dict[str, Any] = {
            "clock": self.clock,
            "store": self.store,
            "exchange": self.exchange,
            "prices": self.prices,
            "weather": self.weather,
            "params": JobParams(),
        }
        base.update(overrides)
        return Deps(**base)


def make_world(start: datetime, price: Decimal = SPOT) -> World:
    clock = ManualClock(start)
    store = MemoryStore()
    data = FakeMarketData()
    paper = PaperExchange(data, store, clock)
    return World(
        clock=clock,
        store=store,
        data=data,
        paper=paper,
        exchange=CountingExchange(paper),
        prices=FakePriceFeed(clock, lambda _t: price),
        weather=FakeWeather(),
    )
