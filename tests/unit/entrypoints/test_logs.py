"""JSON log lines: one object per line with the job fields flattened."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal

from kalshi_bots.app.logs import job_context, log_event
from kalshi_bots.entrypoints.logs import setup_logging


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_job_events_become_one_json_object_per_line_with_the_standard_fields():
    stream = io.StringIO()
    handler = setup_logging("INFO", stream)
    try:
        logger = logging.getLogger("kalshi_bots.app.trade_hourly")
        with job_context("trade-hourly-btc", "trade-hourly-btc@2026-05-04T14:45Z"):
            log_event(
                logger,
                "trade.refused",
                "edge too small",
                asset="BTC",
                ticker="KXBTCD-26MAY0411-T97499.99",
                decision="no-trade",
                reason="edge_too_small",
                edge=Decimal("0.012"),
            )
        logging.getLogger("plain").warning("something odd", extra={"asset": "ETH"})
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = lines(stream)
    assert first["event"] == "trade.refused" and first["level"] == "info"
    assert first["job"] == "trade-hourly-btc" and first["run_id"].endswith("14:45Z")
    assert (first["asset"], first["ticker"], first["decision"], first["reason"]) == (
        "BTC",
        "KXBTCD-26MAY0411-T97499.99",
        "no-trade",
        "edge_too_small",
    )
    assert first["edge"] == "0.012" and "ts" in first
    assert list(first)[:3] == ["ts", "level", "event"]
    assert second["event"] == "something odd" and second["asset"] == "ETH" and second["logger"] == "plain"


def test_setup_is_idempotent_and_exceptions_are_one_line():
    stream = io.StringIO()
    setup_logging("INFO", io.StringIO())
    handler = setup_logging("WARNING", stream)
    try:
        logging.getLogger("kalshi_bots.x").info("hidden at WARNING")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("kalshi_bots.x").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    (only,) = lines(stream)
    assert only["error"] == "ValueError: boom" and "Traceback" in str(only["traceback"])
