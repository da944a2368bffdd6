"""Logs: structured JSON lines for machines, one human line per meaningful event for people.

- :func:`setup_logging` (Lambda, ``serve``, tests): every record as one JSON object per line on stderr.
- :func:`setup_cli_logging` (``run``, ``job``, ``dashboard``): human lines on the console (coloured on
  a TTY), JSON to a rotating file next to the SQLite store, and JSON on stderr only when asked
  (``--log-format json``) or when stderr is not a terminal (a service manager, a pipe).

JSON lines:

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
import logging.handlers
import os
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from kalshi_bots.app.event_text import HumanLine, Kind, human_line

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


def _ours(handler: logging.Handler) -> logging.Handler:
    handler._kalshi_bots = True  # type: ignore[attr-defined]
    return handler


def _reset_root(level: int) -> logging.Logger:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kalshi_bots", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    # Libraries' per-request chatter would drown the job events.
    for noisy in ("httpx", "httpcore", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return root


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Route every logger to one JSON handler on ``stream`` (stderr). Idempotent: replaces the
    handler a previous call installed, so tests and repeated ``main()`` calls do not duplicate lines."""
    root = _reset_root(logging.getLevelName(level))
    handler = _ours(logging.StreamHandler(stream if stream is not None else sys.stderr))
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    return handler


LOG_FORMATS = ("auto", "human", "json")
LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 3


def wants_json_on_stderr(log_format: str, stderr: TextIO) -> bool:
    """JSON on stderr when asked, or by default when stderr is not a terminal (services, pipes)."""
    if log_format == "json":
        return True
    if log_format == "human":
        return False
    isatty = getattr(stderr, "isatty", None)
    return not (callable(isatty) and isatty())


def wants_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set or TERM=dumb (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    tty = bool(callable(isatty) and isatty())
    return tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def log_file_for(sqlite_path: Path) -> Path:
    """The JSON log file: beside the SQLite store (``kalshi-bots.db`` -> ``kalshi-bots.log``)."""
    return sqlite_path.expanduser().with_suffix(".log")


def setup_cli_logging(
    level: str,
    *,
    log_format: str = "auto",
    console: TextIO | None = None,
    color: bool = False,
    log_file: Path | None = None,
    stderr: TextIO | None = None,
    offline_hint: bool = True,
    console_level: str = "INFO",
) -> list[logging.Handler]:
    """Human lines on ``console``, JSON in ``log_file`` (rotating) and, when wanted, on ``stderr``.

    The JSON outputs keep ``level`` (KALSHI_BOTS_LOG_LEVEL); the console always sees INFO events
    (a trade is INFO), so the root logger lets INFO through when a console is attached."""
    json_level = logging.getLevelName(level)
    root = _reset_root(min(json_level, logging.INFO) if console is not None else json_level)
    handlers: list[logging.Handler] = []
    err = stderr if stderr is not None else sys.stderr
    if wants_json_on_stderr(log_format, err):
        handlers.append(_ours(logging.StreamHandler(err)))
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            _ours(
                logging.handlers.RotatingFileHandler(
                    log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
                )
            )
        )
    for handler in handlers:
        handler.setFormatter(JsonFormatter())
        handler.setLevel(json_level)
    if console is not None:
        human = _ours(ConsoleHandler(console, color=color, offline_hint=offline_hint))
        human.setLevel(console_level)
        handlers.append(human)
    for handler in handlers:
        root.addHandler(handler)
    return handlers


# --- the human console -------------------------------------------------------------------------------
# Colour is five ANSI styles written by hand: rich would do it too, but importing rich.console costs
# ~80 ms on every CLI start (measured), and a console of one-line events needs none of its layout.

_RESET = "\x1b[0m"
STYLES: dict[Kind, str] = {
    Kind.TRADE: "\x1b[1;32m",  # bold green
    Kind.FILL: "\x1b[32m",
    Kind.WIN: "\x1b[1;32m",
    Kind.LOSS: "\x1b[1;31m",
    Kind.NO_TRADE: "\x1b[2m",  # dim
    Kind.ERROR: "\x1b[1;31m",  # bold red
    Kind.WARNING: "\x1b[33m",  # yellow
    Kind.HALT: "\x1b[1;35m",  # bold magenta
    Kind.INFO: "\x1b[36m",  # cyan
    Kind.ROUTINE: "\x1b[2m",
}
OFFLINE_HINT = (
    "network: a service did not answer. Offline or behind a firewall? "
    "`make sandbox` (kalshi-bots run --sandbox) runs everything against local fakes."
)


def paint(text: str, kind: Kind, color: bool) -> str:
    return f"{STYLES[kind]}{text}{_RESET}" if color else text


def _record_fields(record: logging.LogRecord) -> tuple[str, dict[str, Any]]:
    fields = getattr(record, "fields", None)
    found = dict(fields) if isinstance(fields, dict) else {}
    return str(getattr(record, "event", "") or ""), found


def _when(fields: dict[str, Any], record: logging.LogRecord) -> str:
    """The run's scheduled minute (its identity, on the world's clock) or, outside a run, wall time."""
    run_id = str(fields.get("run_id") or "")
    if "@" in run_id:
        return run_id.rsplit("T", 1)[-1]  # "14:45Z"
    return datetime.fromtimestamp(record.created).astimezone().strftime("%H:%M:%S")  # local wall time


class ConsoleHandler(logging.Handler):
    """One human line per meaningful event (see :mod:`kalshi_bots.app.event_text`).

    Keeps the screen readable when something keeps failing: a job's error is shown once, repeats are
    counted, and its recovery is one line. A collector's first success is shown so a newcomer sees
    prices flowing; later routine successes stay in the log file. The first network failure adds a
    hint towards the sandbox, once."""

    def __init__(self, stream: TextIO, *, color: bool = False, offline_hint: bool = True) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.color = color
        self._lock_state = threading.Lock()
        self._seen_routine: set[str] = set()
        self._failing: dict[str, int] = {}
        self._warned: set[tuple[str, str]] = set()
        self._hint_due = offline_hint

    def lines_for(self, record: logging.LogRecord) -> list[HumanLine]:
        event, fields = _record_fields(record)
        line = human_line(event, fields) if event else None
        with self._lock_state:
            if line is None:
                return self._warning(record, event, fields)
            return self._filter(line, fields)

    def _warning(self, record: logging.LogRecord, event: str, fields: dict[str, Any]) -> list[HumanLine]:
        """Any other warning or error, in its own words; a job's repeated warning only once until the
        job succeeds again (a collector offline would otherwise repeat it every minute)."""
        if record.levelno < logging.WARNING or event == "run.finished":
            return []
        job = str(fields.get("job") or "")
        if job and event:
            if (job, event) in self._warned:
                return []
            self._warned.add((job, event))
        kind = Kind.ERROR if record.levelno >= logging.ERROR else Kind.WARNING
        return [HumanLine(kind, f"{record.levelname.lower()}: {record.getMessage()}")]

    def _filter(self, line: HumanLine, fields: dict[str, Any]) -> list[HumanLine]:
        job = line.job
        if line.kind is Kind.ERROR and job and fields.get("outcome") == "error":
            count = self._failing.get(job, 0) + 1
            self._failing[job] = count
            if count > 1:
                return []
            out = [line]
            if self._hint_due and fields.get("reason") == "transient_error":
                self._hint_due = False
                out.append(HumanLine(Kind.INFO, OFFLINE_HINT))
            return out
        out = []
        if job and fields.get("outcome") in ("ok", "no-trade"):
            self._warned = {w for w in self._warned if w[0] != job}
        if job and fields.get("outcome") in ("ok", "no-trade") and job in self._failing:
            failures = self._failing.pop(job)
            out.append(HumanLine(Kind.INFO, f"{job} recovered after {failures} failed run(s)", job))
        if line.kind is Kind.ROUTINE:
            if job.startswith("collect-prices") and job not in self._seen_routine:
                self._seen_routine.add(job)
                out.append(HumanLine(Kind.INFO, f"{job}: ok, prices flowing (routine runs: log file only)"))
            return out
        out.append(line)
        return out

    def emit(self, record: logging.LogRecord) -> None:
        try:
            lines = self.lines_for(record)
            if not lines:
                return
            _, fields = _record_fields(record)
            when = _when(fields, record)
            # Handler.handle() holds self.lock around emit(): lines from concurrent jobs never interleave.
            self.stream.write(
                "".join(f"{when} {paint(line.text, line.kind, self.color)}\n" for line in lines)
            )
            self.stream.flush()
        except Exception:
            self.handleError(record)
