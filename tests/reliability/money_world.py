"""The money path as it runs in demo/live mode, with faults on cue: the real ``KalshiClient`` over HTTP
against the fake Kalshi server (``sandbox/kalshi/``), an injected clock shared by the jobs and
the fake, and a store wrapper that fails or "dies" exactly where a test says.

Only the price feed and the weather source are in-process fakes (their HTTP faults are another
module's subject); everything that moves money crosses a real socket.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps, JobParams, WeatherParams
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import (
    Asset,
    Bot,
    BudgetLimits,
    Mode,
    PriceTick,
    TradeRecord,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.ports.errors import StoreError
from kalshi_bots.ports.feeds import ForecastHigh, ObservedMax
from kalshi_bots.ports.store import Store
from kalshi_bots.sandbox.kalshi import FakeKalshi, FakeMarket

D = Decimal
KEY_ID = "reliability-key"
SPOT = D(100000)
HOURLY_SCHED = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)  # 09:45 EST, trades the 10:00 EST event
HOURLY_EVENT = hourly_target(Asset.BTC, HOURLY_SCHED).event_ticker
HOURLY_CLOSE = hourly_target(Asset.BTC, HOURLY_SCHED).close_time
TRADED_STRIKE = "100249.99"  # the first strike 20 bps above the spot: the one the bot buys NO on
TRADED_TICKER = f"{HOURLY_EVENT}-T{TRADED_STRIKE}"
BOT = Bot.BTC_HOURLY
START_BALANCE = D(1000)  # the fake account's cash
DEFAULT_LIMIT = D(25)
CHEAP_NO = D("0.25")
DEPTH = D(100)


class ProcessDiedError(BaseException):
    """Stands for the process being killed: no ``except Exception`` in the job catches it."""


class FlakyStore:
    """A real store whose next calls of a method raise StoreError (``fail_next``), or which "dies" right
    after a method has done its work (``die_after``). Everything else passes through."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self._fail: dict[str, int] = {}
        self._die: dict[str, int] = {}
        self._lock = threading.Lock()

    def fail_next(self, method: str, times: int = 1) -> None:
        with self._lock:
            self._fail[method] = times

    def die_after(self, method: str) -> None:
        with self._lock:
            self._die[method] = 1

    def _take(self, table: dict[str, int], name: str) -> bool:
        with self._lock:
            left = table.get(name, 0)
            if left <= 0:
                return False
            table[name] = left - 1
            return True

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._take(self._fail, name):
                raise StoreError(f"{name}: injected failure (table unreachable)")
            result = target(*args, **kwargs)
            if self._take(self._die, name):
                raise ProcessDiedError(f"killed right after {name}")
            return result

        return call


@dataclass
class StaticPrices:
    """Coinbase as the bot sees it: ``spot``, stamped two seconds before the clock."""

    clock: ManualClock
    spot: Decimal = SPOT

    def current_price(self, asset: Asset) -> PriceTick:
        return PriceTick(asset, self.clock.now() - timedelta(seconds=2), self.spot)

    def minute_candles(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        out, at = [], start
        while at < end:
            out.append(PriceTick(asset, at, self.spot))
            at += timedelta(minutes=1)
        return out


@dataclass
class StaticWeather:
    forecasts: dict[date, Decimal] = field(default_factory=dict)
    observed: dict[date, Decimal] = field(default_factory=dict)
    issued_at: datetime = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)

    def forecast_high(self, latitude: float, longitude: float, target_date: date) -> ForecastHigh:
        return ForecastHigh(target_date, self.forecasts[target_date], self.issued_at)

    def observed_max(self, station: str, cli_location: str, climate_date: date) -> ObservedMax:
        return ObservedMax(climate_date, self.observed[climate_date], self.issued_at, final=False)


@dataclass
class MoneyWorld:
    clock: ManualClock
    fake: FakeKalshi
    client: KalshiClient
    store: FlakyStore
    prices: StaticPrices
    weather: StaticWeather
    params: JobParams

    def deps(self) -> Deps:
        return Deps(
            clock=self.clock,
            store=self.store,  # type: ignore[arg-type]  # FlakyStore forwards every Store method
            exchange=self.client,
            prices=self.prices,
            weather=self.weather,
            params=self.params,
        )

    @property
    def raw_store(self) -> Store:
        return self.store.inner

    def spent(self, bot: str = BOT) -> Decimal:
        """What the budget says ``bot`` spent on the clock's trading day."""
        return self.raw_store.budget_state(bot, risk.trading_day(self.clock.now()), self.params.budget).spent

    def exchange_cost(self, start_balance: Decimal = START_BALANCE) -> Decimal:
        """What the exchange really took from the account (contracts + fees), from its balance."""
        return start_balance - self.fake.balance

    def trade(self, client_order_id: str) -> TradeRecord:
        found = self.raw_store.get_trade(client_order_id)
        assert found is not None, f"no trade record {client_order_id}"
        return found


def make_store(kind: str, tmp_path: Path) -> Store:
    return MemoryStore() if kind == "memory" else SqliteStore(str(tmp_path / "money.db"))


@contextmanager
def money_world(
    start: datetime,
    *,
    store: Store | None = None,
    hourly_budget: Decimal = DEFAULT_LIMIT,
    daily_loss_limit: Decimal = DEFAULT_LIMIT,
) -> Iterator[MoneyWorld]:
    clock = ManualClock(start)
    params = JobParams(
        mode=Mode.DEMO,
        budget=BudgetLimits(
            global_limit=D(50),
            per_bot=((BOT, hourly_budget), (Bot.WEATHER, D(25))),
            daily_loss_limit=daily_loss_limit,
        ),
        weather=WeatherParams(cities=("KXHIGHNY",)),
    )
    no_sleep = RetryPolicy(attempts=2, base_delay_s=0.0, max_delay_s=0.0, sleep=lambda _s: None)
    with FakeKalshi(clock=clock.now) as fake:
        signer = KalshiSigner.from_pem(KEY_ID, fake.issue_key(KEY_ID))
        client = KalshiClient(fake.url, signer=signer, retry=no_sleep, timeout=10.0, lookup_attempts=2)
        try:
            yield MoneyWorld(
                clock=clock,
                fake=fake,
                client=client,
                store=FlakyStore(store or MemoryStore()),
                prices=StaticPrices(clock),
                weather=StaticWeather(),
                params=params,
            )
        finally:
            client.close()
            close: Callable[[], None] | None = getattr(store, "close", None)
            if close is not None:
                close()


# --- the hourly BTC market ---------------------------------------------------------------------------


def list_hourly_event(world: MoneyWorld, *, no_ask: Decimal = CHEAP_NO, size: Decimal = DEPTH) -> None:
    """The 10:00 EST KXBTCD event with four strikes; the traded one offers NO at ``no_ask``, ``size``
    contracts deep. Also the collector's state the bot reads (VOL/LATEST and the last minute price)."""
    world.fake.add_series("KXBTCD", "quadratic")
    markets = [
        FakeMarket(
            ticker=f"{HOURLY_EVENT}-T{strike}",
            event_ticker=HOURLY_EVENT,
            close_time=HOURLY_CLOSE,
            open_time=HOURLY_CLOSE - timedelta(hours=1),
            strike_type="greater",
            floor_strike=D(strike),
        )
        for strike in ("99899.99", "99999.99", "100099.99", TRADED_STRIKE, "100499.99")
    ]
    world.fake.add_event(HOURLY_EVENT, "KXBTCD", *markets, exchange_index=2)
    for market in markets:
        if market.ticker != TRADED_TICKER:
            world.fake.set_quote(market.ticker, yes_bid=D("0.40"), yes_ask=D("0.60"))
    quote_no(world, no_ask, size)
    now = world.clock.now()
    world.raw_store.put_volatility(_steady_vol(now - timedelta(seconds=30), std_pct=0.2))
    world.raw_store.put_price(PriceTick(Asset.BTC, now - timedelta(minutes=1), SPOT))


def quote_no(world: MoneyWorld, no_ask: Decimal, size: Decimal = DEPTH) -> None:
    """The traded strike's NO ask (a YES bid at ``1 - no_ask``), ``size`` contracts deep."""
    yes_bid = D(1) - no_ask
    world.fake.set_quote(TRADED_TICKER, yes_bid=yes_bid, yes_ask=yes_bid + D("0.02"), size=size)


def hourly_order_id() -> str:
    from kalshi_bots.app.trade_hourly import hour_client_order_id

    return hour_client_order_id(Asset.BTC, hourly_target(Asset.BTC, HOURLY_SCHED))


# --- the daily-high markets of New York ------------------------------------------------------------------

WEATHER_RUN = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # the 18:00 EST slot
WEATHER_TODAY, WEATHER_TOMORROW = date(2026, 11, 24), date(2026, 11, 25)
WEATHER_EVENTS = ("KXHIGHNY-26NOV24", "KXHIGHNY-26NOV25")
_NO_EDGE = (D("0.01"), D("0.99"))  # YES bid, YES ask: both sides cost 0.99, no edge anywhere


def _bracket_ladder(event: str, day: date, low: int) -> list[FakeMarket]:
    """less than ``low`` | four two-degree brackets | greater than ``low + 7`` (as Kalshi lists them)."""
    close = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC) + timedelta(days=1)
    place = "New York City (CLINYC)"
    text = f"If the maximum temperature recorded at {place} for {day:%b} {day.day}, {day.year}, is"
    tail = "fahrenheit according to The Weather Company, then the market resolves to Yes."

    def market(suffix: str, kind: str, floor: int | None, cap: int | None, words: str) -> FakeMarket:
        return FakeMarket(
            ticker=f"{event}-{suffix}",
            event_ticker=event,
            close_time=close,
            open_time=close - timedelta(days=2),
            strike_type=kind,
            floor_strike=None if floor is None else D(floor),
            cap_strike=None if cap is None else D(cap),
            rules_primary=f"{text} {words} {tail}",
        )

    ladder = [market(f"T{low}", "less", None, low, f"less than {low}°")]
    ladder += [
        market(f"B{lo}.5", "between", lo, lo + 1, f"between {lo}-{lo + 1}°") for lo in range(low, low + 8, 2)
    ]
    ladder.append(market(f"T{low + 7}", "greater", low + 7, None, f"greater than {low + 7}°"))
    return ladder


def list_weather_events(world: MoneyWorld) -> None:
    """Today's and tomorrow's NYC events with one mispriced bracket each: today's 50-51 °F (P ~ 0.9 with
    50 °F observed) offered at 0.60, tomorrow's 44-45 °F (P ~ 0.3, forecast 44 °F) at 0.15."""
    world.fake.add_series("KXHIGHNY", "quadratic")
    cheap = {f"{WEATHER_EVENTS[0]}-B50.5": D("0.60"), f"{WEATHER_EVENTS[1]}-B44.5": D("0.15")}
    for event, day, low in (
        (WEATHER_EVENTS[0], WEATHER_TODAY, 48),
        (WEATHER_EVENTS[1], WEATHER_TOMORROW, 40),
    ):
        markets = _bracket_ladder(event, day, low)
        world.fake.add_event(event, "KXHIGHNY", *markets, exchange_index=0, mutually_exclusive=True)
        for market in markets:
            bid, ask = _NO_EDGE
            world.fake.set_quote(market.ticker, yes_bid=bid, yes_ask=cheap.get(market.ticker, ask))
    world.weather.forecasts = {WEATHER_TODAY: D(49), WEATHER_TOMORROW: D(44)}
    world.weather.observed = {WEATHER_TODAY: D(50)}


def _steady_vol(computed_at: datetime, std_pct: float) -> VolatilitySnapshot:
    """A VOL/LATEST item whose every window reports ``std_pct`` and whose 121 trailing minute prices
    alternate by one log step, so the live EWMA model estimates exactly ``std_pct`` from them too."""
    windows = tuple(WindowVolatility(w, w, std_pct, 0.5, 0.1) for w in (15, 30, 60, 90, 120))
    step = std_pct / 100 / math.sqrt(15)
    recent = tuple(
        PriceTick(
            Asset.BTC, computed_at - timedelta(minutes=120 - i), SPOT * D(repr(math.exp(step * (i % 2))))
        )
        for i in range(121)
    )
    return VolatilitySnapshot(Asset.BTC, computed_at, windows, SPOT, recent)
