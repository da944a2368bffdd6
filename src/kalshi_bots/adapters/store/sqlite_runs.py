"""SQLite run log: the job-run claims (leases) that make each scheduled run happen once.

Rows live in the budget table under pk=JOBRUN, sk=``<job>#<scheduled time>``; cleanup drops them once
their ``expires_at`` has passed, as DynamoDB's TTL would.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.sqlite_connection import BUDGET, SqliteConnection
from kalshi_bots.domain.models import JobRun, RunStatus
from kalshi_bots.ports.errors import ConflictError


class SqliteRunLog(SqliteConnection):
    """:class:`~kalshi_bots.ports.store.RunLog` on the budget table (part of :class:`.SqliteStore`)."""

    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        sk, at = r.jobrun_sk(job, scheduled_for), r.as_utc(now, "now")
        with self._tx() as con:
            row = self._budget_row(con, r.JOBRUN_PK, sk)
            if row is not None and not r.claimable(
                codec.run_status_of(str(row["outcome"]), sk),
                r.parse_iso(row["lease_until"], "job run lease"),
                at,
            ):
                return False
            item: codec.Item = {
                "pk": r.JOBRUN_PK,
                "sk": sk,
                "owner": owner,
                "lease_until": r.iso_micro(at + timedelta(seconds=lease_seconds), "lease_until"),
                "outcome": RunStatus.RUNNING.value,
                "detail": "",
                "expires_at": r.jobrun_expires_at(scheduled_for),
            }
            self._upsert(con, BUDGET, item)
            return True

    def finish_run(
        self, job: str, scheduled_for: datetime, owner: str, outcome: RunStatus, detail: str
    ) -> None:
        sk = r.jobrun_sk(job, scheduled_for)
        with self._tx() as con:
            changed = con.execute(
                f"UPDATE {BUDGET} SET outcome = ?, detail = ? WHERE pk = ? AND sk = ? AND owner = ?",  # noqa: S608
                (outcome.value, detail, r.JOBRUN_PK, sk, owner),
            ).rowcount
            if changed != 1:
                raise ConflictError(f"finish_run: {sk} is not held by {owner!r}")

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        sql = f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?"  # noqa: S608
        rows = self._query(sql, (r.JOBRUN_PK, r.jobrun_sk(job, scheduled_for)))
        return _job_run(rows[0]) if rows else None

    def last_runs(self) -> list[JobRun]:
        # sk = <job>#<fixed-width time>: the max sk per job prefix is that job's latest run.
        rows = self._query(
            f"SELECT max(sk) AS sk FROM {BUDGET} WHERE pk = ? GROUP BY substr(sk, 1, instr(sk, '#'))",  # noqa: S608
            (r.JOBRUN_PK,),
        )
        runs = []
        for latest in rows:
            sql = f"SELECT * FROM {BUDGET} WHERE pk = ? AND sk = ?"  # noqa: S608
            runs.append(_job_run(self._query(sql, (r.JOBRUN_PK, latest["sk"]))[0]))
        return sorted(runs, key=lambda run: run.job)


def _job_run(row: sqlite3.Row) -> JobRun:
    job, sched = str(row["sk"]).split("#", 1)
    return JobRun(
        job=job,
        scheduled_for=r.parse_iso(sched, "job run"),
        owner=str(row["owner"]),
        lease_until=r.parse_iso(row["lease_until"], "job run lease"),
        outcome=codec.run_status_of(str(row["outcome"]), f"job run {row['sk']}"),
        detail=str(row["detail"] or ""),
    )
