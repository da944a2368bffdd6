"""Clocks implementing :class:`kalshi_bots.ports.clock.Clock`.

- :class:`SystemClock`: the real time (aware UTC). Production.
- :class:`FixedClock`: one instant forever. Unit tests of a single decision.
- :class:`ManualClock`: an instant that the caller moves with :meth:`~ManualClock.set` /
  :meth:`~ManualClock.advance`. Tests and simulated days driven step by step.
- :class:`AcceleratedClock`: starts at a chosen instant and runs ``speed`` times faster than real time.
  Accelerated end-to-end runs through the real scheduler (e.g. a day in a few minutes).

Every clock refuses naive datetimes: a time without a zone is a bug upstream, never guessed.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


def _aware_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self._at = _aware_utc(at, "FixedClock time")

    def now(self) -> datetime:
        return self._at


class ManualClock:
    """Thread-safe settable clock. Time never moves unless told to."""

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._at = _aware_utc(start, "ManualClock start")

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = _aware_utc(at, "ManualClock time")

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (negative deltas are refused: time in a run never goes back)."""
        if delta < timedelta(0):
            raise ValueError(f"ManualClock.advance needs a non-negative delta, got {delta}")
        with self._lock:
            self._at += delta
            return self._at


class AcceleratedClock:
    """``start + speed * (real seconds elapsed since creation)``, read from a monotonic timer."""

    def __init__(self, start: datetime, speed: float) -> None:
        if not speed > 0:
            raise ValueError(f"AcceleratedClock speed must be > 0, got {speed}")
        self._start = _aware_utc(start, "AcceleratedClock start")
        self._speed = speed
        self._t0 = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self._speed)
