"""SQLite market recorder (:class:`~kalshi_bots.ports.snapshots.SnapshotStore`): snapshots and the
recorded events' markers and results, in the budget table (layout in :mod:`.snapshot_codec`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.sqlite_connection import BUDGET, SqliteConnection, row_item
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, RecordedEvent, Trigger


class SqliteRecorder(SqliteConnection):
    """The recorder's half of :class:`.SqliteStore`."""

    snapshot_ttl: timedelta  # set by SqliteStore.__init__

    def put_snapshot(self, snapshot: MarketSnapshot) -> bool:
        items = sc.snapshot_items(snapshot, self.snapshot_ttl)
        marker = sc.event_item(sc.recorded_event(snapshot), ttl=self.snapshot_ttl)
        with self._tx() as con:
            self._upsert(con, BUDGET, marker, "INSERT OR IGNORE")
            return [self._upsert(con, BUDGET, item, "INSERT OR IGNORE") for item in items][-1] == 1

    def snapshots_between(
        self, start: datetime, end: datetime, trigger: Trigger | None = None
    ) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        kinds = [trigger] if trigger is not None else list(Trigger)
        found: list[tuple[str, str, MarketSnapshot]] = []
        for kind in kinds:
            rows = self._query(
                f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ?",  # noqa: S608
                (sc.snapshot_pk(kind), lo, hi),
            )
            found += [(str(row["sk"]), kind.value, sc.item_to_snapshot(row_item(row))) for row in rows]
        return [snap for _, _, snap in sorted(found, key=lambda t: (t[0], t[1]))]

    def decisions_between(self, start: datetime, end: datetime) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        rows = self._query(
            f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk",  # noqa: S608
            (sc.snapshot_pk(sc.LOOKED), lo, hi),
        )
        return [sc.item_to_snapshot(row_item(row)) for row in rows]

    def unsettled_events(self, closed_from: datetime, closed_before: datetime) -> list[RecordedEvent]:
        return [event for event, result in self._events(closed_from, closed_before) if result is None]

    def put_event_result(self, result: EventResult) -> None:
        event = RecordedEvent(result.event_ticker, result.series_ticker, result.close_time)
        item = sc.event_item(event, result, self.snapshot_ttl)
        with self._tx() as con:
            self._upsert(con, BUDGET, item)

    def event_results(self, closed_from: datetime, closed_before: datetime) -> list[EventResult]:
        return [result for _, result in self._events(closed_from, closed_before) if result is not None]

    def _events(
        self, closed_from: datetime, closed_before: datetime
    ) -> list[tuple[RecordedEvent, EventResult | None]]:
        lo, hi = sc.time_bounds(closed_from, closed_before)
        rows = self._query(
            f"SELECT pk, sk, data FROM {BUDGET} WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk",  # noqa: S608
            (r.SNAPEVENT_PK, lo, hi),
        )
        return [sc.item_to_event(row_item(row)) for row in rows]
