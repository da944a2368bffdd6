"""End-to-end fixtures: the sandbox fakes on 127.0.0.1, a SQLite file in tmp_path, settings that point
every base URL at the fakes. Nothing here touches the internet.

Time is injected, never read from the wall: the world (the fakes) and every CLI call run on ``clock``,
which starts at :data:`WORLD_START` (a few seconds before a :45 trading run) and ticks in real seconds.
So no test depends on the minute, hour or day it starts (``tests/clock_matrix.py`` proves it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.clock import AcceleratedClock
from kalshi_bots.sandbox.launch import Sandbox

from .support import KEY_ID, sandbox_env

# 30 s before a :45 run: the next hour's event is listed, `job --at <:45>` is within the CLI's limit, and
# the trading bot has a quarter of an hour before the event closes.
WORLD_START = datetime(2026, 5, 4, 14, 44, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> AcceleratedClock:
    """The tests' time: WORLD_START, moving at real speed (speed 1)."""
    return AcceleratedClock(WORLD_START, 1.0)


@pytest.fixture
def world(clock: AcceleratedClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock.now) as sandbox:
        yield sandbox


@pytest.fixture
def demo_key(tmp_path: Path, world: Sandbox) -> Path:
    """A fresh RSA key (never committed): private half in a file for the CLI, public half on the fake."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "kalshi-demo.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)  # as a user keeps it (a key file others can read makes demo mode warn)
    world.kalshi.register_key(KEY_ID, key.public_key())
    return path


@pytest.fixture
def demo_env(world: Sandbox, demo_key: Path, tmp_path: Path) -> dict[str, str]:
    return sandbox_env(
        world,
        tmp_path / "demo.db",
        MODE="demo",
        KALSHI_API_KEY_ID=KEY_ID,
        KALSHI_PRIVATE_KEY_PATH=str(demo_key),
    )
