"""run_job: claims, records, maps every failure to a result (never an exception, never an order)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kalshi_bots.app.deps import JobParams
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import JOBS, normalise_scheduled_for, run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import Asset, RunStatus
from kalshi_bots.domain.reasons import NoTradeReason

from .fakes import BrokenStore, make_world

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_every_scheduled_job_has_a_function() -> None:
    assert set(JOBS) == set(JobName)


def test_scheduled_for_is_normalised_to_the_utc_minute_and_naive_is_refused() -> None:
    est = timezone(timedelta(hours=-5))
    assert normalise_scheduled_for(datetime(2026, 11, 24, 7, 0, 42, 999, tzinfo=est)) == T0
    with pytest.raises(ValueError, match="naive"):
        normalise_scheduled_for(datetime(2026, 11, 24, 12, 0))


def test_a_run_is_claimed_once_and_its_outcome_recorded() -> None:
    w = make_world(T0 + timedelta(seconds=2))
    first = run_job(w.deps(), JobName.CLEANUP, T0 + timedelta(seconds=30))
    second = run_job(w.deps(instance_id="other"), JobName.CLEANUP, T0)
    assert first.outcome is Outcome.OK
    assert second.outcome is Outcome.SKIPPED and second.reason == "already_claimed"
    [last] = [r for r in w.store.last_runs() if r.job == "cleanup"]
    assert last.outcome == "ok" and last.scheduled_for == T0


def test_a_transient_failure_is_an_error_marked_transient_and_recorded_as_such() -> None:
    w = make_world(T0 + timedelta(seconds=2))
    w.prices.fail_ticker = True
    result = run_job(w.deps(), JobName.COLLECT_BTC, T0)
    assert result.outcome is Outcome.ERROR and result.transient and result.reason == "transient_error"
    [last] = [r for r in w.store.last_runs() if r.job == JobName.COLLECT_BTC.value]
    assert last.outcome is RunStatus.ERROR_TRANSIENT and last.outcome == "error-transient"


def test_an_unreadable_store_at_claim_time_is_a_transient_error_and_nothing_runs() -> None:
    w = make_world(T0)
    result = run_job(w.deps(store=BrokenStore(w.store)), JobName.TRADE_BTC, T0)
    assert result.outcome is Outcome.ERROR and result.transient and result.reason == "store_unavailable"
    assert w.exchange.orders == []


def test_an_unexpected_exception_becomes_an_error_result(caplog: pytest.LogCaptureFixture) -> None:
    w = make_world(T0)
    w.weather.stale = True
    # The weather job with no events at all: a plain no-trade, not an error.
    result = run_job(w.deps(), JobName.WEATHER, T0)
    assert result.outcome is Outcome.NO_TRADE

    def crash(deps: object, scheduled_for: datetime) -> object:
        raise RuntimeError("boom")

    jobs = {**JOBS, JobName.CLEANUP: crash}
    with caplog.at_level(logging.ERROR):
        crashed = run_job(w.deps(), JobName.CLEANUP, T0, jobs=jobs)  # type: ignore[arg-type]
    assert crashed.outcome is Outcome.ERROR and not crashed.transient and crashed.reason == "unexpected_error"
    assert "RuntimeError: boom" in crashed.detail


def test_structured_events_carry_job_and_run_id(caplog: pytest.LogCaptureFixture) -> None:
    w = make_world(T0 + timedelta(seconds=1))
    with caplog.at_level(logging.INFO, logger="kalshi_bots.app"):
        run_job(w.deps(), JobName.CLEANUP, T0)
    finished = [r for r in caplog.records if getattr(r, "event", "") == "run.finished"]
    assert finished
    fields = finished[-1].fields  # type: ignore[attr-defined]
    assert fields["job"] == "cleanup" and fields["run_id"] == "cleanup@2026-11-24T12:00Z"
    assert fields["outcome"] == "ok"


def test_collectors_can_run_without_claims_and_stay_idempotent_per_minute() -> None:
    """On DynamoDB the collectors skip the run claim (2 of their 4 paid writes); put_price's own
    per-minute condition keeps a duplicate delivery from storing anything twice."""
    w = make_world(T0 + timedelta(seconds=2))
    deps = w.deps(params=JobParams(claim_collector_runs=False))
    first = run_job(deps, JobName.COLLECT_BTC, T0)
    rows = len(w.store.prices_between(Asset.BTC, T0 - timedelta(hours=3), T0 + timedelta(minutes=1)))
    again = run_job(deps, JobName.COLLECT_BTC, T0)
    assert first.outcome is Outcome.OK and again.outcome is Outcome.OK
    assert len(w.store.prices_between(Asset.BTC, T0 - timedelta(hours=3), T0 + timedelta(minutes=1))) == rows
    assert [r for r in w.store.last_runs() if r.job == JobName.COLLECT_BTC.value] == []
    # Trading jobs always claim, whatever the setting.
    run_job(deps, JobName.CLEANUP, T0)
    assert [r.job for r in w.store.last_runs()] == ["cleanup"]


def test_trading_runs_end_with_a_reconcile_pass_reported_in_their_data() -> None:
    w = make_world(T0 + timedelta(minutes=45, seconds=2))
    result = run_job(w.deps(), JobName.TRADE_BTC, T0 + timedelta(minutes=45))
    assert result.outcome is Outcome.NO_TRADE  # no VOL/LATEST yet
    assert result.data["reconcile"]["outcome"] == "ok"


def test_a_failing_reconcile_pass_never_changes_the_trading_result() -> None:
    from kalshi_bots.app.results import JobReport
    from kalshi_bots.app.runner import then_reconcile

    w = make_world(T0)
    broken = w.deps(store=BrokenStore(w.store))

    def decided(deps, scheduled_for):  # type: ignore[no-untyped-def]
        return JobReport(Outcome.NO_TRADE, NoTradeReason.EDGE_TOO_SMALL)

    result = then_reconcile(decided)(broken, T0)
    assert result.outcome is Outcome.NO_TRADE and result.reason == "edge_too_small"
    assert result.data["reconcile"]["outcome"] == "error"
    assert "table unreachable" in result.data["reconcile"]["detail"]


def test_the_runner_stamps_the_job_and_the_minute_on_what_a_job_reports() -> None:
    from kalshi_bots.app.results import JobReport

    w = make_world(T0 + timedelta(seconds=2))

    def reported(deps: object, scheduled_for: datetime) -> JobReport:
        return JobReport(Outcome.NO_TRADE, NoTradeReason.EDGE_TOO_SMALL, "edge 0.01")

    jobs = {**JOBS, JobName.CLEANUP: reported}
    result = run_job(w.deps(), JobName.CLEANUP, T0 + timedelta(seconds=42), jobs=jobs)  # type: ignore[dict-item]
    assert (result.job, result.scheduled_for) == (JobName.CLEANUP, T0)
    assert result.reason is NoTradeReason.EDGE_TOO_SMALL and result.to_json()["reason"] == "edge_too_small"
    [last] = [r for r in w.store.last_runs() if r.job == "cleanup"]
    assert last.outcome is RunStatus.NO_TRADE and last.detail == "edge_too_small: edge 0.01"


def test_a_store_error_a_job_lets_through_is_mapped_once_by_the_runner() -> None:
    """Jobs do not catch StoreError (the risk gate, the order path and their own reads raise it): the
    runner's one mapping makes it a transient store_unavailable error, and nothing is ordered."""
    from kalshi_bots.ports.errors import StoreError

    w = make_world(T0 + timedelta(seconds=2))

    def store_down(deps: object, scheduled_for: datetime) -> object:
        raise StoreError("table unreachable")

    jobs = {**JOBS, JobName.CLEANUP: store_down}
    result = run_job(w.deps(), JobName.CLEANUP, T0, jobs=jobs)  # type: ignore[dict-item]
    assert (result.outcome, result.reason, result.transient) == (Outcome.ERROR, "store_unavailable", True)
    assert "table unreachable" in result.detail
