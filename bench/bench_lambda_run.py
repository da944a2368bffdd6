"""What one Lambda run costs in DynamoDB capacity and log volume: the inputs of docs/aws.md's cost table.

Runs the collector handler in-process against DynamoDB Local and the sandbox fakes, exactly as
tests/integration/aws does, once per real minute (the job reads the system clock, so the bench waits
for minute boundaries: about two minutes). It prints, per steady-state run:
the consumed write/read capacity units DynamoDB Local reports (ReturnConsumedCapacity, counted by
botocore event hooks) and the bytes of log output (our JSON lines and the EMF metric line; Lambda's
own START/END/REPORT lines, ~0.35 KB, come on top).

Needs Java and DynamoDB Local (``make test`` installs it). Run: ``.venv/bin/python bench/bench_lambda_run.py``
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STEADY_RUNS = 2  # after the first (backfilling) run
DATA_OPS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem", "TransactWriteItems")


def load_dynamodb_local() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_bench_dynamodb_local", ROOT / "tests" / "dynamodb_local.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


class Capacity:
    """Adds ReturnConsumedCapacity to every DynamoDB data call and sums what comes back."""

    def __init__(self) -> None:
        self.units: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def request(self, params: dict[str, Any], **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def response(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity")
        if consumed is None:
            return
        entries = consumed if isinstance(consumed, list) else [consumed]
        for entry in entries:
            kind = "read" if model.name in ("GetItem", "Query", "Scan", "BatchGetItem") else "write"
            self.units[kind] += float(entry.get("CapacityUnits", 0.0))
        self.calls[model.name] += 1

    def reset(self) -> None:
        self.units.clear()
        self.calls.clear()


def main() -> None:
    import boto3

    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames
    from kalshi_bots.app.schedule import JobName
    from kalshi_bots.entrypoints import aws_lambda
    from kalshi_bots.sandbox.launch import Sandbox

    helper = load_dynamodb_local()
    try:
        server = helper.start()
    except helper.DynamoDBLocalUnavailable as exc:
        print(f"skipped: {exc}")
        return
    capacity = Capacity()
    session = boto3._get_default_session()
    for op in DATA_OPS:  # only these accept ReturnConsumedCapacity
        session.events.register(f"provide-client-params.dynamodb.{op}", capacity.request)
    session.events.register("after-call.dynamodb.*", capacity.response)
    try:
        with Sandbox() as world:
            tables = TableNames.with_prefix(f"b{uuid.uuid4().hex[:8]}_")
            DynamoStore(client=helper.make_client(server.endpoint), tables=tables).init_schema()
            os.environ.update(
                {
                    "AWS_ACCESS_KEY_ID": "bench",
                    "AWS_SECRET_ACCESS_KEY": "bench",
                    "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_ENDPOINT_URL_DYNAMODB": server.endpoint,
                    "KALSHI_BOTS_STORE": "dynamodb",
                    "KALSHI_BOTS_BTC_PRICE_TABLE": tables.btc_prices,
                    "KALSHI_BOTS_ETH_PRICE_TABLE": tables.eth_prices,
                    "KALSHI_BOTS_TRADE_LOG_TABLE": tables.trades,
                    "KALSHI_BOTS_BUDGET_TABLE": tables.budget,
                    "KALSHI_BOTS_KALSHI_BASE_URL": world.urls.kalshi,
                    "KALSHI_BOTS_COINBASE_BASE_URL": world.urls.coinbase,
                    "KALSHI_BOTS_NWS_BASE_URL": world.urls.nws,
                }
            )
            rows = []
            for n in range(STEADY_RUNS + 1):
                if n:  # sleep into the next minute, as the schedule would
                    now = datetime.now(UTC)
                    time.sleep(60 - now.second - now.microsecond / 1e6 + 1)
                when = datetime.now(UTC).replace(second=0, microsecond=0)
                world.advance(datetime.now(UTC))
                capacity.reset()
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    event = {
                        "job": JobName.COLLECT_BTC.value,
                        "scheduled_time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                    result = aws_lambda.collect_prices_btc(event, None)
                rows.append(
                    (
                        when,
                        result["outcome"],
                        capacity.units["write"],
                        capacity.units["read"],
                        dict(capacity.calls),
                        len(out.getvalue().encode()) + len(err.getvalue().encode()),
                    )
                )
    finally:
        server.stop()

    print(f"collector runs (BTC), DynamoDB Local {server.endpoint}; the first run backfills two hours")
    print(f"{'minute':>6} {'outcome':8} {'WCU':>6} {'RCU':>6} {'log bytes':>9}  calls")
    for when, outcome, wcu, rcu, calls, log_bytes in rows:
        print(f"{when:%H:%M} {outcome:8} {wcu:6.1f} {rcu:6.1f} {log_bytes:9d}  {calls}")
    steady = rows[1:]
    wcu = sum(r[2] for r in steady) / len(steady)
    rcu = sum(r[3] for r in steady) / len(steady)
    log_kb = sum(r[5] for r in steady) / len(steady) / 1000
    month = 2 * 1440 * 30
    wru, rru, gb = wcu * month / 1e6, rcu * month / 1e6, (log_kb + 0.35) * month / 1e6
    print(
        f"\nsteady state per run: {wcu:.1f} WCU, {rcu:.1f} RCU, {log_kb:.2f} KB of our log lines"
        f" (+ ~0.35 KB START/END/REPORT)\n"
        f"two collectors, 30 days = {month} runs: {wru:.3f} M WRU = ${wru * 0.625:.2f},"
        f" {rru:.3f} M RRU = ${rru * 0.125:.3f} on demand; logs {gb:.3f} GB = ${gb * 0.5:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
