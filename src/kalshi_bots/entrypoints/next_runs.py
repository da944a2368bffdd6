"""When each scheduled job runs next (the ``run`` banner and the dashboard's job-health table)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from kalshi_bots.app.schedule import SCHEDULE, JobName
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.entrypoints.scheduler import MAX_LOOKBACK, rule_fires

MINUTE = timedelta(minutes=1)


def next_runs(jobs: Iterable[JobName], now: datetime) -> dict[JobName, datetime]:
    """job -> the first scheduled minute strictly after ``now`` (within a day), for enabled jobs."""
    wanted = set(jobs)
    rules = [r for r in SCHEDULE if r.job in wanted]
    found: dict[JobName, datetime] = {}
    minute = floor_minute(now) + MINUTE
    end = minute + MAX_LOOKBACK
    while minute < end and len(found) < len(rules):
        for rule in rules:
            if rule.job not in found and rule_fires(rule, minute):
                found[rule.job] = minute
        minute += MINUTE
    return found


def in_words(minutes: float) -> str:
    """``in 25 min`` or ``in 7 h 30 min``."""
    whole = max(0, round(minutes))
    return f"in {whole} min" if whole < 90 else f"in {whole // 60} h {whole % 60:02d} min"
