"""The EMF lines the alarms read: collector freshness per asset, and one trade-decision metric for
every trading run (the "bots gone silent" alarm)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.entrypoints import lambda_metrics as m

WHEN = datetime(2026, 3, 8, 14, 45, tzinfo=UTC)
STAMP = 1_772_981_100_000


def result(job: JobName, outcome: Outcome, reason: str = "") -> JobResult:
    return JobResult(job.value, WHEN, outcome, reason=reason)


def directive(line: dict[str, Any]) -> dict[str, Any]:
    [only] = line["_aws"]["CloudWatchMetrics"]
    return only  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("outcome", "decided"),
    [(Outcome.OK, 1), (Outcome.NO_TRADE, 1), (Outcome.ERROR, 0), (Outcome.SKIPPED, 0)],
)
@pytest.mark.parametrize("job", [JobName.TRADE_BTC, JobName.TRADE_ETH, JobName.WEATHER])
def test_every_trading_run_reports_whether_it_decided(job: JobName, outcome: Outcome, decided: int) -> None:
    [line] = m.metric_lines(job, result(job, outcome, "edge_too_small"), STAMP)
    emf = directive(line)
    assert emf["Namespace"] == m.METRIC_NAMESPACE
    assert emf["Dimensions"] == [[]]  # one metric for all bots: what the silent-bot alarm reads
    assert emf["Metrics"] == [{"Name": m.DECISION_METRIC, "Unit": "Count"}]
    assert line[m.DECISION_METRIC] == decided
    assert (line["job"], line["outcome"], line["reason"]) == (job.value, outcome.value, "edge_too_small")
    assert line["_aws"]["Timestamp"] == STAMP


@pytest.mark.parametrize(("job", "asset"), [(JobName.COLLECT_BTC, "BTC"), (JobName.COLLECT_ETH, "ETH")])
def test_collectors_report_success_per_asset(job: JobName, asset: str) -> None:
    [stored] = m.metric_lines(job, result(job, Outcome.OK), STAMP)
    [failed] = m.metric_lines(job, result(job, Outcome.ERROR), STAMP)
    assert directive(stored)["Dimensions"] == [["Asset"]]
    assert (stored["Asset"], stored[m.COLLECTOR_METRIC], failed[m.COLLECTOR_METRIC]) == (asset, 1, 0)


@pytest.mark.parametrize("job", [JobName.CLEANUP, JobName.RECONCILE])
def test_housekeeping_jobs_emit_no_metric(job: JobName) -> None:
    assert m.metric_lines(job, result(job, Outcome.OK), STAMP) == []


def test_emit_prints_one_json_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    m.emit_metrics(JobName.TRADE_BTC, result(JobName.TRADE_BTC, Outcome.NO_TRADE, "halted"))
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)[m.DECISION_METRIC] == 1
