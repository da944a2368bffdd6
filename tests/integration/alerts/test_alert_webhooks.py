"""Alerts end to end: the hourly bot trades, the market settles, a run fails; a local webhook receiver
gets one POST for each, with the right fields and nothing secret. A dead or hanging webhook changes
nothing about the trading run."""

from __future__ import annotations

import json
import logging
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app.results import Outcome
from kalshi_bots.sandbox.webhook_receiver import FakeWebhookReceiver
from trading_world import TRADE_AT, trading_world

HOOK_SECRET = "T0SECRET/B0SECRET/hook-secret-xyz"
API_SECRET = "api-token-SECRET-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def everything_sent(hooks: FakeWebhookReceiver) -> str:
    """Bodies and headers (the path is the webhook URL itself: it carries the token by design)."""
    return json.dumps([(p.headers, p.body) for p in hooks.posts])


def test_a_trade_a_settlement_and_an_error_each_post_once_with_the_right_fields(tmp_path: Path):
    with FakeWebhookReceiver() as hooks:
        env = {"ALERT_WEBHOOKS": hooks.url(f"services/{HOOK_SECRET}"), "API_TOKEN": API_SECRET}
        with trading_world(tmp_path / "k.db", ALERT_SUMMARY_AT="off", **env) as world:
            traded = world.trade()
            assert traded.outcome is Outcome.OK, traded
            (trade,) = SqliteStore(str(tmp_path / "k.db")).all_trades()
            (placed,) = hooks.posts
            body = placed.body
            assert body["event"] == "trade.placed"
            assert body["contract_ticker"] == trade.contract_ticker and body["side"] == "NO"
            assert body["quantity"] == trade.quantity and body["status"] == "executed"
            assert body["price_cents"] == str(trade.price_cents) and body["model_prob"] == trade.model_prob
            assert body["edge"] == trade.edge and body["fees_dollars"] == str(trade.fees_dollars)
            assert body["text"].startswith(f"BUY NO {trade.quantity} x {trade.contract_ticker} @ 25c")
            assert "edge +" in body["text"] and "fee " in body["text"]

            settled = world.settle()
            assert settled.outcome is Outcome.OK and settled.data["settled"] == 1
            assert len(hooks.posts) == 2
            (trade,) = SqliteStore(str(tmp_path / "k.db")).all_trades()
            body = hooks.posts[1].body
            assert body["event"] == "trade.settled" and body["contract_ticker"] == trade.contract_ticker
            assert body["settlement_result"] == trade.settlement_result
            assert body["pnl_dollars"] == str(trade.pnl_dollars)
            assert body["text"].startswith(
                f"SETTLED {trade.contract_ticker}: result {trade.settlement_result}"
            )

            world.world.kalshi.fail_next(403, times=None, path=r"/exchange/status$")
            failed = world.trade(TRADE_AT + timedelta(hours=1))
            assert failed.outcome is Outcome.ERROR
            assert len(hooks.posts) == 3
            body = hooks.posts[2].body
            assert body["event"] == "job.error" and body["job"] == "trade-hourly-btc"
            assert body["reason"] == failed.reason and body["text"].startswith("ERROR trade-hourly-btc")

            world.settle()  # nothing new: a second look announces nothing twice
            assert len(hooks.posts) == 3
    sent = everything_sent(hooks)
    assert HOOK_SECRET not in sent and API_SECRET not in sent


def test_a_dead_webhook_leaves_the_trading_run_unchanged(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with trading_world(tmp_path / "quiet.db") as world:
        quiet = world.trade()
    dead = f"http://127.0.0.1:{free_port()}/services/{HOOK_SECRET}"  # nothing listens there
    caplog.set_level(logging.WARNING)
    with trading_world(tmp_path / "dead.db", ALERT_WEBHOOKS=dead) as world:
        loud = world.trade()
    assert loud == quiet  # same outcome, reason, detail and data
    assert (
        SqliteStore(str(tmp_path / "dead.db")).all_trades()
        == SqliteStore(str(tmp_path / "quiet.db")).all_trades()
    )
    failures = [r for r in caplog.records if getattr(r, "event", "") == "alert.failed"]
    assert failures, "the failed delivery is logged"
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert HOOK_SECRET not in logged and "127.0.0.1" in logged  # the host, never the token


def test_a_hanging_webhook_is_tried_once_then_muted_no_retry_storm(tmp_path: Path):
    with FakeWebhookReceiver() as hooks:
        hooks.delay_s = 5.0  # longer than the notifier's 3 s timeout
        with trading_world(
            tmp_path / "k.db", ALERT_WEBHOOKS=hooks.url("hook"), ALERT_SUMMARY_AT="off"
        ) as world:
            assert world.trade().outcome is Outcome.OK
            assert world.settle().outcome is Outcome.OK  # a settlement alert is due: muted, not sent
        assert len(hooks.posts) <= 1  # the first attempt may still arrive late; nothing after it
