"""The ``store`` fixture: one fresh, initialised store per test, for every backend; and the ``venue``
fixture: one fresh exchange per test, for every implementation of the Exchange port.

DynamoDB runs against the official DynamoDB Local (started once per session, see
``tests/dynamodb_local.py``) with a unique table-name prefix per test because of ``-sharedDb``, and a
page size of 3 so every query and scan crosses several pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.ports.store import Store

from .exchange_world import IMPLEMENTATIONS, Venue, open_venue

BACKENDS = ["memory", "sqlite", "dynamodb"]
SMALL_PAGE = 3
NEVER = timedelta(days=365 * 50)


def _make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        from kalshi_bots.adapters.store.sqlite import SqliteStore

        return SqliteStore(str(tmp_path / "store.db"))
    if kind == "dynamodb":
        from kalshi_bots.adapters.store.dynamodb import DynamoStore
        from kalshi_bots.adapters.store.schema import TableNames

        client = request.getfixturevalue("dynamodb_client")
        prefix = f"t{uuid.uuid4().hex[:10]}_"
        store = DynamoStore(
            client=client,
            tables=TableNames.with_prefix(prefix),
            page_size=SMALL_PAGE,
            price_ttl=NEVER,  # the tests write 2025 dates; DynamoDB Local would expire them mid-test
            jobrun_ttl=NEVER,
        )
        store.init_schema()
        return store
    raise AssertionError(kind)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    kind = str(request.param)
    if kind == "dynamodb":
        request.applymarker(pytest.mark.dynamodb)
    made = _make_store(kind, tmp_path, request)
    yield made
    close: Callable[[], None] | None = getattr(made, "close", None)
    if close is not None:
        close()


@pytest.fixture
def store_kind(store: Store) -> str:
    return type(store).__name__


@pytest.fixture(params=IMPLEMENTATIONS)
def venue(request: pytest.FixtureRequest) -> Iterator[Venue]:
    """The paper exchange and the Kalshi client, each in front of its own freshly seeded fake Kalshi."""
    with open_venue(str(request.param)) as made:
        yield made
