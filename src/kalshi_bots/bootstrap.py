"""Composition root: the only module that knows both the settings and the concrete adapters.

``build_deps(settings)`` turns validated :class:`~kalshi_bots.config.Settings` into the
:class:`~kalshi_bots.app.deps.Deps` every job receives. Adapters are imported inside the functions
that need them so a Lambda collecting prices on DynamoDB never imports sqlite3, and a local paper run
never imports boto3.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from kalshi_bots.app.deps import Deps, HourlyParams, JobParams, WeatherParams
from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.domain.models import Asset, BudgetLimits, Mode
from kalshi_bots.ports.errors import AuthError
from kalshi_bots.ports.feeds import ForecastHigh, ObservedMax

if TYPE_CHECKING:
    import httpx

    from kalshi_bots.adapters.kalshi.client import KalshiClient
    from kalshi_bots.ports.clock import Clock
    from kalshi_bots.ports.exchange import Exchange
    from kalshi_bots.ports.feeds import PriceFeed, WeatherSource
    from kalshi_bots.ports.store import Store

PAPER_STARTING_BALANCE = Decimal(1000)  # dollars; the paper wallet is created once with this


T = TypeVar("T")


class Deferred(Generic[T]):
    """Stands in for an adapter and builds it on first use.

    A Lambda container runs one job, and most jobs use only some adapters: a collector never
    touches the Kalshi client (httpx + pydantic wire models), NWS or cryptography. Deferring them
    keeps what a cold start imports to what its job really calls. The first attribute access
    builds the adapter (once, under a lock) and every later one goes straight to it.
    """

    __slots__ = ("_build", "_built", "_lock")

    def __init__(self, build: Callable[[], T]) -> None:
        self._build: Callable[[], T] | None = build
        self._built: T | None = None
        self._lock = threading.Lock()

    def resolve(self) -> T:
        """The adapter itself, built now if it was not yet."""
        return self._target()

    def _target(self) -> T:
        with self._lock:
            if self._build is not None:
                self._built = self._build()
                self._build = None
            return cast(T, self._built)

    @property
    def is_built(self) -> bool:
        return self._build is None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __repr__(self) -> str:
        return f"Deferred({self._built!r})" if self.is_built else "Deferred(<not built yet>)"


def job_params(settings: Settings) -> JobParams:
    """The plain parameters jobs read (``Deps.params``); jobs never see the settings object."""
    defaults = HourlyParams()
    hourly = HourlyParams(
        min_edge=settings.hourly_min_edge,
        strike_distance_bps=settings.hourly_strike_distance_bps,
        kelly_multiplier=settings.hourly_kelly_multiplier,
        max_fraction=settings.hourly_max_fraction,
        max_contracts=settings.hourly_max_contracts,
        tail_nu=settings.hourly_tail_nu or None,
        max_vol_age_s=defaults.max_vol_age_s,
        max_price_age_s=defaults.max_price_age_s,
        vol_window_minutes=defaults.vol_window_minutes,
    )
    weather = WeatherParams(
        min_edge=settings.weather_min_edge,
        kelly_multiplier=settings.weather_kelly_multiplier,
        max_fraction=settings.weather_max_fraction,
        max_contracts=settings.weather_max_contracts,
        cities=settings.weather_cities,
    )
    budget = BudgetLimits(
        global_limit=settings.budget_global,
        per_bot=(
            ("btc-hourly", settings.budget_btc_hourly),
            ("eth-hourly", settings.budget_eth_hourly),
            ("weather", settings.budget_weather),
        ),
        daily_loss_limit=settings.daily_loss_limit,
    )
    assets = (Asset.BTC, Asset.ETH) if settings.trade_eth else (Asset.BTC,)
    return JobParams(
        mode=settings.mode,
        budget=budget,
        hourly=hourly,
        weather=weather,
        trade_assets=assets,
        price_retention_minutes=settings.price_retention_minutes,
        max_price_jump_pct=settings.max_price_jump_pct,
        # On DynamoDB every write is billed; collectors need no claim to be idempotent (see JobParams).
        claim_collector_runs=settings.store != "dynamodb",
    )


def http_timeout(settings: Settings) -> httpx.Timeout:
    import httpx

    return httpx.Timeout(settings.http_timeout_s, connect=settings.http_connect_timeout_s)


def open_configured_store(settings: Settings, *, init_schema: bool = False) -> Store:
    """The store the settings name. SQLite creates its tables on open (cheap, idempotent); DynamoDB
    tables belong to the AWS template, so they are only created when asked (``db init``)."""
    if settings.store is StoreKind.SQLITE:
        from kalshi_bots.adapters.store.sqlite import SqliteStore

        return SqliteStore(str(settings.sqlite_path))
    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames

    tables = TableNames(
        btc_prices=settings.btc_price_table,
        eth_prices=settings.eth_price_table,
        trades=settings.trade_log_table,
        budget=settings.budget_table,
    )
    store = DynamoStore(
        tables=tables, region=settings.aws_region, endpoint_url=settings.dynamodb_endpoint_url
    )
    if init_schema:
        store.init_schema()
    return store


def kalshi_client(settings: Settings, *, signed: bool) -> KalshiClient:
    """A Kalshi client on ``settings.kalshi_base_url``; signed only for demo/live accounts."""
    from kalshi_bots.adapters.kalshi.client import KalshiClient

    signer = None
    if signed:
        # Imported only to sign: cryptography is not loaded by a paper (unsigned) run.
        from kalshi_bots.adapters.kalshi.auth import KalshiSigner

        key_id = settings.kalshi_api_key_id or ""
        if settings.kalshi_private_key_pem is not None:
            pem = settings.kalshi_private_key_pem.get_secret_value()
            signer = KalshiSigner.from_pem(key_id, pem, source="KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM")
        elif settings.kalshi_private_key_path is not None:
            signer = KalshiSigner.from_file(key_id, settings.kalshi_private_key_path)
        else:  # Settings.from_env refuses demo/live without a key; a hand-built Settings may not.
            raise ValueError(f"mode {settings.mode.value} needs a Kalshi API key id and private key")
    return KalshiClient(settings.kalshi_base_url, signer=signer, timeout=http_timeout(settings))


def build_exchange(settings: Settings, store: Store, clock: Clock, *, defer: bool = False) -> Exchange:
    """Paper = simulated fills over real public market data; demo/live = the signed Kalshi client.

    ``defer``: the paper exchange's market-data client is built on its first call (see
    :class:`Deferred`): a paper reconcile with nothing open never needs Kalshi's wire models."""
    if settings.mode is Mode.PAPER:
        from kalshi_bots.adapters.paper import PaperExchange

        def market_data() -> KalshiClient:
            return kalshi_client(settings, signed=False)

        data = cast("KalshiClient", Deferred(market_data)) if defer else market_data()
        return PaperExchange(data, store, clock, PAPER_STARTING_BALANCE)
    return kalshi_client(settings, signed=True)


def build_prices(settings: Settings) -> PriceFeed:
    from kalshi_bots.adapters.coinbase.client import CoinbaseClient

    return CoinbaseClient(settings.coinbase_base_url, timeout=http_timeout(settings))


class WeatherUnconfigured:
    """The weather source when ``KALSHI_BOTS_NWS_CONTACT`` is unset: every call fails with a message
    that says what to set. The weather job then records an error and never trades; the crypto bots
    do not need NWS and run normally."""

    MESSAGE = (
        "KALSHI_BOTS_NWS_CONTACT is not set: api.weather.gov requires a contact in the User-Agent; "
        "set it to your e-mail or site to enable the weather bot"
    )

    def forecast_high(self, latitude: float, longitude: float, target_date: date) -> ForecastHigh:
        raise AuthError("nws", self.MESSAGE)

    def observed_max(self, station: str, cli_location: str, climate_date: date) -> ObservedMax:
        raise AuthError("nws", self.MESSAGE)


def build_weather(settings: Settings, clock: Clock) -> WeatherSource:
    from kalshi_bots.adapters.nws import NwsClient

    if settings.nws_user_agent is None:
        return WeatherUnconfigured()
    return NwsClient(
        settings.nws_base_url,
        user_agent=settings.nws_user_agent,
        clock=clock.now,
        timeout=http_timeout(settings),
    )


def system_clock() -> Clock:
    from kalshi_bots.adapters.clock import SystemClock

    return SystemClock()


def default_instance_id() -> str:
    """Owner name for job-run claims: unique per process, so two processes never share a lease."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def build_deps(
    settings: Settings,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    exchange: Exchange | None = None,
    prices: PriceFeed | None = None,
    weather: WeatherSource | None = None,
    instance_id: str | None = None,
    defer_adapters: bool = False,
) -> Deps:
    """Everything a job needs. Each keyword replaces one adapter (tests, the backtester).

    ``defer_adapters`` (the Lambda handlers) builds the exchange, price feed and weather source on
    first use instead of now. Elsewhere they are built at once, so a bad key or URL stops the
    program at startup."""
    clock = clock or system_clock()
    store = store or open_configured_store(settings)
    run_clock, run_store = clock, store

    def deferred(build: Callable[[], T]) -> T:
        return cast(T, Deferred(build)) if defer_adapters else build()

    return Deps(
        clock=clock,
        store=store,
        exchange=exchange
        or deferred(lambda: build_exchange(settings, run_store, run_clock, defer=defer_adapters)),
        prices=prices or deferred(lambda: build_prices(settings)),
        weather=weather or deferred(lambda: build_weather(settings, run_clock)),
        params=job_params(settings),
        instance_id=instance_id or default_instance_id(),
    )


__all__ = [
    "PAPER_STARTING_BALANCE",
    "Deferred",
    "build_deps",
    "build_exchange",
    "job_params",
    "kalshi_client",
    "open_configured_store",
]
