"""DynamoDB market recorder (:class:`~kalshi_bots.ports.snapshots.SnapshotStore`): snapshots and the
recorded events' markers and results, in the budget table, expiring by TTL (layout in :mod:`.snapshot_codec`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.dynamodb_io import NOT_EXISTS, DynamoIO
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, RecordedEvent, Trigger

MARKED_EVENTS_KEPT = 256  # recorded-event markers this process remembers having written


class DynamoRecorder:
    """The recorder's half of :class:`.DynamoStore`."""

    io: DynamoIO  # all set by DynamoStore.__init__
    tables: TableNames
    snapshot_ttl: timedelta
    _marked: dict[str, None]  # event markers this process wrote (see DynamoStore.__init__)

    def put_snapshot(self, snapshot: MarketSnapshot) -> bool:
        """Single-item puts, not a transaction (which would bill twice): the event marker first
        (conditional: it never overwrites a result), then the snapshot's items (conditional: idempotent)."""
        items = sc.snapshot_items(snapshot, self.snapshot_ttl)
        marker = sc.event_item(sc.recorded_event(snapshot), ttl=self.snapshot_ttl)
        marker_sk = str(marker["sk"])
        if marker_sk not in self._marked:
            self.io.put(self.tables.budget, marker, NOT_EXISTS)
            self._marked[marker_sk] = None
            if len(self._marked) > MARKED_EVENTS_KEPT:
                del self._marked[next(iter(self._marked))]
        return [self.io.put(self.tables.budget, item, NOT_EXISTS) for item in items][-1]

    def snapshots_between(
        self, start: datetime, end: datetime, trigger: Trigger | None = None
    ) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        found: list[tuple[str, str, MarketSnapshot]] = []
        for kind in [trigger] if trigger is not None else list(Trigger):
            rows = self.io.query(
                self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=sc.snapshot_pk(kind), a=lo, b=hi
            )
            found += [(str(item["sk"]), kind.value, sc.item_to_snapshot(item)) for item in rows]
        return [snap for _, _, snap in sorted(found, key=lambda t: (t[0], t[1]))]

    def decisions_between(self, start: datetime, end: datetime) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        pk = sc.snapshot_pk(sc.LOOKED)
        rows = self.io.query(self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=pk, a=lo, b=hi)
        return [sc.item_to_snapshot(item) for item in rows]

    def unsettled_events(self, closed_from: datetime, closed_before: datetime) -> list[RecordedEvent]:
        return [event for event, result in self._events(closed_from, closed_before) if result is None]

    def put_event_result(self, result: EventResult) -> None:
        event = RecordedEvent(result.event_ticker, result.series_ticker, result.close_time)
        self.io.put(self.tables.budget, sc.event_item(event, result, self.snapshot_ttl))

    def event_results(self, closed_from: datetime, closed_before: datetime) -> list[EventResult]:
        return [result for _, result in self._events(closed_from, closed_before) if result is not None]

    def _events(
        self, closed_from: datetime, closed_before: datetime
    ) -> list[tuple[RecordedEvent, EventResult | None]]:
        lo, hi = sc.time_bounds(closed_from, closed_before)
        rows = self.io.query(
            self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=r.SNAPEVENT_PK, a=lo, b=hi
        )
        return [sc.item_to_event(item) for item in rows]
