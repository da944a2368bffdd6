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
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from kalshi_bots.app.alert_params import is_watched
from kalshi_bots.app.deps import Deps, JobParams
from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.domain.models import Mode
from kalshi_bots.ports.errors import AuthError
from kalshi_bots.ports.feeds import ForecastHigh, ObservedMax
from kalshi_bots.ports.snapshots import SnapshotStore

if TYPE_CHECKING:
    import httpx

    from kalshi_bots.adapters.kalshi.client import KalshiClient
    from kalshi_bots.app.alert_params import AlertParams
    from kalshi_bots.app.alerts import RunWatcher
    from kalshi_bots.app.results import JobResult
    from kalshi_bots.ports.clock import Clock
    from kalshi_bots.ports.exchange import Exchange, MarketData
    from kalshi_bots.ports.feeds import PriceFeed, WeatherSource
    from kalshi_bots.ports.notifier import Notifier
    from kalshi_bots.ports.store import DocStore, Store

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
    """The plain parameters jobs read (``Deps.params``); jobs never see the settings object. The
    settings build them by field name (:mod:`kalshi_bots.config`), so nothing is copied here."""
    return settings.job_params()


def http_timeout(settings: Settings) -> httpx.Timeout:
    import httpx

    return httpx.Timeout(settings.http.timeout_s, connect=settings.http.connect_timeout_s)


def open_configured_store(settings: Settings, *, init_schema: bool = False) -> Store:
    """The store the settings name. SQLite creates its tables on open (cheap, idempotent); DynamoDB
    tables belong to the AWS template, so they are only created when asked (``db init``)."""
    snapshot_ttl = timedelta(days=settings.recorder.ttl_days)
    if settings.store.kind is StoreKind.SQLITE:
        from kalshi_bots.adapters.store.sqlite import SqliteStore

        return SqliteStore(str(settings.store.sqlite_path), snapshot_ttl=snapshot_ttl)
    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames

    tables = TableNames(
        btc_prices=settings.store.btc_price_table,
        eth_prices=settings.store.eth_price_table,
        trades=settings.store.trade_log_table,
        budget=settings.store.budget_table,
    )
    store = DynamoStore(
        tables=tables,
        region=settings.store.aws_region,
        endpoint_url=settings.store.dynamodb_endpoint_url,
        snapshot_ttl=snapshot_ttl,
    )
    if init_schema:
        store.init_schema()
    return store


class MissingStoreError(LookupError):
    """A read-only command found no store: it never creates one (that is ``db init``'s job)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no store at {path} (KALSHI_BOTS_SQLITE_PATH): create it with `kalshi-bots db init`, "
            "or point KALSHI_BOTS_SQLITE_PATH at the file your bot writes"
        )
        self.path = path


def open_existing_store(settings: Settings) -> Store:
    """The configured store for commands that only read it (or flip a flag): a missing SQLite file is
    :class:`MissingStoreError`, not a new empty database in whatever directory the command ran in."""
    if settings.store.kind is StoreKind.SQLITE and not settings.store.sqlite_path.is_file():
        raise MissingStoreError(settings.store.sqlite_path.expanduser().resolve())
    return open_configured_store(settings)


def display_market_data(settings: Settings) -> MarketData:
    """Public market data for marking positions on screen: unsigned (quotes are public in every mode),
    one attempt and a short timeout, because a page or a summary must not hang on a dead network."""
    import httpx

    from kalshi_bots.adapters.http import RetryPolicy
    from kalshi_bots.adapters.kalshi.client import KalshiClient

    timeout = httpx.Timeout(
        min(settings.http.timeout_s, 3.0), connect=min(settings.http.connect_timeout_s, 2.0)
    )
    return KalshiClient(settings.kalshi_base_url, timeout=timeout, retry=RetryPolicy(attempts=1))


def kalshi_client(settings: Settings, *, signed: bool) -> KalshiClient:
    """A Kalshi client on ``settings.kalshi_base_url``; signed only for demo/live accounts."""
    from kalshi_bots.adapters.kalshi.client import KalshiClient

    signer = None
    if signed:
        # Imported only to sign: cryptography is not loaded by a paper (unsigned) run.
        from kalshi_bots.adapters.kalshi.auth import KalshiSigner

        key_id = settings.kalshi.api_key_id or ""
        if settings.kalshi.private_key_pem is not None:
            pem = settings.kalshi.private_key_pem.get_secret_value()
            signer = KalshiSigner.from_pem(key_id, pem, source="KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM")
        elif settings.kalshi.private_key_path is not None:
            # Live money: a key file others can read is refused (demo: a warning).
            refuse = settings.mode is Mode.LIVE
            signer = KalshiSigner.from_file(key_id, settings.kalshi.private_key_path, refuse_shared=refuse)
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

    return CoinbaseClient(settings.coinbase.base_url, timeout=http_timeout(settings))


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

    if settings.nws.user_agent is None:
        return WeatherUnconfigured()
    return NwsClient(
        settings.nws.base_url,
        user_agent=settings.nws.user_agent,
        clock=clock.now,
        timeout=http_timeout(settings),
    )


def alert_params(settings: Settings) -> AlertParams:
    return settings.alerts.to_params()


def build_notifier(settings: Settings) -> Notifier | None:
    """The webhook notifier when ``KALSHI_BOTS_ALERT_WEBHOOKS`` is set, else None (no alerts)."""
    if settings.alerts.webhooks is None:
        return None
    from kalshi_bots.adapters.webhook import WebhookNotifier

    urls = settings.alerts.webhooks.get_secret_value().split(",")
    return WebhookNotifier(urls, secrets=settings.secret_values())


def build_watcher(settings: Settings, store: Store, clock: Clock) -> RunWatcher:
    from kalshi_bots.app.alerts import RunWatcher

    return RunWatcher(
        store,
        build_notifier(settings),
        alert_params(settings),
        now=clock.now,
        watch_housekeeping=watches_housekeeping(settings),
        snapshots=snapshot_store_of(store),
        scorecard_days=settings.recorder.ttl_days,
    )


def watches_housekeeping(settings: Settings) -> bool:
    """Whether alerts look at collector and cleanup runs: not on DynamoDB (see ``RunWatcher``)."""
    return job_params(settings).claim_collector_runs


class DeferredWatcher:
    """``Deps.after_run`` on Lambda: the alert watcher (``app.alerts`` with its texts and portfolio
    sums, the webhook client when configured) is imported and built after the first run it watches.
    On DynamoDB the collectors and cleanup are not watched, so their containers never load it."""

    __slots__ = ("_watch_housekeeping", "_watcher")

    def __init__(self, build: Callable[[], RunWatcher], *, watch_housekeeping: bool) -> None:
        self._watcher = Deferred(build)
        self._watch_housekeeping = watch_housekeeping

    @property
    def is_built(self) -> bool:
        return self._watcher.is_built

    def __call__(self, result: JobResult) -> None:
        if is_watched(result.job, watch_housekeeping=self._watch_housekeeping):
            self._watcher.resolve()(result)


def system_clock() -> Clock:
    from kalshi_bots.adapters.clock import SystemClock

    return SystemClock()


def display_clock(store: DocStore) -> Clock:
    """The clock ages are shown on: a sandbox run's accelerated world clock when this store holds one
    (so `status` does not print negative ages), else the system clock."""
    from kalshi_bots.sandbox.world_clock import stored_clock

    try:
        world = stored_clock(store)
    except Exception:  # a display nicety: never let it hide the status itself
        world = None
    return world if world is not None else system_clock()


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

    ``defer_adapters`` (the Lambda handlers) builds the exchange, price feed, weather source and the
    alert watcher on first use instead of now. Elsewhere they are built at once, so a bad key or URL
    stops the program at startup."""
    clock = clock or system_clock()
    store = store or open_configured_store(settings)
    run_clock, run_store = clock, store

    def deferred(build: Callable[[], T]) -> T:
        return cast(T, Deferred(build)) if defer_adapters else build()

    after_run: Callable[[JobResult], None]
    if defer_adapters:
        after_run = DeferredWatcher(
            lambda: build_watcher(settings, run_store, run_clock),
            watch_housekeeping=watches_housekeeping(settings),
        )
    else:
        after_run = build_watcher(settings, store, clock)
    return Deps(
        clock=clock,
        store=store,
        exchange=exchange
        or deferred(lambda: build_exchange(settings, run_store, run_clock, defer=defer_adapters)),
        prices=prices or deferred(lambda: build_prices(settings)),
        weather=weather or deferred(lambda: build_weather(settings, run_clock)),
        params=job_params(settings),
        instance_id=instance_id or default_instance_id(),
        snapshots=snapshot_store_of(store),
        after_run=after_run,
    )


def snapshot_store_of(store: Store) -> SnapshotStore | None:
    """The recorder's store: every backend we ship keeps snapshots next to the rest (ports.snapshots)."""
    return store if isinstance(store, SnapshotStore) else None


__all__ = [
    "PAPER_STARTING_BALANCE",
    "Deferred",
    "DeferredWatcher",
    "build_deps",
    "build_exchange",
    "job_params",
    "kalshi_client",
    "open_configured_store",
    "open_existing_store",
]
