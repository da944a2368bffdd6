"""Fault injection for the fake Kalshi: canned failures matched by method and path.

Each fault replaces (or, for ``delay`` and ``hold``, precedes) the answer to the next matching
requests: ``status`` (e.g. 429 then success, 503 forever), ``malformed`` (a 200 whose JSON is cut off),
``delay`` (sleep, e.g. longer than the client's timeout), ``hold`` (a slow reply the test controls:
wait until it is released, so "something happens while the run waits" is deterministic), ``drop``
(close the socket unanswered) and ``crash_after_accept`` (an order POST is stored and matched, then
answered with an error status, e.g. 500 or 408, or dropped).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from kalshi_bots.sandbox.server import DropConnection, Response

ORDERS_PATH = "/portfolio/events/orders"


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """Kalshi's wrapped error body ``{"error": {"code", "message"}}`` (reference §4)."""
    return Response.json({"error": {"code": code, "message": message}}, status, headers)


class Hold:
    """Replies held back until :meth:`release` (or ``timeout_s``, so a test never hangs forever).

    ``arrived`` is set when the first held request reaches the fake; :meth:`wait_for` waits for more."""

    def __init__(self, timeout_s: float = 30.0) -> None:
        self.arrived = threading.Event()
        self.timeout_s = timeout_s
        self._released = threading.Event()
        self._count = 0
        self._count_changed = threading.Condition()

    def release(self) -> None:
        self._released.set()

    def wait_for(self, arrivals: int, timeout_s: float = 10.0) -> bool:
        """Whether ``arrivals`` requests are being held (waits up to ``timeout_s`` for them)."""
        with self._count_changed:
            return self._count_changed.wait_for(lambda: self._count >= arrivals, timeout_s)

    def wait_here(self) -> None:
        with self._count_changed:
            self._count += 1
            self._count_changed.notify_all()
        self.arrived.set()
        self._released.wait(self.timeout_s)


@dataclass(slots=True)
class Fault:
    kind: str  # status | malformed | delay | hold | drop | crash_after_accept
    path: re.Pattern[str] | None  # searched in the path after /trade-api/v2; None = any
    method: str | None
    remaining: int | None  # None = forever
    status: int = 503
    seconds: float = 0.0
    headers: dict[str, str] | None = None
    hold: Hold | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or bool(self.path.search(path))
        )


class FaultInjector:
    """Mixed into FakeKalshi: the public ``fail_next``/``malformed_next``/... methods and their queue."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._fault_lock = threading.Lock()

    def _add_fault(self, fault: Fault) -> None:
        with self._fault_lock:
            self._faults.append(fault)

    @staticmethod
    def _pattern(path: str | None) -> re.Pattern[str] | None:
        return None if path is None else re.compile(path)

    def fail_next(
        self,
        status: int,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer ``status`` to the next ``times`` matching requests (``times=None``: forever)."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
        self._add_fault(Fault("status", self._pattern(path), method, times, status=status, headers=headers))

    def malformed_next(self, *, times: int = 1, path: str | None = None, method: str | None = None) -> None:
        self._add_fault(Fault("malformed", self._pattern(path), method, times))

    def delay_next(
        self, seconds: float, *, times: int = 1, path: str | None = None, method: str | None = None
    ) -> None:
        """Sleep before answering normally (longer than the client's timeout = a timeout)."""
        self._add_fault(Fault("delay", self._pattern(path), method, times, seconds=seconds))

    def hold_next(
        self, *, times: int = 1, path: str | None = None, method: str | None = None, timeout_s: float = 30.0
    ) -> Hold:
        """Hold the replies to the next ``times`` matching requests until the returned :class:`Hold` is
        released: a slow exchange whose slowness the test controls."""
        hold = Hold(timeout_s)
        self._add_fault(Fault("hold", self._pattern(path), method, times, hold=hold))
        return hold

    def drop_next(self, *, times: int = 1, path: str | None = None, method: str | None = None) -> None:
        self._add_fault(Fault("drop", self._pattern(path), method, times))

    def crash_after_accept(self, *, times: int = 1, mode: str = "500") -> None:
        """The next order POSTs are stored and matched, then answered ``mode``: an HTTP error status
        (``"500"``, ``"408"``, ``"504"``, ...) or ``"drop"`` (the socket closed unanswered)."""
        if mode != "drop" and not (mode.isdigit() and 400 <= int(mode) <= 599):
            raise ValueError(
                f"mode must be an HTTP error status such as '500' or '408', or 'drop'; got {mode!r}"
            )
        status = 0 if mode == "drop" else int(mode)
        self._add_fault(
            Fault("crash_after_accept", re.compile(f"^{ORDERS_PATH}$"), "POST", times, status=status)
        )

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._fault_lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    @staticmethod
    def apply_early(fault: Fault) -> Response | None:
        if fault.kind == "status":
            code = "too_many_requests" if fault.status == 429 else "injected"
            return error_response(fault.status, code, f"injected HTTP {fault.status}", fault.headers)
        if fault.kind == "malformed":
            return Response(200, b'{"markets": [{"ticker": ', {"Content-Type": "application/json"})
        if fault.kind == "drop":
            raise DropConnection
        if fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault.kind == "hold" and fault.hold is not None:
            fault.hold.wait_here()
        return None
