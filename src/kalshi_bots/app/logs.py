"""Structured event logs for the jobs (stdlib ``logging``; the CLI/Lambda shell chooses the format).

Convention, for whoever writes the formatter: every record emitted through :func:`log_event` carries two
extra attributes,

- ``event``: a short dotted name, e.g. ``trade.refused``, ``trade.placed``, ``price.rejected``;
- ``fields``: a JSON-safe ``dict`` (str/int/float/bool/None/list/dict only) holding at least ``job`` and
  ``run_id`` when inside a run, plus whatever the event adds (``asset``, ``ticker``, ``decision``,
  ``reason``...).

A JSON formatter can therefore write ``{"level", "logger", "msg", "event", **fields}`` per line. The
message text repeats the essentials for plain-text handlers. Secrets never enter ``fields``: jobs only
log market data, decisions and ids.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

_CONTEXT: ContextVar[Mapping[str, str] | None] = ContextVar("kalshi_bots_job_context", default=None)


@contextmanager
def job_context(job: str, run_id: str) -> Iterator[None]:
    """Attach ``job`` and ``run_id`` to every event logged inside the ``with`` block (this thread/task)."""
    token = _CONTEXT.set({"job": job, "run_id": run_id})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current_context() -> dict[str, str]:
    return dict(_CONTEXT.get() or {})


def json_safe(value: Any) -> Any:
    """Decimal -> str (exact), datetime/date -> ISO, Enum -> value, NaN/inf -> None; containers recursed."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


def log_event(
    logger: logging.Logger, event: str, message: str, level: int = logging.INFO, **fields: Any
) -> None:
    """Log one structured event (see the module docstring for the record layout)."""
    payload = {**current_context(), **{k: json_safe(v) for k, v in fields.items()}}
    logger.log(level, "%s: %s", event, message, extra={"event": event, "fields": payload})
