"""Defect 10 (retries): on Lambda, a platform retry of a run that ended in a permanent error fails
again, so the failure reaches the failure destination (DLQ) instead of reading as success.

The handler runs in-process on its real container (settings from the environment, a SQLite store),
against the sandbox's fake Coinbase. The DynamoDB variant is in tests/integration/aws."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.entrypoints import aws_lambda
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase

AT = datetime(2026, 5, 4, 14, 7, tzinfo=UTC)
EVENT = {"job": "collect-prices-btc", "scheduled_time": "2026-05-04T14:07:00Z"}


@pytest.fixture
def coinbase() -> Iterator[FakeCoinbase]:
    with FakeCoinbase() as fake:
        fake.seed_demo(AT)
        yield fake


@pytest.fixture
def store(tmp_path: Path, coinbase: FakeCoinbase, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqliteStore]:
    for name in list(os.environ):
        if name.startswith(("KALSHI_BOTS_", "SSM_")):
            monkeypatch.delenv(name)
    db = tmp_path / "lambda.db"
    monkeypatch.setenv("KALSHI_BOTS_SQLITE_PATH", str(db))  # SQLite: collectors claim their runs
    monkeypatch.setenv("KALSHI_BOTS_COINBASE_BASE_URL", coinbase.url)
    monkeypatch.setenv("KALSHI_BOTS_LOG_LEVEL", "WARNING")
    aws_lambda.reset_container(clock=FixedClock(AT))
    yield SqliteStore(str(db))
    aws_lambda.reset_container()


def test_a_retry_of_a_permanently_failed_run_raises_again_without_rerunning(store, coinbase):
    coinbase.bad_price_next("abc", times=10)  # a malformed reply: a permanent failure
    with pytest.raises(aws_lambda.JobFailedError) as first:
        aws_lambda.collect_prices_btc(EVENT, None)
    assert not first.value.result.transient
    asked = len(coinbase.server.requests)

    # Lambda's asynchronous retry delivers the same event (another container, or the same one).
    aws_lambda.reset_container(clock=FixedClock(AT))
    with pytest.raises(aws_lambda.JobFailedError) as retry:
        aws_lambda.collect_prices_btc(EVENT, None)
    assert retry.value.result.reason == "already_failed"
    assert first.value.result.reason in retry.value.result.detail  # the retry says why the run failed
    assert len(coinbase.server.requests) == asked, "the failed run was run again"
    assert store.get_run("collect-prices-btc", AT).outcome == "error"


def test_a_retry_of_a_transient_failure_runs_again_and_can_succeed(store, coinbase):
    coinbase.fail_next(503, times=50)
    with pytest.raises(aws_lambda.JobFailedError) as first:
        aws_lambda.collect_prices_btc(EVENT, None)
    assert first.value.result.transient
    coinbase.faults.clear()
    assert aws_lambda.collect_prices_btc(EVENT, None)["outcome"] == "ok"


def test_a_duplicate_delivery_while_the_run_is_in_progress_is_a_quiet_skip(store, coinbase):
    # Another container holds the claim (its run is still going): this delivery must not fail.
    assert store.claim_run("collect-prices-btc", AT, "other-container", AT, 600)
    result = aws_lambda.collect_prices_btc(EVENT, None)
    assert (result["outcome"], result["reason"]) == ("skipped", "already_claimed")
    assert coinbase.server.requests == []
