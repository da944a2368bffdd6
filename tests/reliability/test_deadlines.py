"""Defect 10 (deadlines): a run ends inside its deadline however long a service keeps it waiting.

The service is the sandbox's fake Coinbase in "hang" mode (it reads each request and never answers),
a real server on 127.0.0.1; the clients, the runner and the entry points are the real ones."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.adapters.http import RetryPolicy, get_json
from kalshi_bots.adapters.kalshi.auth import KalshiSigner
from kalshi_bots.adapters.kalshi.client import KalshiClient
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import RUN_BUDGET_S, run_deadline, run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.models import BookSide, OrderIntent
from kalshi_bots.entrypoints import aws_lambda, lambda_jobs
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.ports.deadline import Deadline, current_deadline, deadline_scope
from kalshi_bots.ports.errors import TransientError
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase
from kalshi_bots.sandbox.server import FakeServer, Request, Response

AT = datetime(2026, 5, 4, 14, 7, tzinfo=UTC)
SLACK_S = 1.5  # thread scheduling on a loaded 2-core machine


@pytest.fixture
def hanging() -> Iterator[FakeCoinbase]:
    with FakeCoinbase() as fake:
        fake.seed_demo(AT)
        fake.hang_forever()
        yield fake


def env_for(tmp_path: Path, coinbase: str, **extra: str) -> dict[str, str]:
    env = {
        "KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "d.db"),
        "KALSHI_BOTS_COINBASE_BASE_URL": coinbase,
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
        # Per-request timeouts far longer than any deadline: only the deadline can end the run early.
        "KALSHI_BOTS_HTTP_TIMEOUT_S": "60",
        "KALSHI_BOTS_HTTP_CONNECT_TIMEOUT_S": "60",
    }
    return env | {f"KALSHI_BOTS_{k}": v for k, v in extra.items()}


def test_a_collector_run_against_a_hanging_coinbase_ends_at_the_callers_deadline(tmp_path, hanging):
    deps = build_deps(Settings.from_env(env_for(tmp_path, hanging.url)), clock=FixedClock(AT))
    started = time.monotonic()
    result = run_job(deps, JobName.COLLECT_BTC, AT, deadline=Deadline.after(2.0))
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.ERROR and result.transient, result
    assert "deadline" in result.detail
    assert elapsed < 2.0 + SLACK_S, f"the run took {elapsed:.1f} s with a 2 s deadline"
    assert hanging.server.requests, "the fake was really asked"


@pytest.mark.slow
def test_the_cli_collector_ends_within_its_scheduled_budget(tmp_path, hanging, capsys):
    """The issue's repro: a hanging Coinbase made a collector run take 82 s of its 90 s Lambda timeout.
    From the CLI (no caller deadline), the schedule's budget bounds it: well within the minute."""
    budget = RUN_BUDGET_S[JobName.COLLECT_BTC]
    assert budget <= 45, "a collector runs every minute: its budget must leave room for the next"
    started = time.monotonic()
    code = main(
        ["job", "collect-prices", "--at", AT.isoformat()],
        env_for(tmp_path, hanging.url),
        clock=FixedClock(AT),
    )
    elapsed = time.monotonic() - started
    assert code == 1
    out = capsys.readouterr().out
    assert "error (transient_error)" in out and "deadline" in out, out
    assert elapsed < budget + SLACK_S, f"took {elapsed:.1f} s, budget {budget} s"


class LambdaContext:
    """The two members of AWS's context object the handlers read (a stand-in for AWS, not our code)."""

    def __init__(self, remaining_s: float) -> None:
        self._until = time.monotonic() + remaining_s
        self.aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return int((self._until - time.monotonic()) * 1000)


@pytest.fixture
def lambda_env(tmp_path: Path, hanging: FakeCoinbase, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("KALSHI_BOTS_", "SSM_")):
            monkeypatch.delenv(name)
    for name, value in env_for(tmp_path, hanging.url).items():
        monkeypatch.setenv(name, value)
    aws_lambda.reset_container(clock=FixedClock(AT))
    yield
    aws_lambda.reset_container()


def test_a_lambda_collector_ends_before_the_invocation_times_out(lambda_env):
    context = LambdaContext(remaining_s=5.0)
    started = time.monotonic()
    with pytest.raises(aws_lambda.JobFailedError) as failed:
        aws_lambda.collect_prices_btc({"scheduled_time": AT.isoformat()}, context)
    elapsed = time.monotonic() - started
    assert failed.value.result.transient and "deadline" in failed.value.result.detail
    # The run ended before the margin kept for recording the outcome: the invocation was not killed.
    assert elapsed < 5.0 - lambda_jobs.DEADLINE_MARGIN_S + SLACK_S, f"took {elapsed:.1f} s"
    assert context.get_remaining_time_in_millis() > 0


# ----------------------------------------------------------------------------- the HTTP policy itself
def test_no_backoff_sleep_crosses_the_deadline(hanging):
    slept: list[tuple[float, float]] = []  # (sleep asked, time left when asked)

    def sleep(seconds: float) -> None:
        deadline = current_deadline()
        assert deadline is not None
        slept.append((seconds, deadline.remaining()))
        time.sleep(seconds)

    hanging.release_hangs()
    hanging.fail_next(503, times=50)  # Retry-After: 0, so the policy's own backoff decides
    policy = RetryPolicy(attempts=50, base_delay_s=0.4, max_delay_s=0.4, sleep=sleep)
    with httpx.Client() as client, deadline_scope(Deadline.after(1.5)):
        started = time.monotonic()
        with pytest.raises(TransientError, match="deadline"):
            get_json(client, hanging.url + "/products/BTC-USD/ticker", service="coinbase", policy=policy)
        elapsed = time.monotonic() - started
    assert slept and all(asked < left for asked, left in slept), slept
    assert elapsed < 1.5 + 0.5


def test_each_request_timeout_is_capped_by_the_time_left(hanging):
    with httpx.Client(timeout=60) as client, deadline_scope(Deadline.after(1.0)):
        started = time.monotonic()
        with pytest.raises(TransientError):
            get_json(
                client, hanging.url + "/products/BTC-USD/ticker", service="coinbase", policy=RetryPolicy()
            )
    assert time.monotonic() - started < 1.0 + 0.5


def test_an_order_post_is_not_sent_once_the_deadline_is_reached():
    posts: list[Request] = []

    def record(request: Request) -> Response:
        posts.append(request)
        return Response.json({"error": {"code": "unexpected"}}, 500)

    with FakeServer() as server:
        server.route("POST", "/trade-api/v2/portfolio/events/orders", record)
        signer = KalshiSigner("kid", ed25519.Ed25519PrivateKey.generate())
        intent = OrderIntent("KXBTCD-26MAY0415-T95000", BookSide.ASK, Decimal("0.60"), 1, "btc-hourly-test")
        client = KalshiClient(server.url + "/trade-api/v2", signer=signer)
        with client, deadline_scope(Deadline.after(-1.0)), pytest.raises(TransientError, match="not sent"):
            client.create_order(intent)
    assert posts == []


def test_concurrent_runs_keep_their_own_deadlines():
    seen: dict[str, float | None] = {}
    ready = threading.Barrier(2)

    def run(name: str, seconds: float | None) -> None:
        with deadline_scope(None if seconds is None else Deadline.after(seconds)):
            ready.wait()
            deadline = current_deadline()
            seen[name] = None if deadline is None else round(deadline.remaining())

    threads = [
        threading.Thread(target=run, args=("a", 100.0)),
        threading.Thread(target=run, args=("b", None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert seen == {"a": 100, "b": None}
    assert current_deadline() is None


def test_the_runner_takes_the_earlier_of_budget_and_caller():
    budget = RUN_BUDGET_S[JobName.TRADE_BTC]
    assert abs(run_deadline(JobName.TRADE_BTC).remaining() - budget) < 1
    assert run_deadline(JobName.TRADE_BTC, Deadline.after(5)).remaining() < 6
    assert abs(run_deadline(JobName.TRADE_BTC, Deadline.after(budget * 2)).remaining() - budget) < 1
