"""AWS Lambda handlers: thin shells over the same job runner the CLI and local scheduler use.

One handler per function in ``infra/template.yaml``. A scheduled handler:

1. reads the run's scheduled time from the event (EventBridge Scheduler's ``Input``, which the
   template fills with ``<aws.scheduler.scheduled-time>``, or a classic EventBridge
   "Scheduled Event"'s ``time``);
2. builds settings and dependencies once per container (lazily: the first invocation pays for
   botocore, and each adapter is built when the job first calls it, so a collector never loads the
   Kalshi client; later invocations reuse them) and reads the Kalshi key from SSM only when the
   mode signs requests;
3. runs the job and returns its small JSON result.

A deliberate no-trade or an already-done run is success. A failed run raises, so Lambda's async
retry (and, after that, the failed-event queue and the Errors alarm) take over; the job-run claim
and deterministic order ids make a retried or duplicated delivery harmless. A retry of a run that
already ended in a permanent error raises again without re-running it (the runner's
``already_failed``), so the failure reaches the failure destination instead of reading as success.

Each run's deadline is the earlier of its schedule budget and the invocation's remaining time
(``context.get_remaining_time_in_millis()``) minus :data:`DEADLINE_MARGIN_S`, kept for recording the
outcome: HTTP retries stop before it, so a hanging service ends the run with an error it records
rather than a platform timeout that kills it mid-write.

Module import stays cheap (standard library + two small app modules): heavy imports happen on
the first invocation, measured by ``bench/bench_cold_import.py``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName

# CloudWatch Embedded Metric Format lines (collector freshness, trade decisions) feed the alarms.
# The two names are re-exported for the tests that read the metric lines.
from kalshi_bots.entrypoints.lambda_metrics import (  # noqa: F401
    COLLECTOR_METRIC,
    METRIC_NAMESPACE,
    emit_metrics,
)

if TYPE_CHECKING:
    from kalshi_bots.app.deps import Deps
    from kalshi_bots.ports.clock import Clock
    from kalshi_bots.ports.deadline import Deadline

# Environment variables the template sets that are NOT settings: names of the SSM SecureString
# parameters. Kept outside the KALSHI_BOTS_ prefix so the settings' typo check ignores them.
CREDENTIALS_PARAMETER_ENV = "SSM_KALSHI_CREDENTIALS"
API_TOKEN_PARAMETER_ENV = "SSM_API_TOKEN"  # noqa: S105 (a variable name, not a secret)

# Time kept back from the invocation's remaining time to record the run's outcome and report it.
DEADLINE_MARGIN_S = 3.0

_SIGNING_MODES = frozenset({"demo", "live"})

Event = Mapping[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]


class EventError(ValueError):
    """The event is not one this handler accepts (wrong shape, wrong job, bad time)."""


class JobFailedError(RuntimeError):
    """Raised so Lambda counts the invocation as failed and retries it (async invoke)."""

    def __init__(self, result: JobResult) -> None:
        kind = "transient" if result.transient else "permanent"
        super().__init__(
            f"{result.job} run for {result.scheduled_for.isoformat()} failed ({kind}): "
            f"{result.reason_text} {result.detail}".strip()
        )
        self.result = result


# --------------------------------------------------------------------------- event parsing
def scheduled_for(event: Event, job: JobName) -> datetime:
    """The run's scheduled time (UTC, truncated to the minute) from a Scheduler or EventBridge event.

    Truncated because every schedule is minute-granular while a ``rate()`` schedule's times carry
    the seconds of its creation: the minute is the run's identity, as in the local scheduler.
    """
    if not isinstance(event, Mapping):
        raise EventError(f"{job}: event must be a JSON object, got {type(event).__name__}")
    named = event.get("job")
    if named is not None and named != job.value:
        raise EventError(f"{job}: event is for job {named!r}; check the schedule's target")
    if "scheduled_time" in event:
        raw, where = event["scheduled_time"], "scheduled_time"
    elif event.get("detail-type") == "Scheduled Event" and "time" in event:
        raw, where = event["time"], "time"
    else:
        raise EventError(
            f"{job}: event has neither 'scheduled_time' (EventBridge Scheduler input) nor a "
            f"'Scheduled Event' 'time'; keys: {sorted(event)}"
        )
    if not isinstance(raw, str):
        raise EventError(f"{job}: event field {where!r} must be an ISO-8601 string, got {raw!r}")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise EventError(f"{job}: event field {where!r} is not an ISO-8601 time: {raw!r}") from None
    if parsed.utcoffset() is None:
        raise EventError(f"{job}: event field {where!r} has no UTC offset: {raw!r}")
    return parsed.astimezone(UTC).replace(second=0, microsecond=0)


# --------------------------------------------------------------------------- secrets and deps
def read_ssm_secure_string(name: str) -> str:
    """One decrypted SecureString. botocore is imported here, not at module import."""
    from kalshi_bots.adapters.aws_session import aws_client

    client = aws_client("ssm")
    try:
        response = client.get_parameter(Name=name, WithDecryption=True)
    except client.exceptions.ParameterNotFound:
        raise RuntimeError(f"SSM parameter {name} does not exist: create it (docs/aws.md)") from None
    value = response["Parameter"]["Value"]
    if not isinstance(value, str):
        raise RuntimeError(f"SSM parameter {name} has no string value")
    return value


def secret_environ(environ: Mapping[str, str], read: Callable[[str], str]) -> dict[str, str]:
    """Settings variables filled from SSM: the Kalshi key (only where the mode signs requests) and
    the API token. Values never appear in errors."""
    extra: dict[str, str] = {}
    credentials = environ.get(CREDENTIALS_PARAMETER_ENV, "")
    mode = environ.get("KALSHI_BOTS_MODE", "paper").strip().lower()
    if credentials and mode in _SIGNING_MODES:
        try:
            doc = json.loads(read(credentials))
            key_id, pem = doc["key_id"], doc["private_key_pem"]
        except (ValueError, KeyError, TypeError):
            raise RuntimeError(
                f"SSM parameter {credentials} must be JSON with 'key_id' and 'private_key_pem' (docs/aws.md)"
            ) from None
        extra["KALSHI_BOTS_KALSHI_API_KEY_ID"] = str(key_id)
        extra["KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM"] = str(pem)
    token_parameter = environ.get(API_TOKEN_PARAMETER_ENV, "")
    if token_parameter:
        extra["KALSHI_BOTS_API_TOKEN"] = read(token_parameter).strip()
    return extra


class _Container:
    """What one Lambda container builds once and reuses across invocations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deps: Deps | None = None
        self._api_token: str | None = None
        self._clock: Clock | None = None  # None = the system clock

    def deps(self) -> Deps:
        with self._lock:
            if self._deps is None:
                self._build()
            assert self._deps is not None
            return self._deps

    def api_token(self) -> str | None:
        self.deps()
        return self._api_token

    def reset(self, clock: Clock | None = None) -> None:
        with self._lock:
            self._deps = None
            self._api_token = None
            self._clock = clock

    def _build(self) -> None:
        from kalshi_bots.bootstrap import build_deps
        from kalshi_bots.config import Settings

        environ = dict(os.environ)
        environ.update(secret_environ(environ, read_ssm_secure_string))
        settings = Settings.from_env(environ)
        _route_logs(settings.log_level)
        self._deps = build_deps(settings, clock=self._clock, defer_adapters=True)
        token = settings.api.token
        self._api_token = token.get_secret_value() if token is not None else None


CONTAINER = _Container()


def _route_logs(level: str) -> None:
    """Job events as one JSON line each. On Lambda the runtime's own root handler would print every
    record a second time in its text format, so it is removed there (and only there)."""
    import logging

    from kalshi_bots.entrypoints.logs import setup_logging

    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
    setup_logging(level)


def reset_container(clock: Clock | None = None) -> None:
    """Forget the cached dependencies, optionally running the next ones on ``clock`` (tests; a real
    container never needs this)."""
    CONTAINER.reset(clock)


# --------------------------------------------------------------------------- scheduled handlers
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


def _scheduled_handler(job: JobName) -> Handler:
    def handler(event: Event, context: Any) -> dict[str, Any]:
        return run_scheduled(job, event, context)

    handler.__name__ = handler.__qualname__ = job.value.replace("-", "_")
    handler.__doc__ = f"Lambda handler for the {job.value!r} job."
    return handler


collect_prices_btc = _scheduled_handler(JobName.COLLECT_BTC)
collect_prices_eth = _scheduled_handler(JobName.COLLECT_ETH)
trade_hourly_btc = _scheduled_handler(JobName.TRADE_BTC)
trade_hourly_eth = _scheduled_handler(JobName.TRADE_ETH)
cleanup = _scheduled_handler(JobName.CLEANUP)
weather = _scheduled_handler(JobName.WEATHER)
reconcile = _scheduled_handler(JobName.RECONCILE)
record_market = _scheduled_handler(JobName.RECORD_MARKET)

# The template's Handler names, by job (tests check the template against this).
HANDLERS: dict[JobName, Handler] = {
    JobName.COLLECT_BTC: collect_prices_btc,
    JobName.COLLECT_ETH: collect_prices_eth,
    JobName.TRADE_BTC: trade_hourly_btc,
    JobName.TRADE_ETH: trade_hourly_eth,
    JobName.CLEANUP: cleanup,
    JobName.WEATHER: weather,
    JobName.RECONCILE: reconcile,
    JobName.RECORD_MARKET: record_market,
}


# --------------------------------------------------------------------------- volatility API
def _header(headers: Mapping[str, Any], wanted: str) -> str | None:
    for name, value in headers.items():
        if name.lower() == wanted and isinstance(value, str):
            return value
    return None


def volatility_api(event: Event, context: Any) -> dict[str, Any]:
    """Function URL handler (payload format 2.0): ``GET /volatility/{BTC|ETH}`` with a bearer token.

    The decision is :func:`kalshi_bots.entrypoints.api_routes.handle`, the same code the local server
    runs: the token first (constant time; no token configured refuses everyone), then method, path,
    asset. The request body, if any, is never looked at.
    """
    from kalshi_bots.entrypoints import api_routes

    http = event.get("requestContext", {}).get("http", {}) if isinstance(event, Mapping) else {}
    headers = event.get("headers") if isinstance(event, Mapping) else None
    token = CONTAINER.api_token()

    def query(asset: Any) -> dict[str, Any] | None:
        from kalshi_bots.entrypoints.volatility_view import volatility_payload

        deps = CONTAINER.deps()
        return volatility_payload(deps.store, asset, deps.clock.now())

    reply = api_routes.handle(
        str(http.get("method", "")).upper(),
        str(event.get("rawPath") or http.get("path") or ""),
        _header(headers if isinstance(headers, Mapping) else {}, "authorization"),
        token=token,
        query=query,
    )
    return _http(reply.status, reply.body, reply.headers)


def _http(status: int, body: Mapping[str, Any], extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    headers = {"content-type": "application/json", "cache-control": "no-store"}
    headers.update((name.lower(), value) for name, value in (extra or {}).items())
    return {"statusCode": status, "headers": headers, "body": json.dumps(body, default=str)}
