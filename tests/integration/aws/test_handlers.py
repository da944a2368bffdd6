"""Each Lambda handler invoked in-process with AWS's event shapes, against DynamoDB Local, the sandbox
fakes and a fake SSM (see conftest.py): results, idempotency under duplicate delivery, retries."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any

import pytest
from aws_world import (
    API_TOKEN,
    CREDENTIALS_PARAMETER,
    TOKEN_PARAMETER,
    LambdaWorld,
    eventbridge_event,
    function_url_event,
    quote_every_strike_cheap,
    scheduler_event,
    use_signing_mode,
)

from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import Asset
from kalshi_bots.entrypoints import aws_lambda, cli, lambda_metrics, lambda_secrets

pytestmark = pytest.mark.dynamodb


def emf_lines(printed: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


# ----------------------------------------------------------------------------- collectors
def test_collector_on_a_scheduler_event_stores_the_minute_and_emits_its_metric(
    aws: LambdaWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    now = aws.this_minute()
    result = aws_lambda.collect_prices_btc(
        scheduler_event(JobName.COLLECT_BTC, now + timedelta(seconds=27)), None
    )
    assert result["outcome"] == "ok"
    assert result["scheduled_for"] == now.isoformat()  # the rate() schedule's seconds are dropped
    snapshot = aws.store.get_volatility(Asset.BTC)
    assert snapshot is not None and snapshot.window(15) is not None
    assert aws.store.latest_price(Asset.BTC) is not None
    assert aws.store.get_volatility(Asset.ETH) is None  # the BTC function touched only its table
    [metric] = emf_lines(capsys.readouterr().out)
    assert metric["Asset"] == "BTC" and metric[lambda_metrics.COLLECTOR_METRIC] == 1
    directive = metric["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == lambda_metrics.METRIC_NAMESPACE
    assert directive["Dimensions"] == [["Asset"]]


def test_duplicate_delivery_of_a_collector_run_stores_nothing_twice(
    aws: LambdaWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    now = aws.this_minute()
    first = aws_lambda.collect_prices_eth(scheduler_event(JobName.COLLECT_ETH, now), None)
    # The same minute again, this time as a classic EventBridge rule would deliver it. Collectors
    # claim no run on DynamoDB: put_price's one-row-per-minute condition is their idempotency.
    second = aws_lambda.collect_prices_eth(eventbridge_event(now, "ETHPriceCollector-EveryMinute"), None)
    assert first["outcome"] == second["outcome"] == "ok"
    assert first["data"]["rows_stored"] > 0
    assert second["data"]["rows_stored"] == 0
    rows = aws.store.prices_between(Asset.ETH, now, now + timedelta(minutes=1))
    assert [tick.at for tick in rows] == [now]
    assert aws.store.last_runs() == []  # no claim rows written for collectors on DynamoDB
    assert [m["Asset"] for m in emf_lines(capsys.readouterr().out)] == ["ETH", "ETH"]


def test_handler_result_equals_the_cli_job(
    aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    when = aws.this_minute()
    aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_BTC, when), None)
    from_lambda = aws.store.get_volatility(Asset.BTC)
    # The CLI on a second set of tables in the same DynamoDB Local, against the same fakes.
    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames

    other = TableNames.with_prefix("cli" + aws.tables.budget[:8])
    cli_store = DynamoStore(client=aws.store.io.client, tables=other)
    cli_store.init_schema()
    for var, name in zip(
        ("BTC_PRICE_TABLE", "ETH_PRICE_TABLE", "TRADE_LOG_TABLE", "BUDGET_TABLE"), other.all(), strict=True
    ):
        monkeypatch.setenv(f"KALSHI_BOTS_{var}", name)
    code = cli.main(["job", "collect-prices", "--asset", "BTC", "--at", when.isoformat()], clock=aws.clock)
    assert code == 0, capsys.readouterr()
    from_cli = cli_store.get_volatility(Asset.BTC)
    assert from_lambda is not None and from_cli is not None
    assert from_cli.windows == from_lambda.windows
    assert from_cli.last_price == from_lambda.last_price


def test_a_transient_failure_raises_and_the_retry_then_succeeds(
    aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # a port nobody listens on: connection refused, fast
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("KALSHI_BOTS_COINBASE_BASE_URL", dead)
    aws.new_container()
    event = scheduler_event(JobName.COLLECT_BTC, aws.this_minute())
    with pytest.raises(aws_lambda.JobFailedError) as failed:
        aws_lambda.collect_prices_btc(event, None)
    assert failed.value.result.transient
    assert aws.store.get_volatility(Asset.BTC) is None
    # Lambda's async retry delivers the same event again; Coinbase is back (a new container here).
    monkeypatch.setenv("KALSHI_BOTS_COINBASE_BASE_URL", aws.world.urls.coinbase)
    aws.new_container()
    assert aws_lambda.collect_prices_btc(event, None)["outcome"] == "ok"


def test_an_event_for_another_job_is_refused(aws: LambdaWorld) -> None:
    with pytest.raises(aws_lambda.EventError, match="collect-prices-eth"):
        aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_ETH, aws.this_minute()), None)
    assert aws.store.last_runs() == []


def test_a_retry_of_a_permanently_failed_run_fails_again(aws: LambdaWorld) -> None:
    """The platform's retry of a run that ended in a permanent error must raise again (without running
    it again), so the failure reaches the failed-event queue instead of reading as success."""
    now = aws.this_minute()
    assert aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_BTC, now), None)["outcome"] == "ok"
    quote_every_strike_cheap(aws, now)
    aws.world.kalshi.fail_next(400, times=None, method="GET")  # every Kalshi read refused: permanent
    event = scheduler_event(JobName.TRADE_BTC, now)
    with pytest.raises(aws_lambda.JobFailedError) as first:
        aws_lambda.trade_hourly_btc(event, None)
    assert not first.value.result.transient
    aws.world.kalshi.clear_faults()  # were the run repeated, it would now trade
    for _ in range(2):  # MaximumRetryAttempts: 2
        with pytest.raises(aws_lambda.JobFailedError) as retry:
            aws_lambda.trade_hourly_btc(event, None)
        assert retry.value.result.reason == "already_failed"
    assert aws.store.all_trades() == [] and aws.world.kalshi.orders == []


# ----------------------------------------------------------------------------- trading
def test_duplicate_delivery_of_a_trading_run_places_no_second_order(
    aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = aws.this_minute()
    assert aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_BTC, now), None)["outcome"] == "ok"
    use_signing_mode(aws, monkeypatch, "demo")  # signed orders to the fake Kalshi, key from the fake SSM
    event_ticker = quote_every_strike_cheap(aws, now)

    event = scheduler_event(JobName.TRADE_BTC, now)
    first = aws_lambda.trade_hourly_btc(event, None)
    assert first["outcome"] == "ok", first
    assert first["data"]["event_ticker"] == event_ticker
    assert len(aws.world.kalshi.orders) == 1

    second = aws_lambda.trade_hourly_btc(event, None)  # at-least-once delivery: the same event again
    third = aws_lambda.trade_hourly_btc(eventbridge_event(now, "BTCTradingBot-Minute45"), None)
    assert second["outcome"] == third["outcome"] == "skipped"
    assert len(aws.world.kalshi.orders) == 1
    assert len(aws.store.all_trades()) == 1
    assert aws.ssm.reads.count(CREDENTIALS_PARAMETER) == 1  # read at cold start, cached after


def test_paper_mode_never_reads_the_kalshi_key(aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    now = aws.this_minute()
    aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_BTC, now), None)
    use_signing_mode(aws, monkeypatch, "paper")
    quote_every_strike_cheap(aws, now)
    result = aws_lambda.trade_hourly_btc(scheduler_event(JobName.TRADE_BTC, now), None)
    assert result["outcome"] == "ok", result  # a paper fill from the public book
    assert CREDENTIALS_PARAMETER not in aws.ssm.reads
    assert aws.world.kalshi.orders == []  # nothing was sent to the exchange


def test_every_scheduled_handler_runs_its_job(aws: LambdaWorld) -> None:
    now = aws.this_minute()
    for job, handler in aws_lambda.HANDLERS.items():
        result = handler(scheduler_event(job, now), None)
        assert result["job"] == job.value
        assert result["outcome"] in ("ok", "no-trade", "skipped"), result
    # Collectors and the market recorder are idempotent on their own: on DynamoDB they claim nothing.
    claimed = set(JobName) - {JobName.COLLECT_BTC, JobName.COLLECT_ETH, JobName.RECORD_MARKET}
    assert {run.job for run in aws.store.last_runs()} == {job.value for job in claimed}


# ----------------------------------------------------------------------------- volatility API
def call_api(path: str, token: str | None, method: str = "GET") -> tuple[int, dict[str, Any]]:
    response = aws_lambda.volatility_api(function_url_event(path, token, method), None)
    return response["statusCode"], json.loads(response["body"])


def test_volatility_api_serves_vol_latest_to_the_token_holder(aws: LambdaWorld) -> None:
    aws_lambda.collect_prices_btc(scheduler_event(JobName.COLLECT_BTC, aws.this_minute()), None)
    status, body = call_api("/volatility/btc", API_TOKEN)
    assert status == 200
    assert body["asset"] == "BTC"
    assert body["vol_15m_samples"] > 0
    assert aws.ssm.reads == [TOKEN_PARAMETER]


@pytest.mark.parametrize(
    ("path", "token", "method", "status", "error"),
    [
        ("/volatility/BTC", None, "GET", 401, "unauthorized"),
        ("/volatility/BTC", "wrong-token", "GET", 401, "unauthorized"),
        ("/volatility/BTC", API_TOKEN + "x", "GET", 401, "unauthorized"),
        ("/volatility/DOGE", API_TOKEN, "GET", 404, "unknown_asset"),
        ("/volatility/ETH", API_TOKEN, "GET", 404, "no_data"),
        ("/prices/BTC", API_TOKEN, "GET", 404, "not_found"),
        ("/volatility/BTC", API_TOKEN, "POST", 405, "method_not_allowed"),
    ],
    # The token is random per process: keep it out of the test ids so pytest-xdist workers agree.
    ids=["no-token", "wrong-token", "token-plus-x", "unknown-asset", "no-data", "unknown-path", "post"],
)
def test_volatility_api_refusals(
    aws: LambdaWorld, path: str, token: str | None, method: str, status: int, error: str
) -> None:
    got_status, body = call_api(path, token, method)
    assert (got_status, body["error"]) == (status, error)
    assert API_TOKEN not in json.dumps(body)


def test_volatility_api_without_a_configured_token_refuses_everyone(
    aws: LambdaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(lambda_secrets.API_TOKEN_PARAMETER_ENV)
    aws.new_container()
    assert call_api("/volatility/BTC", API_TOKEN)[0] == 401
    assert call_api("/volatility/BTC", "")[0] == 401
