"""The sandbox's clock, written into its store so other processes read ages on the same clock.

``run --sandbox --speed 30`` runs the world 30 times faster than real time: its prices and job runs are
stamped in the future of the wall clock. ``status``, ``positions`` and the dashboard, which may run in
another process, would then print negative ages. The run records its clock (a ``sandbox``/``clock``
doc in the store); readers rebuild the same clock from it, frozen at the moment the run stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kalshi_bots.ports.store import DocStore

DOC_KIND = "sandbox"
DOC_KEY = "clock"


@dataclass(frozen=True, slots=True)
class WorldClock:
    """``world_start + speed * (wall seconds since wall_start)``, or ``stopped_at`` once stopped."""

    world_start: datetime
    wall_start: float  # time.time() when the world was at world_start
    speed: float
    stopped_at: datetime | None = None
    wall: Callable[[], float] = time.time

    def now(self) -> datetime:
        if self.stopped_at is not None:
            return self.stopped_at
        return self.world_start + timedelta(seconds=(self.wall() - self.wall_start) * self.speed)

    def to_json(self) -> str:
        return json.dumps(
            {
                "world_start": self.world_start.isoformat(),
                "wall_start": self.wall_start,
                "speed": self.speed,
                "stopped_at": None if self.stopped_at is None else self.stopped_at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> WorldClock:
        raw = json.loads(text)
        stopped = raw.get("stopped_at")
        return cls(
            world_start=datetime.fromisoformat(raw["world_start"]),
            wall_start=float(raw["wall_start"]),
            speed=float(raw["speed"]),
            stopped_at=None if stopped is None else datetime.fromisoformat(stopped),
        )


def record_clock(store: DocStore, clock: WorldClock) -> None:
    store.put_doc(DOC_KIND, DOC_KEY, clock.to_json())


def stored_clock(store: DocStore) -> WorldClock | None:
    """The sandbox clock recorded in this store, if a sandbox run wrote one."""
    text = store.get_doc(DOC_KIND, DOC_KEY)
    return None if text is None else WorldClock.from_json(text)
