"""Fixtures for the feed clients: real fakes on 127.0.0.1 and a retry policy that never sleeps."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"


class SleepLog:
    """Records requested back-off delays instead of sleeping, so retry tests run instantly."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def retry(sleeps: SleepLog) -> RetryPolicy:
    return RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05, sleep=sleeps, rng=random.Random(1))


@pytest.fixture(scope="session")
def _coinbase_server() -> Iterator[FakeCoinbase]:
    # One server for the session: stopping a stdlib server costs ~0.5 s (its poll interval).
    with FakeCoinbase() as fake:
        yield fake


@pytest.fixture
def fake_coinbase(_coinbase_server: FakeCoinbase) -> FakeCoinbase:
    _coinbase_server.reset()
    return _coinbase_server


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
