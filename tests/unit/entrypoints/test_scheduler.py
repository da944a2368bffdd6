"""The local scheduler: AWS-like DST behaviour, catch-up without stale trades, clean stops."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.app.schedule import SCHEDULE, JobName, ScheduleRule
from kalshi_bots.entrypoints.scheduler import Scheduler, enabled_jobs, install_stop_signals, rule_fires

NY = ZoneInfo("America/New_York")
ALL_JOBS = frozenset(JobName)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Recorder:
    """A fire function that records (job, scheduled_for) and can hold chosen jobs until released."""

    def __init__(self, hold: frozenset[JobName] = frozenset()) -> None:
        self.calls: list[tuple[JobName, datetime]] = []
        self.finished: list[tuple[JobName, datetime]] = []
        self.hold = hold
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, job: JobName, at: datetime) -> str:
        with self._lock:
            self.calls.append((job, at))
        if job in self.hold:
            self.release.wait(10)
        with self._lock:
            self.finished.append((job, at))
        return "done"

    def of(self, job: JobName) -> list[datetime]:
        with self._lock:
            return [at for j, at in self.calls if j is job]


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


def weather_minutes(scheduler: Scheduler, start: datetime, hours: int) -> list[datetime]:
    minute, out = start, []
    while minute < start + timedelta(hours=hours):
        if JobName.WEATHER in scheduler.due(minute):
            out.append(minute)
        minute += timedelta(minutes=1)
    return out


@pytest.mark.parametrize(
    ("day_before", "day_of"),
    [((2026, 3, 7), (2026, 3, 8)), ((2026, 10, 31), (2026, 11, 1))],
)
def test_weather_fires_at_6pm_and_8pm_new_york_on_both_sides_of_each_transition(day_before, day_of):
    scheduler = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)), enabled=ALL_JOBS)
    for day in (day_before, day_of):
        fired = weather_minutes(scheduler, utc(*day, 12), 16)  # 12:00Z .. 04:00Z next day
        local = [m.astimezone(NY) for m in fired]
        assert [(t.hour, t.minute) for t in local] == [(18, 0), (20, 0)], (day, fired)
        assert all(t.date() == datetime(*day).date() for t in local)
    # The UTC times move with DST: 22:00Z/00:00Z in summer time, 23:00Z/01:00Z in standard time.
    summer = (2026, 3, 8) if day_of == (2026, 3, 8) else (2026, 10, 31)
    winter = (2026, 3, 7) if day_of == (2026, 3, 8) else (2026, 11, 1)
    assert [m.hour for m in weather_minutes(scheduler, utc(*summer, 12), 16)] == [22, 0]
    assert [m.hour for m in weather_minutes(scheduler, utc(*winter, 12), 16)] == [23, 1]


def test_repeated_local_time_fires_once_and_missing_local_time_never():
    rule = ScheduleRule("r", JobName.WEATHER, "f", (30,), (1, 2), timezone="America/New_York")
    fall_back = [m for m in _minutes(utc(2026, 11, 1, 4), 4) if rule_fires(rule, m)]
    # 01:30 EDT (05:30Z) fires; the repeated 01:30 EST (06:30Z) does not; 02:30 EST (07:30Z) does.
    assert fall_back == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7, 30)]
    spring = [m for m in _minutes(utc(2026, 3, 8, 5), 3) if rule_fires(rule, m)]
    # 01:30 EST (06:30Z) fires; 02:30 does not exist that night, so it is skipped like EventBridge does.
    assert spring == [utc(2026, 3, 8, 6, 30)]


def _minutes(start: datetime, hours: int) -> list[datetime]:
    return [start + timedelta(minutes=i) for i in range(hours * 60)]


def test_hourly_trading_fires_at_minute_45_every_utc_hour_through_fall_back():
    scheduler = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)), enabled=ALL_JOBS)
    fired = [m for m in _minutes(utc(2026, 11, 1, 0), 24) if JobName.TRADE_BTC in scheduler.due(m)]
    assert len(fired) == 24 and all(m.minute == 45 for m in fired)


def test_eth_trading_is_off_unless_enabled():
    assert JobName.TRADE_ETH not in enabled_jobs()
    assert JobName.TRADE_ETH in enabled_jobs([JobName.TRADE_ETH])
    off = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)))
    assert JobName.TRADE_ETH not in off.due(utc(2026, 1, 1, 10, 45))
    assert JobName.TRADE_BTC in off.due(utc(2026, 1, 1, 10, 45))


def test_no_burst_after_downtime_only_latest_collector_minute_and_no_stale_trades():
    scheduler = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)), enabled=ALL_JOBS)
    plan = scheduler.plan(utc(2026, 5, 4, 10, 0), utc(2026, 5, 4, 14, 50, 10))
    assert sorted((job.value, at) for job, at in plan) == sorted(
        [
            (JobName.COLLECT_BTC.value, utc(2026, 5, 4, 14, 50)),
            (JobName.COLLECT_ETH.value, utc(2026, 5, 4, 14, 50)),
            (JobName.CLEANUP.value, utc(2026, 5, 4, 14, 0)),
            (JobName.RECONCILE.value, utc(2026, 5, 4, 14, 10)),
            (JobName.RECORD_MARKET.value, utc(2026, 5, 4, 14, 50)),  # on time: within its 60 s grace
        ]
    )


def test_a_run_only_slightly_late_still_fires_but_a_day_long_sleep_skips_weather():
    scheduler = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)), enabled=ALL_JOBS)
    late = scheduler.plan(utc(2026, 5, 4, 14, 44), utc(2026, 5, 4, 14, 45, 40))
    assert (JobName.TRADE_BTC, utc(2026, 5, 4, 14, 45)) in late
    weeks_later = scheduler.plan(utc(2026, 5, 1, 0, 0), utc(2026, 5, 20, 9, 0, 5))
    jobs = [job for job, _ in weeks_later]
    assert JobName.WEATHER not in jobs and JobName.TRADE_BTC not in jobs
    assert jobs.count(JobName.COLLECT_BTC) == 1


def test_run_forever_after_a_sleep_fires_each_catch_up_job_once():
    clock = ManualClock(utc(2026, 5, 4, 10, 0, 30))
    recorder = Recorder()
    scheduler = Scheduler(recorder, clock, enabled=ALL_JOBS)
    thread = threading.Thread(target=scheduler.run_forever, kwargs={"max_wait_s": 0.01})
    thread.start()
    try:
        wait_until(lambda: len(recorder.of(JobName.COLLECT_ETH)) == 1)
        clock.set(utc(2026, 5, 4, 14, 50, 10))  # the laptop slept for almost five hours
        wait_until(lambda: len(recorder.of(JobName.COLLECT_ETH)) == 2)
        time.sleep(0.05)
    finally:
        scheduler.stop()
        thread.join(5)
    assert recorder.of(JobName.COLLECT_BTC) == [utc(2026, 5, 4, 10, 0), utc(2026, 5, 4, 14, 50)]
    assert recorder.of(JobName.TRADE_BTC) == []
    assert recorder.of(JobName.CLEANUP) == [utc(2026, 5, 4, 10, 0), utc(2026, 5, 4, 14, 0)]


def test_a_slow_job_does_not_block_the_minute_collectors_and_is_not_started_twice():
    clock = ManualClock(utc(2026, 5, 4, 10, 45, 1))
    recorder = Recorder(hold=frozenset({JobName.TRADE_BTC}))
    scheduler = Scheduler(recorder, clock, enabled=ALL_JOBS)
    thread = threading.Thread(target=scheduler.run_forever, kwargs={"max_wait_s": 0.01})
    thread.start()
    try:
        wait_until(lambda: len(recorder.of(JobName.TRADE_BTC)) == 1)
        for minute in (46, 47, 48):
            clock.set(utc(2026, 5, 4, 10, minute, 1))
            wait_until(lambda m=minute: utc(2026, 5, 4, 10, m) in recorder.of(JobName.COLLECT_BTC))
        assert (JobName.TRADE_BTC, utc(2026, 5, 4, 10, 45)) not in recorder.finished
        assert scheduler.submit(JobName.TRADE_BTC, utc(2026, 5, 4, 11, 45)) is None  # still running
    finally:
        recorder.release.set()
        scheduler.stop()
        thread.join(5)
    assert recorder.of(JobName.TRADE_BTC) == [utc(2026, 5, 4, 10, 45)]


def test_stop_lets_running_jobs_finish_before_returning():
    clock = ManualClock(utc(2026, 5, 4, 10, 45, 1))
    recorder = Recorder(hold=frozenset({JobName.TRADE_BTC}))
    scheduler = Scheduler(recorder, clock, enabled=ALL_JOBS)
    thread = threading.Thread(target=scheduler.run_forever, kwargs={"max_wait_s": 0.01})
    thread.start()
    wait_until(lambda: len(recorder.of(JobName.TRADE_BTC)) == 1)
    scheduler.stop()
    thread.join(0.2)
    assert thread.is_alive(), "returned while a job was still running"
    recorder.release.set()
    thread.join(5)
    assert not thread.is_alive()
    assert (JobName.TRADE_BTC, utc(2026, 5, 4, 10, 45)) in recorder.finished
    clock.set(utc(2026, 5, 4, 10, 50, 1))
    time.sleep(0.05)
    assert utc(2026, 5, 4, 10, 50) not in recorder.of(JobName.COLLECT_BTC)  # nothing fires after stop


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_set_the_stop_event(signum):
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    stop = threading.Event()
    try:
        install_stop_signals(stop)
        signal.raise_signal(signum)
        assert stop.is_set()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_run_until_simulates_a_day_of_firings_without_sleeping():
    clock = ManualClock(utc(2026, 3, 8, 4))
    recorder = Recorder()
    scheduler = Scheduler(recorder, clock, enabled=enabled_jobs())
    seen: list[datetime] = []
    started = time.monotonic()
    firings = scheduler.run_until(
        utc(2026, 3, 8, 4), utc(2026, 3, 9, 4), set_time=clock.set, on_minute=seen.append
    )
    scheduler.shutdown()
    assert time.monotonic() - started < 20
    assert len(seen) == 1440 and clock.now() == utc(2026, 3, 9, 3, 59, 1)
    assert len(recorder.of(JobName.COLLECT_BTC)) == len(recorder.of(JobName.COLLECT_ETH)) == 1440
    assert len(recorder.of(JobName.TRADE_BTC)) == 24 and recorder.of(JobName.TRADE_ETH) == []
    assert len(recorder.of(JobName.CLEANUP)) == 24 and len(recorder.of(JobName.RECONCILE)) == 24
    assert [t.astimezone(NY).hour for t in recorder.of(JobName.WEATHER)] == [18, 20]
    assert all(f.result == "done" for f in firings)


def test_schedule_rules_used_are_the_shared_table():
    scheduler = Scheduler(Recorder(), ManualClock(utc(2026, 1, 1)), enabled=ALL_JOBS)
    assert scheduler.rules == SCHEDULE
