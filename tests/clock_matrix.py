"""Run the end-to-end and AWS handler tests at chosen instants, to prove they do not depend on the
minute they start.

    .venv/bin/python tests/clock_matrix.py                 # HH:09:30, HH:44:50, HH:59:30
    .venv/bin/python tests/clock_matrix.py --at 59:59 -- -x -k lambda   # other instants, pytest args

Each instant gets its own pytest process, in which `time-machine <https://pypi.org/project/time-machine/>`_
moves the wall clock (``time.time``, ``datetime.now``...; not ``time.monotonic``, so timeouts still work)
to that minute and second of the current hour and lets it tick from there. This file is also the pytest
plugin that does it (``-p clock_matrix``, driven by ``CLOCK_MATRIX_AT``). The instants are the ones that
used to break the suite: the :10 reconcile, the :45 trading run, the last minute of an hour.

Processes the tests start themselves (``kalshi-bots run --sandbox``) are not moved: those tests pass the
instant explicitly (``--start``), which is the point. Exit status: 0 when every instant passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INSTANTS = ("09:30", "44:50", "59:30")
SUITES = ("tests/e2e", "tests/integration/aws")
ENV = "CLOCK_MATRIX_AT"

_traveller: Any = None


# ----------------------------------------------------------------------------- the pytest plugin
def destination(minute_second: str, now: datetime) -> datetime:
    """``MM:SS`` of the current hour (aware UTC)."""
    minute, second = (int(part) for part in minute_second.split(":"))
    return now.replace(minute=minute, second=second, microsecond=0)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: Any, parser: Any, args: Any) -> None:
    """Travel before the first conftest is imported: a module-level clock read at import time (a
    fixture module's "now") must see the moved clock too."""
    global _traveller
    at = os.environ.get(ENV)
    if not at or _traveller is not None:
        return
    import time_machine

    target = destination(at, datetime.now(UTC))
    _traveller = time_machine.travel(target, tick=True)
    _traveller.start()
    seen = datetime.now(UTC)
    if abs((seen - target).total_seconds()) > 5:  # the travel must really have happened
        raise RuntimeError(f"clock matrix: wanted {target.isoformat()}, the tests see {seen.isoformat()}")


def pytest_report_header(config: Any) -> str | None:
    if _traveller is None:
        return None
    return f"clock matrix: wall clock moved to {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z (ticking)"


def pytest_unconfigure(config: Any) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


# ----------------------------------------------------------------------------- the driver
def run_at(at: str, pytest_args: list[str]) -> tuple[int, float]:
    env = os.environ | {
        ENV: at,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "pytest", "-p", "clock_matrix", "-p", "no:cacheprovider", *pytest_args]
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    return code, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--at", action="append", metavar="MM:SS", help=f"instant (default {', '.join(INSTANTS)})"
    )
    parser.add_argument(
        "pytest_args", nargs="*", help=f"after --: passed to pytest (default {' '.join(SUITES)})"
    )
    args = parser.parse_args(argv)
    instants = args.at or list(INSTANTS)
    for at in instants:
        destination(at, datetime.now(UTC))  # validates MM:SS before anything runs
    pytest_args = args.pytest_args or list(SUITES)
    results = []
    for at in instants:
        print(f"\n===== clock matrix: HH:{at} =====", flush=True)
        results.append((at, *run_at(at, pytest_args)))
    print("\n===== clock matrix summary =====")
    for at, code, seconds in results:
        print(f"HH:{at}  {'passed' if code == 0 else f'FAILED (pytest exit {code})'}  {seconds:.0f} s")
    failed = sum(1 for _, code, _ in results if code != 0)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
