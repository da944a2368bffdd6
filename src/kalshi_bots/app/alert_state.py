"""What the alert watcher remembers between runs, kept in the store's document table as typed
:class:`~kalshi_bots.app.shelves.Shelf` values, so it survives restarts and works across Lambda
containers:

- ``alert-streak/<job>``: the job's current streak (``error`` or ``no-trade``) and its length. Written
  only when a run fails or refuses, or when a streak ends; a process remembers which jobs have no
  streak, so a healthy collector costs one read per process, not one per minute. The dashboard reads
  the same documents for its "error streak" column. Tracked even without webhooks. On DynamoDB the
  collectors and cleanup are not watched (they never touch the budget table there, by design and by
  IAM): the template's collector-stale and error alarms cover them.
- ``alert-sent/<client_order_id>``: which milestones of a trade were announced (placed with how many
  contracts filled, settled), so each goes out once however many runs look at it.
- ``alert-sent/summary-<day>``, ``alert-sent/loss-halt-<day>``: the daily summary and the loss-halt
  alert, once per New York day (when each went out; the keys never collide with order ids).
- ``alert-state/since``: when alerts were first switched on; older trades are never announced (no
  burst of old news the first time a webhook is configured).

The encodings are the stored formats (earlier versions wrote the same text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.shelves import Shelf
from kalshi_bots.domain.reasons import Reason, parse_reason
from kalshi_bots.ports.store import DocStore

STREAK_DOC = "alert-streak"
SENT_DOC = "alert-sent"
STATE_DOC = "alert-state"
# The outcomes a streak counts.
STREAK_KINDS = frozenset({Outcome.ERROR, Outcome.NO_TRADE})


@dataclass(frozen=True, slots=True)
class Streak:
    kind: Outcome | None = None  # ERROR or NO_TRADE; None = no streak
    count: int = 0
    reason: Reason | None = None
    since: str = ""  # scheduled time of the streak's first run

    @property
    def failing(self) -> bool:
        return self.kind is Outcome.ERROR

    def to_json(self) -> str:
        kind = "" if self.kind is None else self.kind.value
        reason = "" if self.reason is None else self.reason.value
        return json.dumps({"kind": kind, "count": self.count, "reason": reason, "since": self.since})

    @classmethod
    def from_json(cls, text: str | None) -> Streak:
        """The stored document (the same JSON as ever: kind and reason as their text)."""
        if not text:
            return cls()
        raw = json.loads(text)
        kind = str(raw.get("kind", ""))
        return cls(
            Outcome(kind) if kind in STREAK_KINDS else None,
            int(raw.get("count", 0)),
            parse_reason(str(raw.get("reason", ""))),
            str(raw.get("since", "")),
        )


def next_streak(current: Streak, result: JobResult, *, counts_no_trade: bool) -> Streak:
    """The job's streak after ``result`` (pure)."""
    kind = result.outcome
    if (kind is Outcome.NO_TRADE and not counts_no_trade) or kind not in STREAK_KINDS:
        return Streak()
    if current.kind == kind:
        return Streak(kind, current.count + 1, result.reason, current.since)
    return Streak(kind, 1, result.reason, result.scheduled_for.isoformat())


@dataclass(frozen=True, slots=True)
class Announced:
    """What was announced of one trade: up to how many contracts filled, and whether it settled."""

    filled: Decimal | None = None  # None: nothing yet (a document written before any announcement)
    settled: bool = False

    def to_json(self) -> str:
        doc: dict[str, Any] = {} if self.filled is None else {"filled": str(self.filled)}
        if self.settled:
            doc["settled"] = True
        return json.dumps(doc)

    @classmethod
    def from_json(cls, text: str) -> Announced:
        raw = json.loads(text) if text else {}
        filled = raw.get("filled")
        return cls(None if filled is None else Decimal(str(filled)), bool(raw.get("settled")))


def _encode_at(at: datetime) -> str:
    return json.dumps({"at": at.isoformat()})


def _decode_at(text: str) -> datetime:
    return datetime.fromisoformat(json.loads(text)["at"])


def _encode_since(since: datetime) -> str:
    return json.dumps({"since": since.isoformat()})


def _decode_since(text: str) -> datetime:
    return datetime.fromisoformat(json.loads(text)["since"])


def streak_shelf(store: DocStore) -> Shelf[Streak]:
    """``alert-streak/<job>``: each job's current streak."""
    return Shelf(store, STREAK_DOC, Streak.to_json, Streak.from_json)


def read_streaks(store: DocStore) -> dict[str, Streak]:
    """job -> current streak (the dashboard's job-health column)."""
    return dict(streak_shelf(store).items())


def announced_shelf(store: DocStore) -> Shelf[Announced]:
    """``alert-sent/<client_order_id>``: what was announced of each trade."""
    return Shelf(store, SENT_DOC, Announced.to_json, Announced.from_json)


def sent_once_shelf(store: DocStore) -> Shelf[datetime]:
    """``alert-sent/summary-<day>``, ``alert-sent/loss-halt-<day>``: the scheduled minute of the run
    that sent each once-a-day alert."""
    return Shelf(store, SENT_DOC, _encode_at, _decode_at)


def since_shelf(store: DocStore) -> Shelf[datetime]:
    """``alert-state/since``: when alerts were switched on."""
    return Shelf(store, STATE_DOC, _encode_since, _decode_since)
