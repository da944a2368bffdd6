"""``cleanup`` (hourly): delete price rows older than the retention, for both assets.

The retention (``price_retention_minutes``, default 180) must stay above the longest volatility window
(120 minutes) so the collector's backfill and any recomputation still find their rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.results import JobReport, Outcome
from kalshi_bots.domain.models import VOL_WINDOWS_MINUTES, Asset
from kalshi_bots.domain.reasons import ErrorReason

logger = logging.getLogger(__name__)


def cleanup(deps: Deps, scheduled_for: datetime) -> JobReport:
    retention = deps.params.price_retention_minutes
    if retention <= max(VOL_WINDOWS_MINUTES):
        # Deleting inside the longest window would silently shrink the volatility samples.
        return JobReport(
            Outcome.ERROR,
            ErrorReason.INVALID_CONFIG,
            f"price_retention_minutes={retention} must exceed {max(VOL_WINDOWS_MINUTES)}",
        )
    cutoff = deps.clock.now() - timedelta(minutes=retention)
    deleted = {asset.value: deps.store.delete_prices_before(asset, cutoff) for asset in Asset}
    log_event(logger, "cleanup.done", f"deleted {deleted} rows before {cutoff.isoformat()}", deleted=deleted)
    return JobReport(Outcome.OK, data={"cutoff": cutoff.isoformat(), "deleted": deleted})
