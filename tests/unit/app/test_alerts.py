"""RunWatcher: streaks kept in the store, each alert once, the daily summary and the loss halt once a day,
and a watcher that fails never changes a run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.alert_params import AlertParams
from kalshi_bots.app.alert_state import Streak, read_streaks
from kalshi_bots.app.alerts import RunWatcher
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.reasons import parse_reason
from kalshi_bots.ports.notifier import Alert

from .fakes import CountingStore, make_world

T0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 09:00 in New York


@dataclass
class ListNotifier:
    sent: list[Alert] = field(default_factory=list)

    def send(self, alert: Alert) -> None:
        self.sent.append(alert)

    def events(self) -> list[str]:
        return [a.event for a in self.sent]


def result(job: str, outcome: Outcome, minutes: int = 0, reason: str = "") -> JobResult:
    """A result as the runner reports it (the job and the reason typed, from their text)."""
    return JobResult(
        JobName(job), T0 + timedelta(minutes=minutes), outcome, parse_reason(reason), detail="detail"
    )


def watcher(store: object, notifier: ListNotifier | None, **params: object) -> RunWatcher:
    defaults: dict[str, object] = {"summary_at": None, "error_streak": 3, "no_trade_streak": 2}
    return RunWatcher(store, notifier, AlertParams(**(defaults | params)))  # type: ignore[arg-type]


def test_a_collector_error_streak_alerts_once_at_the_threshold_and_again_on_recovery():
    store, notifier = MemoryStore(), ListNotifier()
    watch = watcher(store, notifier)
    for minute in range(4):
        watch(result("collect-prices-btc", Outcome.ERROR, minute, "transient_error"))
    assert notifier.events() == ["job.error_streak"]  # a collector's single failure is not news
    assert "failed 3 runs in a row" in notifier.sent[0].text
    assert read_streaks(store)["collect-prices-btc"] == Streak("error", 4, "transient_error", T0.isoformat())
    watch(result("collect-prices-btc", Outcome.OK, 5))
    assert notifier.events() == ["job.error_streak", "job.recovered"]
    assert read_streaks(store)["collect-prices-btc"].count == 0


def test_a_trading_job_error_alerts_at_once_and_its_repeats_make_a_streak_not_a_storm():
    notifier = ListNotifier()
    watch = watcher(MemoryStore(), notifier)
    for minute in range(5):
        watch(result("trade-hourly-btc", Outcome.ERROR, minute * 60, "kalshi_AuthError"))
    assert notifier.events() == ["job.error", "job.error_streak"]
    assert notifier.sent[0].text.startswith("ERROR trade-hourly-btc: Kalshi refused our credentials")


def test_a_no_trade_streak_alerts_once_and_a_skip_changes_nothing():
    notifier = ListNotifier()
    watch = watcher(MemoryStore(), notifier)
    watch(result("trade-hourly-btc", Outcome.NO_TRADE, 0, "edge_too_small"))
    watch(result("trade-hourly-btc", Outcome.SKIPPED, 1, "already_claimed"))
    watch(result("trade-hourly-btc", Outcome.NO_TRADE, 60, "edge_too_small"))
    watch(result("trade-hourly-btc", Outcome.NO_TRADE, 120, "edge_too_small"))
    assert notifier.events() == ["job.no_trade_streak"]
    assert (
        notifier.sent[0].text
        == "trade-hourly-btc has not traded for 2 runs (last: edge too small after fees)"
    )


def test_the_loss_halt_and_the_daily_summary_go_out_once_a_day():
    notifier = ListNotifier()
    watch = watcher(MemoryStore(), notifier, summary_at=time(9, 0), no_trade_streak=0)  # T0 is 09:00 in NY
    watch(result("trade-hourly-btc", Outcome.NO_TRADE, 0, "loss_limit"))
    watch(result("trade-hourly-btc", Outcome.NO_TRADE, 5, "loss_limit"))
    watch(result("collect-prices-btc", Outcome.OK, 20))  # summary sent already today: nothing
    assert notifier.events() == ["loss_halt", "daily.summary"]
    summary = notifier.sent[1]
    assert summary.text.startswith("Daily summary 2026-11-24 (New York): 0 settled")
    assert summary.fields["open_positions"] == 0 and summary.fields["kill_switch"] is False


def test_without_webhooks_streaks_are_still_kept_and_a_healthy_job_costs_one_read_per_process():
    store = CountingStore(MemoryStore())
    watch = watcher(store, None)
    watch(result("collect-prices-btc", Outcome.ERROR, 0, "transient_error"))
    assert read_streaks(store.inner)["collect-prices-btc"].count == 1
    for minute in range(1, 6):
        watch(result("collect-prices-btc", Outcome.OK, minute))
    assert store.counts["get_doc"] == 2  # the error's read and the first success's; then remembered
    assert read_streaks(store.inner)["collect-prices-btc"].count == 0


def test_a_failing_after_run_hook_never_changes_the_run(caplog: pytest.LogCaptureFixture):
    w = make_world(T0 + timedelta(seconds=2))

    def explode(_: JobResult) -> None:
        raise RuntimeError("notifier on fire")

    plain = run_job(w.deps(), JobName.CLEANUP, T0)
    hooked = run_job(w.deps(after_run=explode), JobName.CLEANUP, T0 + timedelta(hours=1))
    assert hooked.outcome is plain.outcome is Outcome.OK
    assert any(
        getattr(r, "event", "") == "alerts.failed" for r in caplog.records if r.levelno == logging.WARNING
    )


def test_on_dynamodb_collectors_are_left_to_cloudwatch_and_never_touch_the_store():
    store, notifier = CountingStore(MemoryStore()), ListNotifier()
    watch = RunWatcher(store, notifier, AlertParams(summary_at=None), watch_housekeeping=False)  # type: ignore[arg-type]
    for minute in range(5):
        watch(result("collect-prices-btc", Outcome.ERROR, minute, "transient_error"))
    assert store.counts == {} and notifier.sent == []
