"""When alerts fire (the settings' defaults come from here; tiny, so reading settings stays cheap)."""

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
