"""Store contract, job runs: reading one scheduled run back (every backend, DynamoDB Local included).

A refused claim reads the run to tell a run in progress from one that finished or failed: the runner
fails a platform retry of a failed run again, so that it reaches the failure destination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kalshi_bots.ports.store import Store

RUN = datetime(2025, 12, 11, 1, 45, tzinfo=UTC)


def test_get_run_reads_one_scheduled_run(store: Store) -> None:
    assert store.get_run("trade", RUN) is None
    assert store.claim_run("trade", RUN, "w1", RUN, 60)
    assert store.claim_run("trade", RUN + timedelta(hours=1), "w1", RUN + timedelta(hours=1), 60)
    running = store.get_run("trade", RUN)
    assert running is not None
    assert (running.job, running.scheduled_for, running.owner, running.outcome) == (
        "trade",
        RUN,
        "w1",
        "running",
    )
    assert running.lease_until == RUN + timedelta(seconds=60)
    store.finish_run("trade", RUN, "w1", "error", "rejected: insufficient balance")
    failed = store.get_run("trade", RUN)
    assert failed is not None and (failed.outcome, failed.detail) == (
        "error",
        "rejected: insufficient balance",
    )
    assert store.get_run("other", RUN) is None
    assert store.get_run("trade", RUN + timedelta(minutes=1)) is None
