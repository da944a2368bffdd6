"""What every CLI command shares: the usage error it raises, the clock it reads, where its logs go and
how it names the store it works on.

Its own module so the command modules (:mod:`.cli_commands`, :mod:`.cli_job`, :mod:`.cli_run`, ...) and
the dashboard can all use it without importing one another.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kalshi_bots import bootstrap
from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.entrypoints.logs import log_file_for, setup_cli_logging, wants_color
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.store import DocStore


class UsageError(Exception):
    """A command line that parses but makes no sense (exit code 2)."""


# Commands that show job events as they happen (human lines on stdout, JSON log file beside the store).
EVENT_COMMANDS = frozenset({"job", "dashboard"})


def setup_logs(settings: Settings, args: argparse.Namespace | None = None) -> None:
    """Human lines for people, JSON for machines (see :mod:`kalshi_bots.entrypoints.logs`). ``run`` sets
    its own up once it knows where its state lives (the sandbox's directory)."""
    log_format = getattr(args, "log_format", "auto")
    command = getattr(args, "command", "")
    if command in EVENT_COMMANDS:
        log_file = data_log_file(settings)
        if command == "dashboard" and not settings.store.sqlite_path.is_file():
            log_file = None  # a read-only command creates nothing (the missing store is reported)
        setup_cli_logging(
            settings.log_level,
            log_format=log_format,
            console=sys.stdout,
            color=wants_color(sys.stdout),
            log_file=log_file,
        )
    else:  # read-only and quick commands: warnings in words on stderr, JSON only when asked or piped
        setup_cli_logging(
            settings.log_level, log_format=log_format, console=sys.stderr, color=wants_color(sys.stderr),
            console_level="WARNING",
        )  # fmt: skip


def data_log_file(settings: Settings) -> Path | None:
    """The JSON log file beside the SQLite store. With DynamoDB there is no local data directory (the
    tables are in AWS): nothing is written to the working directory, JSON goes to stderr as usual."""
    return log_file_for(settings.store.sqlite_path) if settings.store.kind is StoreKind.SQLITE else None


def store_label(settings: Settings) -> str:
    if settings.store.kind is StoreKind.SQLITE:
        return f"sqlite ({settings.store.sqlite_path})"
    where = settings.store.dynamodb_endpoint_url or settings.store.aws_region or "AWS default region"
    return f"dynamodb ({where})"


def clock_of(args: argparse.Namespace) -> Clock:
    """The clock ``main`` put on the arguments (the system clock when a caller built them by hand)."""
    clock: Clock | None = getattr(args, "clock", None)
    return clock if clock is not None else bootstrap.system_clock()


def shown_clock(args: argparse.Namespace, store: DocStore) -> Clock:
    """The clock ages are shown on: the one ``main`` was given (tests), else the sandbox world's clock
    recorded in this store (an accelerated sandbox), else the system clock."""
    clock: Clock | None = getattr(args, "clock", None)
    return clock if clock is not None else bootstrap.display_clock(store)
