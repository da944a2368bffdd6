"""The scheduled handlers: parse the event, run the job through the same runner the CLI and the local
scheduler use, print its metrics and result, and fail the invocation when the run failed.

A deliberate no-trade or an already-done run is success. A failed run raises, so Lambda's async
retry (and, after that, the failed-event queue and the Errors alarm) take over; the job-run claim
and deterministic order ids make a retried or duplicated delivery harmless. A retry of a run that
already ended in a permanent error raises again without re-running it (the runner's
``already_failed``), so the failure reaches the failure destination instead of reading as success.

Each run's deadline is the earlier of its schedule budget and the invocation's remaining time
(``context.get_remaining_time_in_millis()``) minus :data:`DEADLINE_MARGIN_S`, kept for recording the
outcome: HTTP retries stop before it, so a hanging service ends the run with an error it records
rather than a platform timeout that kills it mid-write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.entrypoints.lambda_container import CONTAINER
from kalshi_bots.entrypoints.lambda_events import Event, scheduled_for
from kalshi_bots.entrypoints.lambda_metrics import emit_metrics

if TYPE_CHECKING:
    from kalshi_bots.ports.deadline import Deadline

# Time kept back from the invocation's remaining time to record the run's outcome and report it.
DEADLINE_MARGIN_S = 3.0

Handler = Callable[[Event, Any], dict[str, Any]]


class JobFailedError(RuntimeError):
    """Raised so Lambda counts the invocation as failed and retries it (async invoke)."""

    def __init__(self, result: JobResult) -> None:
        kind = "transient" if result.transient else "permanent"
        super().__init__(
            f"{result.job} run for {result.scheduled_for.isoformat()} failed ({kind}): "
            f"{result.reason_text} {result.detail}".strip()
        )
        self.result = result


def invocation_deadline(context: Any) -> Deadline | None:
    """The Lambda context's remaining time minus :data:`DEADLINE_MARGIN_S` (None without a context)."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if remaining_ms is None:
        return None
    from kalshi_bots.ports.deadline import Deadline

    return Deadline.after(max(0.0, float(remaining_ms()) / 1000 - DEADLINE_MARGIN_S))


def run_scheduled(job: JobName, event: Event, context: Any = None) -> dict[str, Any]:
    """Parse, run, report. Raises :class:`JobFailedError` when the run failed (or had failed)."""
    when = scheduled_for(event, job)
    deadline = invocation_deadline(context)
    from kalshi_bots.app.runner import run_job

    result = run_job(CONTAINER.deps(), job, when, deadline=deadline)
    emit_metrics(job, result)
    print(json.dumps({"job": job.value, "result": result.to_json()}, default=str), flush=True)
    if result.outcome is Outcome.ERROR:
        raise JobFailedError(result)
    return result.to_json()


def scheduled_handler(job: JobName) -> Handler:
    """The Lambda handler of ``job``, named as the template names it (``trade_hourly_btc``...)."""

    def handler(event: Event, context: Any) -> dict[str, Any]:
        return run_scheduled(job, event, context)

    handler.__name__ = handler.__qualname__ = job.value.replace("-", "_")
    handler.__doc__ = f"Lambda handler for the {job.value!r} job."
    return handler
