"""Structured logs: one JSON object per line on stderr.

Every line has ``ts``, ``level`` and ``event``. Jobs log through :func:`kalshi_bots.app.logs.log_event`,
whose records carry ``event`` (a dotted name such as ``trade.refused``) and ``fields`` (``job``,
``run_id``, ``asset``, ``ticker``, ``decision``, ``reason``...): those are flattened into the line,
with the human text as ``msg``. Plain records use their message as ``event``; keys passed through
``extra=`` are added as they are. Human output goes to stdout, so ``kalshi-bots trades --json | jq``
never mixes with logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

KNOWN_FIELDS = ("job", "run_id", "asset", "ticker", "decision", "reason")
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        attrs = record.__dict__
        message = record.getMessage()
        event = attrs.get("event")
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": str(event) if event else message,
        }
        fields = attrs.get("fields")
        extras = dict(fields) if isinstance(fields, dict) else {}
        extras.update((k, v) for k, v in attrs.items() if k not in _STANDARD and k not in ("event", "fields"))
        for key in KNOWN_FIELDS:  # the common keys first, in a fixed order, for easy reading
            if key in extras:
                line[key] = _plain(extras.pop(key))
        for key, value in extras.items():
            if key not in line and not key.startswith("_"):
                line[key] = _plain(value)
        if event and message != event:
            line["msg"] = message
        if record.name and not record.name.startswith("kalshi_bots"):
            line["logger"] = record.name
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Route every logger to one JSON handler on ``stream`` (stderr). Idempotent: replaces the
    handler a previous call installed, so tests and repeated ``main()`` calls do not duplicate lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kalshi_bots", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._kalshi_bots = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries' per-request chatter would drown the job events.
    for noisy in ("httpx", "httpcore", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
