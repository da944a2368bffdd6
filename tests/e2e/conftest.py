"""End-to-end fixtures: the sandbox fakes on 127.0.0.1, a SQLite file in tmp_path, settings that point
every base URL at the fakes. Nothing here touches the internet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.sandbox.launch import Sandbox

from .support import KEY_ID, sandbox_env


@pytest.fixture
def world() -> Iterator[Sandbox]:
    # The tests trade this hour's event in real time through the CLI, and the bot refuses with under a
    # minute left: never start in the last two minutes of an hour (CI may run at any time).
    now = datetime.now(UTC)
    if now.minute >= 58:
        time.sleep((60 - now.minute) * 60 - now.second + 1)
    with Sandbox() as sandbox:
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
