"""``kalshi-bots export snapshots``: the recorder's snapshots as export rows (schema v1), settlements joined.

The rows are exactly what ``kalshi-bots backtest quotes --recorder FILE`` reads
(:mod:`kalshi_bots.domain.snapshot_export`); writing the file is the CLI's job (adapters/snapshot_csv.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kalshi_bots.domain.market_snapshot import Trigger, export_rows
from kalshi_bots.domain.snapshot_export import SnapshotRow
from kalshi_bots.ports.snapshots import SnapshotStore

_AFTER_LAST_CLOSE = timedelta(microseconds=1)


def snapshot_rows(
    snapshots: SnapshotStore, since: datetime, until: datetime, trigger: Trigger | None = None
) -> list[SnapshotRow]:
    """One row per strike of every snapshot taken in ``since <= minute < until``, in time order; the
    result column is filled for the events whose settlement is recorded."""
    found = snapshots.snapshots_between(since, until, trigger)
    if not found:
        return []
    closes = [s.close_time for s in found]
    results = {
        r.event_ticker: r for r in snapshots.event_results(min(closes), max(closes) + _AFTER_LAST_CLOSE)
    }
    return [row for s in found for row in export_rows(s, results.get(s.event_ticker))]
