"""Alerts from job results: trades placed, filled and settled, errors and streaks, halts, a daily summary.

:class:`RunWatcher` is called by the runner after every run (``Deps.after_run``), so the local scheduler,
the CLI ``job`` command and the Lambda handlers all feed it the same way. It never raises into the run
and never changes its result (the runner guards the call as well).

What it remembers between runs (streaks, what was announced) is in :mod:`.alert_state`; what each
alert says, in :mod:`.alert_messages`.

Trades are found by reading the last three UTC days of the trade log after trading and reconcile
runs only (never after a collector run); only trades young enough to have news are looked up (12 hours
for hourly trades, three days for weather ones).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from kalshi_bots.app.alert_messages import kill_switch_alert, settlement_alert, summary_alert, trade_alert
from kalshi_bots.app.alert_params import AlertParams, is_watched
from kalshi_bots.app.alert_state import (
    Announced,
    Streak,
    announced_shelf,
    next_streak,
    sent_once_shelf,
    since_shelf,
    streak_shelf,
)
from kalshi_bots.app.event_text import Kind, human_line, reason_words
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.risk import HALT_FLAG
from kalshi_bots.app.schedule import JobName
from kalshi_bots.app.scorecard import DEFAULT_DAYS
from kalshi_bots.app.shelves import Shelf
from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import TradeRecord, TradeStatus
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.ports.notifier import Alert, Notifier
from kalshi_bots.ports.store import DocStore, FlagStore, TradeLog

if TYPE_CHECKING:
    from kalshi_bots.ports.snapshots import SnapshotStore

logger = logging.getLogger(__name__)

TRADING_JOBS = frozenset({JobName.TRADE_BTC, JobName.TRADE_ETH, JobName.WEATHER})
# Jobs whose single failure is news; for the others (collectors, cleanup) only a streak is.
LOUD_JOBS = TRADING_JOBS | {JobName.RECONCILE}
TRADE_LOOKBACK_DAYS = 3


def news_window(trade: TradeRecord) -> timedelta:
    """How long after it was placed a trade can still have news (a fill, a settlement). An hourly trade
    settles within the hour (the window is generous for a late reconcile); a weather trade the next day.
    Bounding it keeps a run's reads to the few trades that matter, not three days of them."""
    return timedelta(hours=12) if trade.bot.is_hourly else timedelta(days=TRADE_LOOKBACK_DAYS)


class WatchStore(DocStore, TradeLog, FlagStore, Protocol):
    """What the watcher reads and keeps: its documents, the trade log and the kill switch."""


@dataclass
class RunWatcher:
    """``Deps.after_run``: turns each job result into alerts and keeps the streak state."""

    store: WatchStore
    notifier: Notifier | None
    params: AlertParams = field(default_factory=AlertParams)
    now: Callable[[], datetime] | None = None
    # False on DynamoDB: there the collectors and cleanup never touch the budget table (their roles
    # cannot read it, and 2,880 collector runs a day would pay for it); the template's collector-stale
    # and error alarms watch them.
    watch_housekeeping: bool = True
    # The live scorecard in the daily summary: the recorder's store (None = trades only) and its period.
    snapshots: SnapshotStore | None = None
    scorecard_days: int = DEFAULT_DAYS
    _no_streak: set[JobName] = field(default_factory=set)
    # What the watcher remembers between runs (module :mod:`.alert_state`).
    _streaks: Shelf[Streak] = field(init=False, repr=False)
    _announced: Shelf[Announced] = field(init=False, repr=False)
    _sent_once: Shelf[datetime] = field(init=False, repr=False)
    _since_shelf: Shelf[datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._streaks = streak_shelf(self.store)
        self._announced = announced_shelf(self.store)
        self._sent_once = sent_once_shelf(self.store)
        self._since_shelf = since_shelf(self.store)

    def __call__(self, result: JobResult) -> None:
        if result.outcome is Outcome.SKIPPED:
            return
        if not is_watched(result.job, watch_housekeeping=self.watch_housekeeping):
            return
        streak, alerts = self._update_streak(result)
        if self.notifier is None:
            return
        if streak.failing and streak.count == 1 and result.job in LOUD_JOBS:
            alerts.insert(0, self._error_alert(result))  # the first failure; repeats make a streak
        if result.reason is NoTradeReason.LOSS_LIMIT:
            alerts.extend(self._once(f"loss-halt-{self._day(result)}", self._loss_alert, result))
        if result.job in LOUD_JOBS:
            alerts.extend(self._trade_alerts(result))
        alerts.extend(self._summary(result))
        for alert in alerts:
            self.notifier.send(alert)

    # --- streaks -------------------------------------------------------------------------------------

    def _update_streak(self, result: JobResult) -> tuple[Streak, list[Alert]]:
        job = result.job
        quiet = result.outcome is Outcome.OK or (
            result.outcome is Outcome.NO_TRADE and job not in TRADING_JOBS
        )
        if quiet and job in self._no_streak:
            return Streak(), []
        current = self._streaks.get(job) or Streak()
        new = next_streak(current, result, counts_no_trade=job in TRADING_JOBS)
        if new != current:
            self._streaks.put(job, new)
        if new.count == 0:
            self._no_streak.add(job)
        else:
            self._no_streak.discard(job)
        alerts = []
        limit_error, limit_idle = self.params.error_streak, self.params.no_trade_streak
        if new.failing and limit_error and new.count == limit_error:
            alerts.append(self._streak_alert(result, new, f"{job} failed {new.count} runs in a row"))
        if new.kind is Outcome.NO_TRADE and limit_idle and new.count == limit_idle:
            alerts.append(self._streak_alert(result, new, f"{job} has not traded for {new.count} runs"))
        if current.failing and not new.failing and limit_error and current.count >= limit_error:
            alerts.append(
                Alert(
                    "job.recovered", f"{job} recovered after {current.count} failed runs", {"job": job.value}
                )
            )
        return new, alerts

    def _streak_alert(self, result: JobResult, streak: Streak, headline: str) -> Alert:
        event = "job.error_streak" if streak.failing else "job.no_trade_streak"
        text = f"{headline} (last: {reason_words(streak.reason)})"
        reason = "" if streak.reason is None else streak.reason.value
        fields = {"job": result.job.value, "count": streak.count, "reason": reason, "since": streak.since}
        return Alert(event, text, fields)

    def _error_alert(self, result: JobResult) -> Alert:
        fields = {
            "job": result.job.value,
            "outcome": result.outcome.value,
            "reason": result.reason_text,
            "detail": result.detail,
            "transient": result.transient,
        }
        line = human_line("run.finished", fields)
        text = line.text if line is not None and line.kind is Kind.ERROR else f"ERROR {result.job}"
        return Alert("job.error", text, json_safe(fields | {"scheduled_for": result.scheduled_for}))

    # --- once-a-day alerts ------------------------------------------------------------------------------

    def _day(self, result: JobResult) -> str:
        return result.scheduled_for.astimezone(NEW_YORK).date().isoformat()

    def _once(self, key: str, build: Callable[[JobResult], Alert], result: JobResult) -> list[Alert]:
        if self._sent_once.get(key) is not None or not self._sent_once.add(key, result.scheduled_for):
            return []
        return [build(result)]

    def _loss_alert(self, result: JobResult) -> Alert:
        return Alert(
            "loss_halt",
            f"HALT: daily loss limit reached on {self._day(result)}; no new orders until tomorrow (New York)",
            {"job": result.job.value, "day": self._day(result)},
        )

    def _summary(self, result: JobResult) -> list[Alert]:
        at = self.params.summary_at
        if at is None:
            return []
        local = result.scheduled_for.astimezone(NEW_YORK)
        start = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if not start <= local < start + self.params.summary_window:
            return []
        day = local.date().isoformat()

        def build(_: JobResult) -> Alert:
            # Imported here: the scorecard is read once a day, not on every watched cold start.
            from kalshi_bots.app.scorecard_view import scorecard_view

            now = self.now() if self.now is not None else result.scheduled_for
            card = scorecard_view(self.store, self.snapshots, now=now, days=self.scorecard_days)
            return summary_alert(self.store.all_trades(), day, self.store.get_flag(HALT_FLAG), card)

        return self._once(f"summary-{day}", build, result)

    # --- trade milestones ---------------------------------------------------------------------------

    def _since(self, result: JobResult) -> datetime:
        since = self._since_shelf.get("since")
        if since is None:
            stamp = self.now() if self.now is not None else result.scheduled_for
            self._since_shelf.add("since", stamp)
            since = self._since_shelf.get("since") or stamp  # a concurrent first run may have won
        return since

    def _trade_alerts(self, result: JobResult) -> list[Alert]:
        since = self._since(result)
        # A trade is stamped a few seconds after its scheduled minute: look back from the minute.
        since = min(since, result.scheduled_for)
        day = result.scheduled_for.date()
        trades: list[TradeRecord] = []
        for back in range(TRADE_LOOKBACK_DAYS):
            trades.extend(self.store.trades_on(day - timedelta(days=back)))
        alerts: list[Alert] = []
        for trade in sorted(trades, key=lambda t: t.created_at):
            news_possible = result.scheduled_for - trade.created_at <= news_window(trade)
            if trade.created_at >= since and trade.status is not TradeStatus.PENDING and news_possible:
                alerts.extend(self._milestones(trade, from_reconcile=result.job is JobName.RECONCILE))
        return alerts

    def _milestones(self, trade: TradeRecord, *, from_reconcile: bool) -> list[Alert]:
        before = self._announced.get(trade.client_order_id)
        failed = trade.status in (TradeStatus.FAILED, TradeStatus.REJECTED)
        if before is not None and (before.settled or failed):
            return []
        alerts = []
        if before is None:
            if trade.status is TradeStatus.REJECTED:
                # the run's job.error alert says it; nothing more to announce
                after = Announced(filled=Decimal(0))
            else:
                event = "trade.filled" if from_reconcile else "trade.placed"
                alerts.append(trade_alert(trade, event))
                after = Announced(filled=trade.fill_count)
        elif trade.fill_count > (Decimal(-1) if before.filled is None else before.filled):
            alerts.append(trade_alert(trade, "trade.filled"))
            after = replace(before, filled=trade.fill_count)
        else:
            after = before
        if trade.settlement_result is not None and trade.fill_count > 0:
            alerts.append(settlement_alert(trade))
            after = replace(after, settled=True)
        if before is None:
            if not self._announced.add(trade.client_order_id, after):
                return []  # another run announced it first
        elif alerts:
            self._announced.put(trade.client_order_id, after)
        return alerts


def notify_kill_switch(notifier: Notifier | None, *, on: bool, reason: str, source: str) -> None:
    """Log (terminal line) and alert a kill switch change made by a person (CLI or dashboard)."""
    alert = kill_switch_alert(on, reason, source)
    log_event(logger, "kill_switch.changed", alert.text, on=on, reason=reason, source=source)
    if notifier is not None:
        notifier.send(alert)
