"""The live scorecard, read from the store: ``scorecard(trades, snapshots, now=...) -> Scorecard``.

The one entry point for everything that shows or uses it (``kalshi-bots scorecard``, the edge gate, the
dashboard and the daily alert). The figures and their definitions are :mod:`kalshi_bots.domain.scorecard`;
this module only reads: the decision snapshots of the period (reduced to the contracts they looked at,
so a read over two months of hourly decisions stays small), the results of their events, and the
trades logged on each UTC day of the period (one ``begins_with(sk, day)`` query per day).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kalshi_bots.domain.models import TRADING_BOTS, Bot, TradeRecord
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import TradeLog

if TYPE_CHECKING:
    from kalshi_bots.domain.scorecard import Scorecard

DEFAULT_DAYS = 30  # the recorder's default retention: everything the store still holds
_AFTER_LAST_CLOSE = timedelta(microseconds=1)


def scorecard(
    trades: TradeLog,
    snapshots: SnapshotStore | None,
    *,
    now: datetime,
    days: int = DEFAULT_DAYS,
    bots: Sequence[Bot] = TRADING_BOTS,
) -> Scorecard:
    """Each bot's scorecard over the last ``days`` days up to ``now``. ``snapshots`` None (a store that
    records nothing): no decisions, the trades only. A :class:`StoreError` propagates: callers that gate
    money treat it as "no evidence". Typical call: ``scorecard(deps.store, deps.snapshots, now=...)``."""
    # Imported here: the alert watcher reads DEFAULT_DAYS on every watched run's cold start, but only
    # the daily summary and a live order compute a scorecard (issue 13's import budget).
    from kalshi_bots.domain.scorecard import Scorecard, bot_scorecards

    if days < 1:
        raise ValueError(f"scorecard: days must be at least 1, got {days}")
    since = now - timedelta(days=days)
    decisions = [] if snapshots is None else snapshots.decisions_between(since, now)  # reduced ladders
    results = {}
    if decisions and snapshots is not None:
        closes = [s.close_time for s in decisions]
        found = snapshots.event_results(min(closes), max(closes) + _AFTER_LAST_CLOSE)
        results = {r.event_ticker: r for r in found}
    logged: list[TradeRecord] = []
    day = since.date()
    while day <= now.date():
        logged += [t for t in trades.trades_on(day) if since <= t.created_at < now]
        day += timedelta(days=1)
    return Scorecard(now, since, now, bot_scorecards(decisions, results, logged, list(bots)))
