"""What one Lambda run costs in DynamoDB capacity and log volume: the inputs of docs/aws.md's cost table.

Runs the collector handler in-process against DynamoDB Local and the sandbox fakes, exactly as
tests/integration/aws does, once per real minute (the job reads the system clock, so the bench waits
for minute boundaries: about two minutes). It prints, per steady-state run:
the consumed write/read capacity units DynamoDB Local reports (ReturnConsumedCapacity, counted by
botocore event hooks) and the bytes the run writes to stdout and stderr, captured at the file
descriptors (so nothing escapes: the JSON log lines, the result line, the EMF metric line), which
is what CloudWatch Logs ingests. Lambda's own START/END/REPORT lines come on top (PLATFORM_BYTES).

Needs Java and DynamoDB Local (``make test`` installs it). Run: ``.venv/bin/python bench/bench_lambda_run.py``
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STEADY_RUNS = 2  # after the first (backfilling) run
DATA_OPS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem", "TransactWriteItems")
# The START/END/REPORT lines Lambda itself writes for every invocation (default text log format),
# with a request id's length and typical numbers; a cold start's REPORT adds "Init Duration".
_REQUEST = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
PLATFORM_LINES = (
    f"START RequestId: {_REQUEST} Version: $LATEST\n"
    f"END RequestId: {_REQUEST}\n"
    f"REPORT RequestId: {_REQUEST}\tDuration: 412.34 ms\tBilled Duration: 413 ms\t"
    "Memory Size: 256 MB\tMax Memory Used: 92 MB\t\n"
)
PLATFORM_BYTES = len(PLATFORM_LINES.encode())


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


@contextlib.contextmanager
def captured_output() -> Iterator[list[int]]:
    """Bytes written to fds 1 and 2 inside the block (the list gets one number at exit). At the file
    descriptor level, because the log handler keeps the stderr it was created with: redirecting
    ``sys.stderr`` per run would miss every log line after the first run's."""
    written: list[int] = []
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield written
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            written.append(os.fstat(sink.fileno()).st_size)


def main() -> None:
    from kalshi_bots.adapters.aws_session import aws_session
    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames
    from kalshi_bots.app.schedule import JobName
    from kalshi_bots.entrypoints import aws_lambda
    from kalshi_bots.sandbox.launch import Sandbox

    helper = load_dynamodb_local()
    try:
        server = helper.start()
    except helper.DynamoDBLocalUnavailableError as exc:
        print(f"skipped: {exc}")
        return
    capacity = Capacity()
    session = aws_session()  # the one the store's client is created from
    for op in DATA_OPS:  # only these accept ReturnConsumedCapacity
        session.register(f"provide-client-params.dynamodb.{op}", capacity.request)
    session.register("after-call.dynamodb.*", capacity.response)
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
                with captured_output() as written:
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
                        written[0],
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
    wru, rru, gb = wcu * month / 1e6, rcu * month / 1e6, (log_kb + PLATFORM_BYTES / 1000) * month / 1e6
    print(
        f"\nsteady state per run: {wcu:.1f} WCU, {rcu:.1f} RCU, {log_kb:.2f} KB written by the run"
        f" (+ {PLATFORM_BYTES / 1000:.2f} KB START/END/REPORT)\n"
        f"two collectors, 30 days = {month} runs: {wru:.3f} M WRU = ${wru * 0.625:.2f},"
        f" {rru:.3f} M RRU = ${rru * 0.125:.3f} on demand; logs {gb:.3f} GB = ${gb * 0.5:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
