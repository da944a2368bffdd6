"""When alerts fire and which runs are watched. The values are domain parameters
(:class:`kalshi_bots.domain.params.AlertParams`, built by the settings from ``KALSHI_BOTS_ALERT_*``); the
rule of which runs are watched is tiny, so a Lambda collector deciding it has nothing to watch stays
cheap."""

from __future__ import annotations

from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.params import AlertParams

__all__ = ["HOUSEKEEPING", "AlertParams", "is_watched"]

# Housekeeping jobs: on DynamoDB these never read the budget table (their roles cannot: the market
# recorder may only put its snapshots there and query its events).
HOUSEKEEPING = frozenset({JobName.COLLECT_BTC, JobName.COLLECT_ETH, JobName.CLEANUP, JobName.RECORD_MARKET})


def is_watched(job: str, *, watch_housekeeping: bool) -> bool:
    """Whether the after-run watcher looks at ``job``'s runs at all (see ``RunWatcher``)."""
    return watch_housekeeping or job not in HOUSEKEEPING
