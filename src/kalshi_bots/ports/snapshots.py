"""The recorder's storage port: market snapshots and the settlements of the events they show.

Narrow on purpose (the big :class:`~kalshi_bots.ports.store.Store` stays as it is): the memory, SQLite
and DynamoDB stores implement both, and the contract suite (``tests/contract/``) holds them to the same
answers. On DynamoDB the items live in the budget table (``SNAP#<trigger>``, ``SNAP#looked`` and
``SNAPEVENT``), each with a TTL; see ``adapters/store/snapshot_codec.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, RecordedEvent, Trigger


@runtime_checkable
class SnapshotStore(Protocol):
    def put_snapshot(self, snapshot: MarketSnapshot) -> bool:
        """Store it, keyed by (trigger, scheduled minute, event, bot); also list its event as recorded.

        Idempotent: False (nothing changed) if that key is stored already."""
        ...

    def snapshots_between(
        self, start: datetime, end: datetime, trigger: Trigger | None = None
    ) -> list[MarketSnapshot]:
        """Snapshots with ``start <= scheduled_for < end`` (of one trigger, or all), ascending by
        (scheduled_for, event, bot), every page read."""
        ...

    def decisions_between(self, start: datetime, end: datetime) -> list[MarketSnapshot]:
        """The decision snapshots of ``snapshots_between(start, end, Trigger.DECISION)`` reduced to the
        contracts each looked at: what the scorecard reads, without paying for whole ladders."""
        ...

    def unsettled_events(self, closed_from: datetime, closed_before: datetime) -> list[RecordedEvent]:
        """Recorded events with ``closed_from <= close_time < closed_before`` and no result yet,
        ascending by (close_time, event)."""
        ...

    def put_event_result(self, result: EventResult) -> None:
        """Record (or replace) the settlement of a recorded event."""
        ...

    def event_results(self, closed_from: datetime, closed_before: datetime) -> list[EventResult]:
        """Results of events with ``closed_from <= close_time < closed_before``, ascending."""
        ...
