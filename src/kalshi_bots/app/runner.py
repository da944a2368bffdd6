"""Run one scheduled job: claim the run -> run the job function -> record the outcome.

Every entry point (CLI ``job``, the local scheduler, the Lambda handlers, tests) calls :func:`run_job`,
so a job behaves the same wherever it is triggered.

Idempotency layer 1 is the **job-run claim** (a conditional write keyed by job and scheduled minute): a
second trigger of the same run gets ``SKIPPED``. Layer 2, inside trading jobs, is the deterministic
client_order_id written as a ``pending`` trade before the order is sent (see :mod:`.placement`).

Error mapping (a job never lets an exception escape :func:`run_job`):

===================================  =========  =========  ======================================
exception                            outcome    transient  recorded outcome
===================================  =========  =========  ======================================
TransientError (timeouts, 5xx, 429)  ERROR      yes        ``error-transient``
StoreError                           ERROR      yes        ``error-transient`` (if recordable)
StaleDataError                       NO_TRADE   no         ``no-trade`` (fail closed, not a fault)
OrderOutcomeUnknownError             ERROR      no         ``error`` (reconcile resolves it)
Rejected/Auth/NotFound/Malformed     ERROR      no         ``error``
DomainError (bad input)              ERROR      no         ``error``
anything else                        ERROR      no         ``error`` (logged with traceback)
===================================  =========  =========  ======================================

``error-transient`` tells the store that a platform retry of the same run may claim it again (the store
contract's ``claim_run``); every other finished outcome is final. Trading jobs are safe to re-run anyway:
the second run finds the first one's trade record and refuses with ``already_traded``.

A claim that is refused is looked up: a run still in progress (or done) gives ``SKIPPED``
(``already_claimed``), but a run that already ended in ``error`` gives ``ERROR`` again
(``already_failed``, not re-run), so a platform retry of a permanently failed run fails too and
reaches the failure destination instead of reporting success.

Every run has a **deadline** (:mod:`kalshi_bots.ports.deadline`): the job's budget from the schedule
(:data:`RUN_BUDGET_S`), or the caller's deadline if that is earlier (Lambda: the invocation's remaining
time). The HTTP layer respects it, so a run against a service that never answers ends inside it with a
transient error. A run whose process dies keeps its ``running`` row until the lease lapses; ``status``
then shows it as ``abandoned`` (:func:`displayed_outcome`) and the next claim may take it over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import job_context, log_event
from kalshi_bots.app.results import JobReport, JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.domain.models import Asset, JobRun, RunStatus
from kalshi_bots.domain.reasons import ErrorReason, NoTradeReason, Reason, RunReason, ServiceFailure
from kalshi_bots.ports.deadline import Deadline, deadline_scope
from kalshi_bots.ports.errors import (
    ExternalServiceError,
    OrderOutcomeUnknownError,
    StaleDataError,
    StoreError,
    TransientError,
)

logger = logging.getLogger(__name__)

# A job function reports what happened; the runner stamps the job and the minute (JobResult.of).
JobFunction = Callable[[Deps, datetime], JobReport]

# Seconds each run may take, from its schedule. A collector runs every minute: it must be done well
# within it (the next one is due). The :45 trading run ends with a reconcile pass and must decide long
# before the top of the hour; reconcile, cleanup and weather have minutes. The market recorder runs each
# minute from :45 to :59 like a collector: its snapshot is of that minute, so it must end before the next
# one starts (a settlement lookup cut short is asked again the next hour). Each stays below its Lambda
# timeout in infra/template.yaml, whose handler also caps it by the invocation's remaining time.
RUN_BUDGET_S: Mapping[JobName, float] = MappingProxyType(
    {
        JobName.COLLECT_BTC: 30.0,
        JobName.COLLECT_ETH: 30.0,
        JobName.TRADE_BTC: 240.0,
        JobName.TRADE_ETH: 240.0,
        JobName.CLEANUP: 100.0,
        JobName.WEATHER: 480.0,
        JobName.RECONCILE: 240.0,
        JobName.RECORD_MARKET: 45.0,
    }
)


# Each job's module is imported when the job first runs, not with the runner: a Lambda function runs
# one job, and its cold start should not pay for the others' modules (the trading jobs alone pull in the
# edge gate, the scorecard and the order plan; weather its model tables). Issue 13's import budget.


def _collect(asset: Asset) -> JobFunction:
    def run(deps: Deps, scheduled_for: datetime) -> JobReport:
        from kalshi_bots.app.collect_prices import collect_prices

        return collect_prices(deps, scheduled_for, asset=asset)

    return run


def _trade(asset: Asset) -> JobFunction:
    def run(deps: Deps, scheduled_for: datetime) -> JobReport:
        from kalshi_bots.app.trade_hourly import trade_hourly

        return trade_hourly(deps, scheduled_for, asset=asset)

    return run


def _cleanup(deps: Deps, scheduled_for: datetime) -> JobReport:
    from kalshi_bots.app.cleanup import cleanup

    return cleanup(deps, scheduled_for)


def _weather(deps: Deps, scheduled_for: datetime) -> JobReport:
    from kalshi_bots.app.weather_job import weather

    return weather(deps, scheduled_for)


def _reconcile(deps: Deps, scheduled_for: datetime) -> JobReport:
    from kalshi_bots.app.reconcile import reconcile

    return reconcile(deps, scheduled_for)


def _record_market(deps: Deps, scheduled_for: datetime) -> JobReport:
    from kalshi_bots.app.recorder import record_market

    return record_market(deps, scheduled_for)


def then_reconcile(job: JobFunction) -> JobFunction:
    """Run a trading job, then a reconcile pass (the issue's "every run of a trading job").

    The pass comes *after* the decision so the order path keeps its 4 calls; what it learns (fills,
    settlements, realized P&L) is what the next run's loss gate reads. A reconcile failure never
    turns a trading result into an error: it is logged and reported in ``data["reconcile"]``, and
    the hourly reconcile run retries it."""

    def run(deps: Deps, scheduled_for: datetime) -> JobReport:
        result = job(deps, scheduled_for)
        try:
            summary = _reconcile(deps, scheduled_for)
            outcome: dict[str, object] = {"outcome": summary.outcome.value, **summary.data}
        except ExternalServiceError as exc:
            log_event(logger, "reconcile.failed", f"reconcile after the run failed: {exc}", logging.WARNING)
            outcome = {"outcome": Outcome.ERROR.value, "detail": str(exc)}
        return replace(result, data={**result.data, "reconcile": outcome})

    return run


JOBS: Mapping[JobName, JobFunction] = MappingProxyType(
    {
        JobName.COLLECT_BTC: _collect(Asset.BTC),
        JobName.COLLECT_ETH: _collect(Asset.ETH),
        JobName.TRADE_BTC: then_reconcile(_trade(Asset.BTC)),
        JobName.TRADE_ETH: then_reconcile(_trade(Asset.ETH)),
        JobName.CLEANUP: _cleanup,
        JobName.WEATHER: then_reconcile(_weather),
        JobName.RECONCILE: _reconcile,
        JobName.RECORD_MARKET: _record_market,
    }
)


# Idempotent on their own (a second run of the minute writes nothing new), so on DynamoDB they skip the
# run claim's two write units (JobParams.claim_collector_runs).
SELF_IDEMPOTENT_JOBS = frozenset({JobName.COLLECT_BTC, JobName.COLLECT_ETH, JobName.RECORD_MARKET})


def normalise_scheduled_for(scheduled_for: datetime) -> datetime:
    """Aware UTC, truncated to the minute: the identity of a scheduled run. Naive times are refused."""
    return floor_minute(scheduled_for, "scheduled_for")


def run_id_for(job: JobName, scheduled_for: datetime) -> str:
    return f"{job.value}@{scheduled_for:%Y-%m-%dT%H:%MZ}"


def run_deadline(job: JobName, caller: Deadline | None = None) -> Deadline:
    """The job's budget from now, or the caller's deadline if that comes first."""
    return Deadline.after(RUN_BUDGET_S[job]).earliest(caller)


def run_job(
    deps: Deps,
    job: JobName,
    scheduled_for: datetime,
    *,
    jobs: Mapping[JobName, JobFunction] | None = None,
    deadline: Deadline | None = None,
) -> JobResult:
    """Claim, run and record one scheduled run, within :func:`run_deadline`. ``jobs`` replaces the
    registry (tests, tools); ``deadline`` is the caller's own limit (Lambda's remaining time)."""
    sched = normalise_scheduled_for(scheduled_for)
    with job_context(job.value, run_id_for(job, sched)), deadline_scope(run_deadline(job, deadline)):
        if job in SELF_IDEMPOTENT_JOBS and not deps.params.claim_collector_runs:
            result = execute(deps, job, sched, jobs=jobs)
            _log_result(result)
            _after_run(deps, result)
            return result
        try:
            claimed = deps.store.claim_run(
                job.value, sched, deps.instance_id, deps.clock.now(), deps.params.job_lease_seconds
            )
        except StoreError as exc:
            result = _store_error(job, sched, exc)
            _log_result(result)
            return result
        if not claimed:
            result = _refused_claim(deps, job, sched)
            _log_result(result)
            return result
        result = execute(deps, job, sched, jobs=jobs)
        _record(deps, job, sched, result)
        _log_result(result)
        _after_run(deps, result)
        return result


def _refused_claim(deps: Deps, job: JobName, sched: datetime) -> JobResult:
    """Someone else holds or finished this run. If it failed, say so as a failure (not re-run)."""
    try:
        prior = deps.store.get_run(job.value, sched)
    except StoreError as exc:
        return _store_error(job, sched, exc)
    if prior is not None and prior.outcome is RunStatus.ERROR:
        detail = f"this run already failed and is not re-run: {prior.detail}"
        return JobResult(job, sched, Outcome.ERROR, ErrorReason.ALREADY_FAILED, detail[:500], transient=False)
    return JobResult(job, sched, Outcome.SKIPPED, RunReason.ALREADY_CLAIMED, "run claimed or done already")


def _store_error(job: JobName, sched: datetime, exc: StoreError) -> JobResult:
    return JobResult(job, sched, Outcome.ERROR, ErrorReason.STORE_UNAVAILABLE, str(exc), transient=True)


def displayed_outcome(run: JobRun, now: datetime) -> RunStatus:
    """A run's outcome as ``status`` shows it: ``running`` past its lease means its process died."""
    if run.outcome is RunStatus.RUNNING and run.lease_until <= now:
        return RunStatus.ABANDONED
    return run.outcome


def execute(
    deps: Deps, job: JobName, sched: datetime, *, jobs: Mapping[JobName, JobFunction] | None = None
) -> JobResult:
    """Run the job function without claiming (the runner's body; also for the backtester), and stamp
    the job and the minute on what it reports."""
    return JobResult.of(job, sched, _report(deps, job, sched, jobs))


def _report(
    deps: Deps, job: JobName, sched: datetime, jobs: Mapping[JobName, JobFunction] | None
) -> JobReport:
    """The one place a job's exception becomes an outcome (the table in the module doc)."""
    try:
        return (JOBS if jobs is None else jobs)[job](deps, sched)
    except TransientError as exc:
        return _error(ErrorReason.TRANSIENT_ERROR, exc, transient=True)
    except StoreError as exc:
        return _error(ErrorReason.STORE_UNAVAILABLE, exc, transient=True)
    except StaleDataError as exc:
        return JobReport(Outcome.NO_TRADE, NoTradeReason.STALE_DATA, str(exc))
    except OrderOutcomeUnknownError as exc:
        return _error(ErrorReason.ORDER_OUTCOME_UNKNOWN, exc, transient=False)
    except ExternalServiceError as exc:
        return _error(ServiceFailure(exc.service, type(exc).__name__), exc, transient=False)
    except DomainError as exc:
        return _error(ErrorReason.INVALID_INPUT, exc, transient=False)
    except Exception as exc:
        logger.exception("job %s crashed", job.value)
        return _error(ErrorReason.UNEXPECTED_ERROR, exc, transient=False)


def _error(reason: Reason, exc: Exception, *, transient: bool) -> JobReport:
    return JobReport(Outcome.ERROR, reason, f"{type(exc).__name__}: {exc}", transient=transient)


def _record(deps: Deps, job: JobName, sched: datetime, result: JobResult) -> None:
    detail = (result.reason_text + (": " + result.detail if result.detail else ""))[:500]
    try:
        deps.store.finish_run(job.value, sched, deps.instance_id, result.run_status, detail)
    except StoreError as exc:
        # The lease then simply expires; a re-run is harmless (trading jobs refuse already_traded).
        log_event(logger, "run.record_failed", f"could not record the run outcome: {exc}", logging.WARNING)


def _after_run(deps: Deps, result: JobResult) -> None:
    """Alerts and streak bookkeeping (issue 11): after the outcome is recorded, so nothing it does can
    change the run or its result; any failure in it is logged and swallowed."""
    if deps.after_run is None:
        return
    try:
        deps.after_run(result)
    except Exception as exc:
        log_event(
            logger, "alerts.failed", f"after-run hook failed: {type(exc).__name__}: {exc}", logging.WARNING
        )


def _log_result(result: JobResult) -> None:
    level = logging.ERROR if result.outcome is Outcome.ERROR else logging.INFO
    log_event(
        logger,
        "run.finished",
        f"{result.job} {result.outcome.value} {result.reason_text}".strip(),
        level,
        outcome=result.outcome.value,
        reason=result.reason_text,
        detail=result.detail,
        transient=result.transient,
    )
