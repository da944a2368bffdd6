"""What an unauthenticated client can make the volatility API spend, and what the API costs to start.

Starts ``kalshi-bots serve`` (token required, throwaway SQLite file) as a real process on 127.0.0.1 and
measures, from ``/proc/<pid>/status``:

* RSS before and after one unauthenticated request announcing and streaming a 300 MB body (the peak,
  ``VmHWM``, too): the API must answer 401 from the headers and never buffer the body;
* whether ``Content-Length: -1`` is answered (and how fast), and the server's thread count a few seconds
  after a connection that sent it went quiet (a request that holds a thread forever shows up here);
* import time of the API path (``kalshi_bots.entrypoints.api``) and wall time until the server answers.

Linux only (``/proc``). Run: ``.venv/bin/python bench/bench_api.py``
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BODY_MB = 300
TOKEN = "bench-token-not-a-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def mb(value: str) -> float:
    return int(value.split(maxsplit=1)[0]) / 1024


def wait_until_serving(port: int, timeout_s: float = 20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return time.monotonic() - started
        except OSError:
            time.sleep(0.01)
    raise RuntimeError("the API did not start")


def send_big_unauthenticated_body(port: int) -> str:
    """Announce and stream BODY_MB MB without a token; return the status line the server sent (if any)."""
    chunk = b"x" * (1 << 20)
    head = (
        f"POST /volatility/BTC HTTP/1.1\r\nHost: bench\r\nContent-Length: {BODY_MB << 20}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        sent = 0
        try:
            for _ in range(BODY_MB):
                sock.sendall(chunk)
                sent += 1
        except OSError:
            pass  # the server closed the connection early: what a hardened server does
        try:
            reply = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
        except OSError as exc:
            reply = f"(no reply: {type(exc).__name__})"
    return f"{reply!r} after {sent} MB sent"


def negative_length(port: int) -> tuple[str, float]:
    """Send ``Content-Length: -1`` and keep the socket open; the reply (if any) and its delay."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=3)
    started = time.monotonic()
    sock.sendall(b"GET /volatility/BTC HTTP/1.1\r\nHost: bench\r\nContent-Length: -1\r\n\r\n")
    try:
        reply = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace") or "(closed)"
    except TimeoutError:
        reply = "(no reply within 3 s)"
    delay = time.monotonic() - started
    HELD.append(sock)  # keep it open while the thread count is read
    return reply, delay


HELD: list[socket.socket] = []


def import_ms(module: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )
        line = [x for x in out.stderr.splitlines() if x.rstrip().endswith(f" {module}")][-1]
        times.append(int(line.split("|")[1]) / 1000)
    return statistics.median(times)


def main() -> int:
    if not Path("/proc/self/status").exists():
        print("needs Linux /proc")
        return 1
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_BOTS_")}
        env |= {
            "KALSHI_BOTS_API_TOKEN": TOKEN,
            "KALSHI_BOTS_SQLITE_PATH": str(Path(tmp) / "bench.db"),
            "KALSHI_BOTS_LOG_LEVEL": "WARNING",
        }
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kalshi_bots.entrypoints.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until_serving(port)
            ready_s = time.monotonic() - started
            time.sleep(0.3)
            before = proc_status(proc.pid)
            outcome = send_big_unauthenticated_body(port)
            time.sleep(0.5)
            after = proc_status(proc.pid)
            threads_before = int(proc_status(proc.pid)["Threads"])
            reply, delay = negative_length(port)
            time.sleep(3)
            threads_after = int(proc_status(proc.pid)["Threads"])
        finally:
            for sock in HELD:
                sock.close()
            proc.terminate()
            _, err = proc.communicate(timeout=10)
    print(f"server ready (process start to accepting)      {ready_s * 1000:7.0f} ms")
    api_ms = import_ms("kalshi_bots.entrypoints.api")
    print(f"import kalshi_bots.entrypoints.api (median)    {api_ms:7.1f} ms")
    print(f"RSS before the {BODY_MB} MB unauthenticated body   {mb(before['VmRSS']):7.1f} MB")
    print(f"RSS after it                                   {mb(after['VmRSS']):7.1f} MB")
    print(f"peak RSS (VmHWM)                               {mb(after['VmHWM']):7.1f} MB")
    print(f"server's reply to the big body: {outcome}")
    print(f"reply to Content-Length -1: {reply!r} in {delay:.2f} s")
    print(f"server threads before / 3 s after the -1 request (socket left open): {threads_before} / ", end="")
    print(threads_after)
    tracebacks = err.decode(errors="replace").count("Traceback")
    print(f"tracebacks in the server's stderr: {tracebacks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
