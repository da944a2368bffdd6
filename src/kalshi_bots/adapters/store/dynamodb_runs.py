"""DynamoDB run log: the job-run claims (leases) that make each scheduled run happen once.

Rows live in the budget table under pk=JOBRUN, sk=``<job>#<scheduled time>``, and expire by TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.dynamodb_io import ConditionFailedError, DynamoIO, key, values
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.models import JobRun, RunStatus
from kalshi_bots.ports.errors import ConflictError


class DynamoRunLog:
    """:class:`~kalshi_bots.ports.store.RunLog` on the budget table (part of :class:`.DynamoStore`)."""

    io: DynamoIO  # all three set by DynamoStore.__init__
    tables: TableNames
    jobrun_ttl: timedelta

    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        at = r.as_utc(now, "now")
        item: codec.Item = {
            "pk": r.JOBRUN_PK,
            "sk": r.jobrun_sk(job, scheduled_for),
            "owner": owner,
            "lease_until": r.iso_micro(at + timedelta(seconds=lease_seconds), "lease_until"),
            "outcome": RunStatus.RUNNING.value,
            "detail": "",
            "expires_at": r.jobrun_expires_at(scheduled_for, self.jobrun_ttl),
        }
        # Free, retryable, or still running with a lapsed lease (fixed-width ISO strings compare as
        # times): records.claimable as a condition expression.
        condition = (
            "attribute_not_exists(pk) OR #outcome = :retry OR (#outcome = :running AND #lease <= :now)"
        )
        return self.io.put(
            self.tables.budget,
            item,
            condition,
            names={"#outcome": "outcome", "#lease": "lease_until"},
            running=RunStatus.RUNNING.value,
            retry=r.RETRYABLE_OUTCOME.value,
            now=r.iso_micro(at, "now"),
        )

    def finish_run(
        self, job: str, scheduled_for: datetime, owner: str, outcome: RunStatus, detail: str
    ) -> None:
        sk = r.jobrun_sk(job, scheduled_for)
        try:
            self.io.call(
                "UpdateItem",
                TableName=self.tables.budget,
                Key=key(r.JOBRUN_PK, sk),
                UpdateExpression="SET #outcome = :outcome, #detail = :detail",
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner", "#outcome": "outcome", "#detail": "detail"},
                ExpressionAttributeValues=values(outcome=outcome.value, detail=detail, owner=owner),
            )
        except ConditionFailedError:
            raise ConflictError(f"finish_run: {sk} is not held by {owner!r}") from None

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        item = self.io.get(self.tables.budget, r.JOBRUN_PK, r.jobrun_sk(job, scheduled_for))
        return None if item is None else _job_run(item)

    def last_runs(self) -> list[JobRun]:
        """Skip from job to job: the newest row under ``<job>#`` then the first row after it."""
        runs: list[JobRun] = []
        after = ""
        table = self.tables.budget
        while True:
            first = (
                self.io.query(table, "pk = :pk AND sk > :after", limit=1, pk=r.JOBRUN_PK, after=after)
                if after
                else self.io.query(table, "pk = :pk", limit=1, pk=r.JOBRUN_PK)
            )
            nxt = next(first, None)
            if nxt is None:
                return runs
            job = str(nxt["sk"]).split("#", 1)[0]
            newest = self.io.query(
                table,
                "pk = :pk AND begins_with(sk, :job)",
                forward=False,
                limit=1,
                pk=r.JOBRUN_PK,
                job=job + "#",
            )
            runs.append(_job_run(next(newest, nxt)))
            after = job + "$"  # "$" follows "#": skips every "<job>#..." row


def _job_run(item: codec.Item) -> JobRun:
    job, sched = str(item["sk"]).split("#", 1)
    return JobRun(
        job=job,
        scheduled_for=r.parse_iso(sched, "job run"),
        owner=str(item["owner"]),
        lease_until=r.parse_iso(str(item["lease_until"]), "job run lease"),
        outcome=codec.run_status_of(str(item["outcome"]), f"job run {item['sk']!s}"),
        detail=str(item.get("detail", "")),
    )
