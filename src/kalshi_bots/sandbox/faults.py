"""Failure injection shared by the feed fakes: a queue of canned bad replies per endpoint."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kalshi_bots.sandbox.server import Response


@dataclass(frozen=True, slots=True)
class Fault:
    endpoint: str | None  # a fake's endpoint name ("ticker", "candles", ...); None = any endpoint
    response: Response


class FaultQueue:
    """First-in first-out faults; each one replaces exactly one reply of a matching endpoint."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, response: Response, *, times: int = 1, endpoint: str | None = None) -> None:
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times}")
        with self._lock:
            self._faults.extend(Fault(endpoint, response) for _ in range(times))

    def take(self, endpoint: str) -> Response | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.endpoint in (None, endpoint):
                    del self._faults[index]
                    return fault.response
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


def status_fault(status: int, message: str = "") -> Response:
    """A JSON ``{"message": ...}`` error like Coinbase's; 429/503 carry ``Retry-After: 0``."""
    headers = {"Retry-After": "0"} if status in (429, 503) else {}
    return Response.json({"message": message or f"injected HTTP {status}"}, status, headers)


def malformed_fault() -> Response:
    """A 200 whose body is not JSON (a truncated reply, an HTML error page from a proxy)."""
    return Response(200, b'{"price": "6222.0', {"Content-Type": "application/json"})
