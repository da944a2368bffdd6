"""Fault injection for the fake Kalshi: canned failures matched by method and path.

Each fault replaces (or, for ``delay`` and ``hold``, precedes) the answer to the next matching
requests: ``status`` (e.g. 429 then success, 503 forever), ``malformed`` (a 200 whose JSON is cut off),
``delay`` (sleep, e.g. longer than the client's timeout), ``hold`` (a slow reply the test controls:
wait until it is released, so "something happens while the run waits" is deterministic), ``drop``
(close the socket unanswered) and ``crash_after_accept`` (an order POST is stored and matched, then
answered with an error status, e.g. 500 or 408, or dropped).

``rewrite`` lets the request through and edits the JSON of its answer: data that is well-formed but
wrong, which only the reader's sanity rules can catch. Ready-made ones: strikes scaled (x100, 1e30),
an event reply carrying another event's markets, prices with too many decimals.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kalshi_bots.sandbox.server import DropConnection, Response

ORDERS_PATH = "/portfolio/events/orders"
EVENT_PATHS = r"^/events(/[^/]+)?$"  # one event, or a page of events
Rewrite = Callable[[Any], Any]


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
    kind: str  # status | malformed | delay | hold | drop | crash_after_accept | rewrite
    path: re.Pattern[str] | None  # searched in the path after /trade-api/v2; None = any
    method: str | None
    remaining: int | None  # None = forever
    status: int = 503
    seconds: float = 0.0
    headers: dict[str, str] | None = None
    hold: Hold | None = None
    rewrite: Rewrite | None = None  # kind "rewrite": the answer's JSON -> the JSON sent instead

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

    def rewrite_next(
        self, rewrite: Rewrite, *, times: int | None = 1, path: str | None = None, method: str | None = "GET"
    ) -> None:
        """Answer normally, then send ``rewrite(json)`` instead of the JSON (called with the lock held)."""
        self._add_fault(Fault("rewrite", self._pattern(path), method, times, rewrite=rewrite))

    def scale_strikes_next(self, factor: Decimal | str, *, times: int | None = 1) -> None:
        """Event replies whose strikes are multiplied by ``factor`` (``100``, ``"1e30"``)."""
        scale = Decimal(factor)

        def scaled(market: dict[str, Any]) -> dict[str, Any]:
            for key in ("floor_strike", "cap_strike"):
                if market.get(key) is not None:
                    market[key] = float(Decimal(str(market[key])) * scale)
            return market

        self.rewrite_next(lambda body: _each_market(body, scaled), times=times, path=EVENT_PATHS)

    def over_precise_next(self, no_ask: str = "0.25001", *, times: int | None = 1) -> None:
        """Event replies quoting every market at a NO ask (and matching YES bid) with too many decimals."""
        price = Decimal(no_ask)

        def quoted(market: dict[str, Any]) -> dict[str, Any]:
            market["no_ask_dollars"] = str(price)
            market["yes_bid_dollars"] = str(Decimal(1) - price)
            return market

        self.rewrite_next(lambda body: _each_market(body, quoted), times=times, path=EVENT_PATHS)

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
    def apply_late(fault: Fault, response: Response) -> Response:
        """A ``rewrite`` fault edits the handler's JSON answer; other kinds leave it alone."""
        if fault.kind != "rewrite" or fault.rewrite is None:
            return response
        body = fault.rewrite(json.loads(response.body))
        return Response(response.status, json.dumps(body).encode(), response.headers)

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


def _each_market(body: Any, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """Apply ``edit`` to every market object of an event, events page or markets reply."""
    events = [body.get("event")] if isinstance(body.get("event"), dict) else list(body.get("events") or [])
    for holder in [body, *events]:
        if isinstance(holder.get("markets"), list):
            holder["markets"] = [edit(m) for m in holder["markets"]]
    return body
