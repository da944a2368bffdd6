"""`kalshi-bots run --sandbox` as a user runs it: a real process, offline, stopped with Ctrl-C.

The world starts at a pinned instant (``--start``), the top of a :10 minute, so every run of this test
sees the two collectors *and* the hourly reconcile fire in its first minute, whatever the wall clock
says. (Started at the real time, it used to fail around :10: the test waited for exactly the two
collectors to succeed, and a reconcile success in the same minute spoilt the set.)"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


START = "2026-05-04T14:10:00Z"
FIRST_MINUTE_JOBS = {"collect-prices-btc", "collect-prices-eth", "reconcile"}


def test_run_sandbox_collects_prices_offline_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_BOTS_")}
    env["KALSHI_BOTS_SQLITE_PATH"] = str(tmp_path / "not-used-by-sandbox.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kalshi_bots.entrypoints.cli", "run", "--sandbox", "--start", START],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stderr is not None and proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    err_lines: list[str] = []

    def pump(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)

    reader = threading.Thread(target=pump, args=(proc.stderr,), daemon=True)
    reader.start()
    finished: set[str] = set()
    deadline = time.monotonic() + 30
    try:
        while not finished >= FIRST_MINUTE_JOBS and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            err_lines.append(line)
            event = json.loads(line)  # every stderr line is one JSON object
            if event.get("event") == "run.finished" and event.get("outcome") == "ok":
                finished.add(str(event["job"]))
        assert finished >= FIRST_MINUTE_JOBS, err_lines
        proc.send_signal(signal.SIGINT)
        out = proc.stdout.read()
        proc.wait(timeout=30)
        reader.join(10)
        while not lines.empty():
            err_lines.append(lines.get())
        err = "".join(err_lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "sandbox: fake Kalshi http://127.0.0.1:" in out and "mode paper" in out
    assert "the world's clock starts at 2026-05-04 14:10:00Z" in out
    assert "14:10Z collect-prices-btc: ok" in out  # the human line, on the world's clock
    assert "scheduler stopped" in err
    assert not (tmp_path / "not-used-by-sandbox.db").exists()  # the sandbox keeps its state apart
