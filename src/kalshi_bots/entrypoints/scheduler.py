"""The local scheduler: fires the jobs of :data:`kalshi_bots.app.schedule.SCHEDULE` at their times.

Semantics follow EventBridge Scheduler so local runs and AWS behave alike:

- Each rule is evaluated in its own time zone, minute by minute, walking UTC minutes and converting
  each to local time. A local time that does not exist (spring forward) never fires; a repeated one
  (fall back, ``fold=1``) fires once. Weather's 18:00/20:00 ET therefore fire at 22:00/00:00 UTC in
  summer and 23:00/01:00 UTC in winter.
- Jobs run on a thread pool, at most one run of each job at a time, so a slow trading or weather run
  never delays the minute collectors.
- After sleep or downtime, missed trading and weather runs are *not* replayed (a stale decision is
  worse than none) unless they are only a little late (``MISFIRE_GRACE``); collectors, cleanup and
  reconcile run once for the most recent missed minute (the collector backfills the gap itself).
- :meth:`Scheduler.stop` (wired to Ctrl-C and SIGTERM) stops firing, lets running jobs finish, exits.

:meth:`Scheduler.run_until` steps simulated minutes without sleeping, for tests and demos.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kalshi_bots.app.schedule import SCHEDULE, JobName, ScheduleRule
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.ports.clock import Clock

if TYPE_CHECKING:
    from kalshi_bots.config import Settings

log = logging.getLogger(__name__)

MINUTE = timedelta(minutes=1)
# Runs whose value depends on being on time: replayed only if at most this late.
MISFIRE_GRACE: dict[JobName, timedelta] = {
    JobName.TRADE_BTC: timedelta(seconds=60),
    JobName.TRADE_ETH: timedelta(seconds=60),
    JobName.WEATHER: timedelta(minutes=5),
    JobName.RECORD_MARKET: timedelta(seconds=60),  # a snapshot is of the minute it was meant for
}
# Every rule fires at least once a day: looking further back than this finds nothing newer.
MAX_LOOKBACK = timedelta(hours=25)

Fire = Callable[[JobName, datetime], object]


def rule_fires(rule: ScheduleRule, minute_utc: datetime) -> bool:
    """Whether ``rule`` fires at this UTC minute, with EventBridge's DST behaviour."""
    local = minute_utc.astimezone(ZoneInfo(rule.timezone))
    if local.fold == 1:  # the repeated hour after falling back: already fired the first time
        return False
    return rule.fires_at(local.hour, local.minute)


def enabled_jobs(extra: Iterable[JobName] = ()) -> frozenset[JobName]:
    """Jobs on by default plus ``extra`` (e.g. ETH trading when ``KALSHI_BOTS_TRADE_ETH=yes``)."""
    return frozenset({r.job for r in SCHEDULE if r.enabled_by_default} | set(extra))


def scheduled_jobs(settings: Settings) -> frozenset[JobName]:
    """The default jobs, ETH trading if enabled, and no weather run without an NWS contact."""
    jobs = enabled_jobs([JobName.TRADE_ETH] if settings.trade_eth else [])
    return jobs if settings.nws.contact else jobs - {JobName.WEATHER}


@dataclass(frozen=True, slots=True)
class Firing:
    job: JobName
    scheduled_for: datetime
    result: object = None


class Scheduler:
    def __init__(
        self,
        fire: Fire,
        clock: Clock,
        *,
        rules: Sequence[ScheduleRule] = SCHEDULE,
        enabled: frozenset[JobName] | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self._fire = fire
        self._clock = clock
        active = enabled if enabled is not None else enabled_jobs()
        self.rules = tuple(r for r in rules if r.job in active)
        self.stop_event = stop_event or threading.Event()
        # One worker per rule plus at most one run per job: nothing ever waits in the queue.
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self.rules)), thread_name_prefix="job")
        self._running: dict[JobName, Future[object]] = {}
        self._lock = threading.Lock()

    # --- what to fire ------------------------------------------------------------------------------

    def due(self, minute: datetime) -> list[JobName]:
        """Jobs whose rule fires at this minute (UTC, on time)."""
        minute = floor_minute(minute)
        return [r.job for r in self.rules if rule_fires(r, minute)]

    def plan(self, last_done: datetime | None, now: datetime) -> list[tuple[JobName, datetime]]:
        """Runs to start at ``now`` when every minute up to ``last_done`` was handled already.

        Normally that is the current minute's jobs. After a gap, each job fires at most once, for
        its most recent missed time, and on-time-only jobs only within their grace."""
        current = floor_minute(now)
        if last_done is None:
            oldest = current
        else:
            oldest = max(floor_minute(last_done) + MINUTE, current - MAX_LOOKBACK)
        if oldest > current:
            return []
        plan = []
        for rule in self.rules:
            latest = _latest_firing(rule, oldest, current)
            if latest is None:
                continue
            grace = MISFIRE_GRACE.get(rule.job)
            if grace is not None and now - latest > grace:
                log.warning(
                    "missed run not replayed",
                    extra={"job": rule.job.value, "scheduled_for": latest.isoformat(), "decision": "skip",
                           "reason": f"late by {int((now - latest).total_seconds())} s (> {grace})"},
                )  # fmt: skip
                continue
            plan.append((rule.job, latest))
        return plan

    # --- running -----------------------------------------------------------------------------------

    def submit(self, job: JobName, scheduled_for: datetime) -> Future[object] | None:
        """Start a run unless the previous run of the same job is still going."""
        with self._lock:
            previous = self._running.get(job)
            if previous is not None and not previous.done():
                log.warning(
                    "previous run still going; this run skipped",
                    extra={"job": job.value, "scheduled_for": scheduled_for.isoformat(), "decision": "skip"},
                )
                return None
            future = self._pool.submit(self._run_one, job, scheduled_for)
            self._running[job] = future
            return future

    def _run_one(self, job: JobName, scheduled_for: datetime) -> object:
        try:
            return self._fire(job, scheduled_for)
        except Exception:  # the runner records failures; this guards the loop against anything else
            log.exception("job crashed", extra={"job": job.value, "scheduled_for": scheduled_for.isoformat()})
            return None

    def run_forever(self, *, max_wait_s: float = 1.0) -> None:
        """Fire jobs at wall-clock minutes until :meth:`stop`; then wait for running jobs."""
        last_done: datetime | None = None
        log.info("scheduler started", extra={"jobs": [r.job.value for r in self.rules]})
        try:
            while not self.stop_event.is_set():
                now = self._clock.now()
                if last_done is None or floor_minute(now) > last_done:
                    for job, at in self.plan(last_done, now):
                        self.submit(job, at)
                    last_done = floor_minute(now)
                # Sleep until the next minute, waking early on stop. Short waits keep a laptop that
                # was suspended from oversleeping by more than ``max_wait_s`` once it resumes.
                remaining = (last_done + MINUTE - self._clock.now()).total_seconds()
                self.stop_event.wait(min(max(remaining, 0.0) + 0.005, max_wait_s))
        finally:
            self.shutdown()

    def run_until(
        self,
        start: datetime,
        end: datetime,
        *,
        set_time: Callable[[datetime], None],
        on_minute: Callable[[datetime], None] | None = None,
        offset: timedelta = timedelta(seconds=1),
    ) -> list[Firing]:
        """Simulate minutes ``start <= m < end`` without sleeping.

        For each minute: ``set_time(m + offset)`` moves the injected clock, ``on_minute(m)`` lets the
        caller move its world (the sandbox fakes), then the minute's jobs run on the pool and are
        awaited before the next minute, so the simulation is deterministic."""
        firings: list[Firing] = []
        minute = floor_minute(start)
        while minute < end and not self.stop_event.is_set():
            set_time(minute + offset)
            if on_minute is not None:
                on_minute(minute)
            started = [(job, self.submit(job, minute)) for job in self.due(minute)]
            for job, future in started:
                firings.append(Firing(job, minute, future.result() if future is not None else None))
            minute += MINUTE
        return firings

    def stop(self) -> None:
        self.stop_event.set()

    def shutdown(self) -> None:
        """Stop firing and wait for the running jobs to finish."""
        self.stop_event.set()
        with self._lock:
            running = [job.value for job, f in self._running.items() if not f.done()]
        if running:
            log.info("waiting for running jobs to finish", extra={"jobs": running})
        self._pool.shutdown(wait=True)
        log.info("scheduler stopped")


def _latest_firing(rule: ScheduleRule, oldest: datetime, current: datetime) -> datetime | None:
    minute = current
    while minute >= oldest:
        if rule_fires(rule, minute):
            return minute
        minute -= MINUTE
    return None


def install_stop_signals(stop_event: threading.Event) -> None:
    """Ctrl-C and SIGTERM set ``stop_event`` (finish running jobs, then exit); a second Ctrl-C
    interrupts at once. Must be called from the main thread."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop_event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("stop requested", extra={"signal": signal.Signals(signum).name})
        stop_event.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
