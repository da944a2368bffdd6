"""CloudWatch Embedded Metric Format lines the Lambda handlers print, one JSON object per line.

Lambda sends stdout to CloudWatch Logs, which turns these lines into metrics for free (no API call,
no permission): the template's alarms read them.

- ``KalshiBots/CollectorSuccess`` (dimension ``Asset``): one per collector run, 1 when a price was
  stored. Feeds the "no successful collection in 5 minutes" alarms.
- ``KalshiBots/TradeDecision`` (no dimension: one metric for all bots): one per trading run
  (hourly bots, weather), 1 when the run reached a decision (a trade or a deliberate no-trade),
  0 when it failed or was skipped as a duplicate. Feeds the "bots gone silent" alarm. ``job``,
  ``outcome`` and ``reason`` ride along as plain properties for Logs Insights.

Standard library only: the handler module imports this at init.
"""

from __future__ import annotations

import json
import time
from typing import Any

from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName

METRIC_NAMESPACE = "KalshiBots"
COLLECTOR_METRIC = "CollectorSuccess"
DECISION_METRIC = "TradeDecision"

COLLECTOR_ASSET = {JobName.COLLECT_BTC: "BTC", JobName.COLLECT_ETH: "ETH"}
TRADING_JOBS = frozenset({JobName.TRADE_BTC, JobName.TRADE_ETH, JobName.WEATHER})
DECIDED = frozenset({Outcome.OK, Outcome.NO_TRADE})


def _emf(metric: str, dimensions: list[str], values: dict[str, Any], timestamp_ms: int) -> dict[str, Any]:
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": METRIC_NAMESPACE,
                    "Dimensions": [dimensions],
                    "Metrics": [{"Name": metric, "Unit": "Count"}],
                }
            ],
        },
        **values,
    }


def metric_lines(job: JobName, result: JobResult, timestamp_ms: int) -> list[dict[str, Any]]:
    """The EMF documents one run of ``job`` emits (none for jobs no alarm watches)."""
    common = {"job": job.value, "outcome": result.outcome.value}
    asset = COLLECTOR_ASSET.get(job)
    if asset is not None:
        stored = 1 if result.outcome is Outcome.OK else 0
        return [
            _emf(
                COLLECTOR_METRIC,
                ["Asset"],
                {"Asset": asset, COLLECTOR_METRIC: stored, **common},
                timestamp_ms,
            )
        ]
    if job in TRADING_JOBS:
        decided = 1 if result.outcome in DECIDED else 0
        values = {DECISION_METRIC: decided, **common, "reason": result.reason}
        return [_emf(DECISION_METRIC, [], values, timestamp_ms)]
    return []


def emit_metrics(job: JobName, result: JobResult) -> None:
    for line in metric_lines(job, result, int(time.time() * 1000)):
        print(json.dumps(line), flush=True)
