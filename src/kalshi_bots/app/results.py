"""What a job run returns: data, so the CLI, scheduler, Lambda handlers and tests can all show it.

A job function returns a :class:`JobReport` (what happened); the runner stamps the job and the scheduled
minute on it once (:meth:`JobResult.of`), so no job repeats its own name and time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import RunStatus
from kalshi_bots.domain.reasons import Reason


class Outcome(StrEnum):
    OK = "ok"  # the job did its work (stored a price, placed an order...)
    NO_TRADE = "no-trade"  # a deliberate refusal; ``reason`` says why. Not an error.
    SKIPPED = "skipped"  # this scheduled run was already claimed/done elsewhere
    ERROR = "error"  # something failed; ``transient`` tells whether a retry may help


@dataclass(frozen=True, slots=True)
class JobReport:
    """What a job function found: the outcome, the reason (None = nothing to say) and its details."""

    outcome: Outcome
    reason: Reason | None = None
    detail: str = ""
    transient: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_text(self) -> str:
        return "" if self.reason is None else self.reason.value


@dataclass(frozen=True, slots=True)
class JobResult:
    """A :class:`JobReport` of one scheduled run: the runner's answer for ``job`` at ``scheduled_for``."""

    job: JobName
    scheduled_for: datetime
    outcome: Outcome
    reason: Reason | None = None
    detail: str = ""
    transient: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, job: JobName, scheduled_for: datetime, report: JobReport) -> JobResult:
        return cls(
            job, scheduled_for, report.outcome, report.reason, report.detail, report.transient, report.data
        )

    @property
    def reason_text(self) -> str:
        """The reason as results, logs and job-run rows spell it ("" for none)."""
        return "" if self.reason is None else self.reason.value

    @property
    def run_status(self) -> RunStatus:
        """The outcome the run's row records: a transient error may be claimed again."""
        if self.outcome is Outcome.ERROR:
            return RunStatus.ERROR_TRANSIENT if self.transient else RunStatus.ERROR
        return RunStatus(self.outcome.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job.value,
            "scheduled_for": self.scheduled_for.isoformat(),
            "outcome": self.outcome.value,
            "reason": self.reason_text,
            "detail": self.detail,
            "transient": self.transient,
            "data": self.data,
        }
