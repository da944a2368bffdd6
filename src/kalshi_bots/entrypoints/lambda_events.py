"""What the Lambda handlers read from their events: the scheduled minute of an EventBridge run, and the
request line of a function URL call (payload format 2.0), and how a function URL reply is shaped.

Standard library only: the handler module imports this at init.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.markets import floor_minute

Event = Mapping[str, Any]


class EventError(ValueError):
    """The event is not one this handler accepts (wrong shape, wrong job, bad time)."""


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
    return floor_minute(parsed)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """The parts of a function URL request the API looks at (never the body)."""

    method: str
    path: str
    authorization: str | None


def http_request(event: Event) -> HttpRequest:
    """The request line and ``Authorization`` header of a function URL event; a malformed event reads as
    an empty request (which the API refuses like any other)."""
    if not isinstance(event, Mapping):
        return HttpRequest("", "", None)
    context = event.get("requestContext")
    http = context.get("http", {}) if isinstance(context, Mapping) else {}
    http = http if isinstance(http, Mapping) else {}
    headers = event.get("headers")
    return HttpRequest(
        str(http.get("method", "")).upper(),
        str(event.get("rawPath") or http.get("path") or ""),
        _header(headers if isinstance(headers, Mapping) else {}, "authorization"),
    )


def _header(headers: Mapping[str, Any], wanted: str) -> str | None:
    for name, value in headers.items():
        if name.lower() == wanted and isinstance(value, str):
            return value
    return None


def http_response(
    status: int, body: Mapping[str, Any], extra: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A function URL reply: JSON, never cached, header names lower-cased."""
    headers = {"content-type": "application/json", "cache-control": "no-store"}
    headers.update((name.lower(), value) for name, value in (extra or {}).items())
    return {"statusCode": status, "headers": headers, "body": json.dumps(body, default=str)}
