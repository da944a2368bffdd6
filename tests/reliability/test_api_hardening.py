"""Defect 6: the volatility API spends nothing on a client without the token, and every error is JSON.

Real servers on 127.0.0.1 and raw sockets (a well-behaved HTTP client could not send most of these).
The same request table goes through the Lambda function URL handler, which shares the routing."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.domain.models import Asset, VolatilitySnapshot, WindowVolatility
from kalshi_bots.entrypoints import aws_lambda
from kalshi_bots.entrypoints.api import VolatilityApi
from kalshi_bots.entrypoints.volatility_view import volatility_payload

NOW = datetime(2026, 5, 4, 14, 50, 30, tzinfo=UTC)
TOKEN = "hardening-test-token-" + "0123456789abcdef"
IDLE_S, HEAD_S, MAX_CONNECTIONS = 0.5, 1.0, 4  # the limits the test server runs with


def snapshot() -> VolatilitySnapshot:
    windows = tuple(WindowVolatility(m, m + 1, 0.1, 0.2, 0.05) for m in (15, 30, 60, 90, 120))
    return VolatilitySnapshot(Asset.BTC, NOW - timedelta(seconds=30), windows, Decimal("95000"))


@pytest.fixture
def server() -> Iterator[VolatilityApi]:
    store = MemoryStore()
    store.put_volatility(snapshot())
    from kalshi_bots.entrypoints.api import ServerLimits

    limits = ServerLimits(
        idle_timeout_s=IDLE_S, head_timeout_s=HEAD_S, write_timeout_s=1.0, max_connections=MAX_CONNECTIONS
    )
    api = VolatilityApi(
        lambda a: volatility_payload(store, a, NOW), token=SecretStr(TOKEN), port=0, limits=limits
    )
    api.start()
    yield api
    api.stop()


def address(api: VolatilityApi) -> tuple[str, int]:
    host, port = api.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def exchange(api: VolatilityApi, raw: bytes, *, wait_s: float = 3.0) -> tuple[int, dict[str, Any], bytes]:
    """Send ``raw``, read until the server closes or ``wait_s``: (status, JSON body, head)."""
    with socket.create_connection(address(api), timeout=wait_s) as sock:
        sock.sendall(raw)
        data = b""
        try:
            while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < content_length(data):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pytest.fail(f"no complete reply within {wait_s} s to {raw[:80]!r}; got {data[:200]!r}")
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body), head


def content_length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 1 << 30


def request(
    method: str = "GET", path: str = "/volatility/BTC", *, token: str | None = None, extra: str = ""
) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"{method} {path} HTTP/1.1\r\nHost: test\r\n{auth}{extra}\r\n".encode()


def test_an_unauthenticated_body_is_refused_from_the_headers_without_waiting_for_it(server):
    # 300 MB announced, one MB sent: the 401 must come now, not after the server read 300 MB.
    raw = request("POST", extra=f"Content-Length: {300 << 20}\r\n") + b"x" * (1 << 20)
    status, body, head = exchange(server, raw)
    assert (status, body["error"]) == (401, "unauthorized")
    assert b"connection: close" in head.lower()


def test_a_body_on_an_authenticated_get_is_refused_not_read(server):
    status, body, _ = exchange(server, request(token=TOKEN, extra="Content-Length: 10\r\n") + b"0123456789")
    assert (status, body["error"]) == (413, "body_not_allowed")


@pytest.mark.parametrize("length", ["-1", "abc", "1, 2"])
def test_a_malformed_content_length_is_a_json_400_at_once(server, length, caplog):
    caplog.set_level(logging.DEBUG)
    status, body, _ = exchange(server, request(token=TOKEN, extra=f"Content-Length: {length}\r\n"))
    assert (status, body["error"]) == (400, "bad_request")
    assert not [r for r in caplog.records if r.exc_info], "a traceback reached the log"


def test_a_huge_content_length_is_answered_from_the_headers(server, caplog):
    caplog.set_level(logging.DEBUG)
    status, body, _ = exchange(server, request(extra=f"Content-Length: {10**12}\r\n"))
    assert (status, body["error"]) == (401, "unauthorized")
    status, body, _ = exchange(server, request(token=TOKEN, extra=f"Content-Length: {10**12}\r\n"))
    assert (status, body["error"]) == (413, "body_not_allowed")
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "DELETE", "PROPFIND"])
def test_every_method_gets_json_and_the_token_is_checked_first(server, method):
    status, body, _ = exchange(server, request(method))
    assert (status, body["error"]) == (401, "unauthorized")
    status, body, head = exchange(server, request(method, token=TOKEN))
    assert (status, body["error"]) == (405, "method_not_allowed")
    assert b"content-type: application/json" in head.lower()


def test_head_gets_the_status_without_a_body(server):
    with socket.create_connection(address(server), timeout=3) as sock:
        sock.sendall(request("HEAD", extra="Connection: close\r\n"))
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 401") and data.endswith(b"\r\n\r\n")


def test_garbage_and_oversized_heads_get_json(server):
    status, body, _ = exchange(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert (status, body["error"]) == (400, "bad_request")
    status, body, _ = exchange(server, request(extra="X-Fill: " + "a" * 20_000 + "\r\n"))
    assert (status, body["error"]) == (431, "headers_too_large")


def test_an_idle_connection_is_closed(server):
    with socket.create_connection(address(server), timeout=5) as sock:
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server, nothing sent
        assert time.monotonic() - started < IDLE_S + 1.5


def test_a_slow_head_is_cut_off_with_a_408(server):
    with socket.create_connection(address(server), timeout=5) as sock:
        started = time.monotonic()
        data = b""
        for byte in request(token=TOKEN)[:-2]:  # a byte every 0.1 s: ~6 s for the whole head
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
            if time.monotonic() - started > HEAD_S + 1.5:
                break
        sock.settimeout(2)
        try:
            while chunk := sock.recv(4096):
                data += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    assert data.startswith(b"HTTP/1.1 408"), data[:100]
    assert time.monotonic() - started < HEAD_S + 3


def test_a_negative_length_does_not_hold_a_thread(server):
    baseline = threading.active_count()
    sockets = []
    for _ in range(3):
        sock = socket.create_connection(address(server), timeout=3)
        sock.sendall(request(token=TOKEN, extra="Content-Length: -1\r\n"))
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
        sockets.append(sock)  # left open by the client
    deadline = time.monotonic() + 3
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert threading.active_count() <= baseline
    finally:
        for sock in sockets:
            sock.close()


def test_connections_beyond_the_cap_get_503_at_once(server):
    held = [socket.create_connection(address(server), timeout=3) for _ in range(MAX_CONNECTIONS)]
    time.sleep(0.1)  # let the server accept them all
    try:
        status, body, _ = exchange(server, request(token=TOKEN))
        assert (status, body["error"]) == (503, "busy")
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert exchange(server, request(token=TOKEN))[0] == 200


def test_keep_alive_serves_several_requests_on_one_connection(server):
    with socket.create_connection(address(server), timeout=3) as sock:
        for _ in range(3):
            sock.sendall(request(token=TOKEN))
            data = b""
            while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < content_length(data):
                data += sock.recv(65536)
            assert data.startswith(b"HTTP/1.1 200")


# ----------------------------------------------------------------------------- one routing, two transports
CASES = [
    ("GET", "/volatility/BTC", None),
    ("GET", "/volatility/BTC", "wrong"),
    ("POST", "/volatility/BTC", None),  # main: 405 locally, 401 on Lambda
    ("OPTIONS", "/volatility/BTC", None),
    ("POST", "/volatility/BTC", TOKEN),
    ("GET", "/volatility/DOGE", TOKEN),
    ("GET", "/prices/BTC", TOKEN),
    ("GET", "/volatility/ETH", TOKEN),
    ("GET", "/volatility/btc?x=1", TOKEN),
]


@pytest.fixture
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Lambda handler's container on a SQLite file holding BTC's VOL/LATEST, token from the env."""
    for name in list(os.environ):
        if name.startswith(("KALSHI_BOTS_", "SSM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KALSHI_BOTS_API_TOKEN", TOKEN)
    monkeypatch.setenv("KALSHI_BOTS_SQLITE_PATH", str(tmp_path / "lambda.db"))
    aws_lambda.reset_container()
    from kalshi_bots.adapters.store.sqlite import SqliteStore

    SqliteStore(str(tmp_path / "lambda.db")).put_volatility(snapshot())
    yield
    aws_lambda.reset_container()


def test_the_local_server_and_the_lambda_handler_answer_alike(server, lambda_env):
    for method, path, token in CASES:
        local_status, local_body, _ = exchange(server, request(method, path, token=token))
        event = {
            "rawPath": path.split("?")[0],
            "headers": {"authorization": f"Bearer {token}"} if token else {},
            "requestContext": {"http": {"method": method, "path": path.split("?")[0]}},
        }
        reply = aws_lambda.volatility_api(event, None)
        lambda_body = json.loads(reply["body"])
        assert (reply["statusCode"], lambda_body.get("error")) == (local_status, local_body.get("error")), (
            method,
            path,
            token,
        )


# ----------------------------------------------------------------------------- the real process
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_serve_process_memory_does_not_grow_with_an_unauthenticated_300_mb_body(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_BOTS_")}
    env |= {"KALSHI_BOTS_API_TOKEN": TOKEN, "KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "s.db")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kalshi_bots.entrypoints.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.05)
        before = _kib(proc.pid, "VmHWM")
        chunk = b"x" * (1 << 20)
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(
                f"POST /volatility/BTC HTTP/1.1\r\nHost: t\r\nContent-Length: {300 << 20}\r\n\r\n".encode()
            )
            try:
                for _ in range(300):
                    sock.sendall(chunk)
            except OSError:
                pass  # closed by the server after refusing: expected
        time.sleep(0.3)
        grown_mb = (_kib(proc.pid, "VmHWM") - before) / 1024
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert grown_mb < 20, f"peak RSS grew by {grown_mb:.0f} MB"
    assert b"Traceback" not in err
