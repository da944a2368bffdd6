"""What a job run returns: data, so the CLI, scheduler, Lambda handlers and tests can all show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    OK = "ok"  # the job did its work (stored a price, placed an order...)
    NO_TRADE = "no-trade"  # a deliberate refusal; ``reason`` says why. Not an error.
    SKIPPED = "skipped"  # this scheduled run was already claimed/done elsewhere
    ERROR = "error"  # something failed; ``transient`` tells whether a retry may help


@dataclass(frozen=True, slots=True)
class JobResult:
    job: str
    scheduled_for: datetime
    outcome: Outcome
    reason: str = ""
    detail: str = ""
    transient: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "scheduled_for": self.scheduled_for.isoformat(),
            "outcome": self.outcome.value,
            "reason": self.reason,
            "detail": self.detail,
            "transient": self.transient,
            "data": self.data,
        }
