"""A run's deadline, and how it reaches every outgoing HTTP request.

A :class:`Deadline` is the instant by which a job run must be over, on a monotonic time source it
carries with it (``time.monotonic`` unless a test passes another), so nothing that reads it consults
the wall clock: a run's deadline is immune to the system clock jumping or a simulated clock racing.

**Who sets it.** The runner (:func:`kalshi_bots.app.runner.run_job`), around each run, to the earlier
of the job's budget from its schedule (``runner.RUN_BUDGET_S``: a collector must be done well within
its minute) and the deadline its caller passed: none from the CLI and the local scheduler, and on
Lambda the invocation's remaining time (``context.get_remaining_time_in_millis()``) minus a margin for
recording the outcome.

**Who reads it.** The HTTP layer (:mod:`kalshi_bots.adapters.http`): no attempt starts and no backoff
sleep begins that would cross it, and each request's timeouts are capped by the time left. So a
service that never answers costs a run at most its deadline, and the run ends with a transient error
it can record, instead of being killed by the platform mid-write.

**Why a context variable, not a field on Deps or on the clients.** The HTTP clients are built once
(per process, per Lambda container) and shared by runs that execute at the same time on different
threads: the local scheduler runs the BTC and ETH collectors in parallel over one Coinbase client. A
per-run value on a shared client would leak from one run into the other. A :class:`~contextvars.ContextVar`
is per thread (and per task): the runner sets it for the run's thread and resets it afterwards, and the
ports and jobs stay as they are. A thread a job starts itself does not inherit it (none does today);
such a job would pass ``contextvars.copy_context()`` to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

Monotonic = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Deadline:
    """``at`` on the scale of ``clock`` (seconds). Build with :meth:`after`."""

    at: float
    clock: Monotonic = field(default=time.monotonic, compare=False, repr=False)

    @classmethod
    def after(cls, seconds: float, clock: Monotonic = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - self.clock()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def earliest(self, other: Deadline | None) -> Deadline:
        """The stricter of two deadlines (compared by time left, so their clocks may differ)."""
        if other is None or self.remaining() <= other.remaining():
            return self
        return other


_CURRENT: ContextVar[Deadline | None] = ContextVar("kalshi_bots_run_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the run executing on this thread, or None outside a run."""
    return _CURRENT.get()


@contextmanager
def deadline_scope(deadline: Deadline | None) -> Iterator[Deadline | None]:
    """Make ``deadline`` the current one for the duration of the ``with`` block (this thread only)."""
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)
