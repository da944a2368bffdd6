"""Fixtures for the Kalshi client tests: a verifying fake on 127.0.0.1, keys generated per session
(never committed), and a retry policy that records delays instead of sleeping."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.sandbox.kalshi import FakeKalshi, FakeMarket

KEY_ID = "test-key-0001"
EVENT = "KXBTCD-26NOV2411"
SERIES = "KXBTCD"


class SleepLog:
    """Stands in for time.sleep in RetryPolicy: records each back-off, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def policy(sleeps: SleepLog) -> RetryPolicy:
    return RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=0.05, sleep=sleeps, rng=random.Random(7))


@pytest.fixture
def fake(rsa_key: rsa.RSAPrivateKey) -> Iterator[FakeKalshi]:
    with FakeKalshi(balance=Decimal(100)) as server:
        server.register_key(KEY_ID, rsa_key.public_key())
        yield server


@pytest.fixture
def signer(rsa_key: rsa.RSAPrivateKey) -> KalshiSigner:
    return KalshiSigner(KEY_ID, rsa_key)


@pytest.fixture
def make_client(fake: FakeKalshi, policy: RetryPolicy) -> Iterator[Callable[..., KalshiClient]]:
    made: list[KalshiClient] = []

    def build(signer: KalshiSigner | None = None, **kwargs: object) -> KalshiClient:
        options: dict[str, object] = {"retry": policy, "timeout": 2.0} | kwargs
        client = KalshiClient(fake.url, signer=signer, **options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., KalshiClient], signer: KalshiSigner) -> KalshiClient:
    return make_client(signer)


def strike_market(strike: str, *, event: str = EVENT, minutes: int = 40, **extra: object) -> FakeMarket:
    close = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    return FakeMarket(
        ticker=f"{event}-T{strike}",
        event_ticker=event,
        close_time=close,
        strike_type="greater",
        floor_strike=Decimal(strike),
        extra=dict(extra),
    )


@pytest.fixture
def ladder(fake: FakeKalshi) -> list[str]:
    """One KXBTCD event on shard 2 with three strikes; the middle one has a two-sided book."""
    fake.add_series(SERIES, "quadratic")
    markets = [strike_market(k) for k in ("97099.99", "97199.99", "97299.99")]
    fake.add_event(EVENT, SERIES, *markets, exchange_index=2)
    mid = markets[1].ticker
    fake.set_orderbook(
        mid,
        yes_bids=[(Decimal("0.38"), Decimal(5)), (Decimal("0.40"), Decimal(3))],
        no_bids=[(Decimal("0.50"), Decimal(10)), (Decimal("0.55"), Decimal(4))],
    )
    return [m.ticker for m in markets]
