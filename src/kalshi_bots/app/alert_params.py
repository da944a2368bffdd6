"""When alerts fire and which runs are watched (the settings' defaults come from here; tiny, so reading
settings, and a Lambda collector deciding it has nothing to watch, stay cheap)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta


@dataclass(frozen=True, slots=True)
class AlertParams:
    summary_at: time | None = time(21, 0)  # New York time of the daily summary; None = off
    no_trade_streak: int = 12  # trading runs refused in a row before an alert (0 = never)
    error_streak: int = 3  # failed runs in a row before an alert (0 = never)
    # The first watched run this soon after summary_at sends it. An hour, because on AWS the first such
    # run may be the hourly reconcile (collectors are not watched there).
    summary_window: timedelta = timedelta(hours=1)


# Housekeeping jobs: on DynamoDB these never touch the budget table (their roles cannot read it).
HOUSEKEEPING = frozenset({"collect-prices-btc", "collect-prices-eth", "cleanup"})


def is_watched(job: str, *, watch_housekeeping: bool) -> bool:
    """Whether the after-run watcher looks at ``job``'s runs at all (see ``RunWatcher``)."""
    return watch_housekeeping or job not in HOUSEKEEPING
