"""The terminal: one human line per meaningful event, colour only on request, JSON only where asked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kalshi_bots.app.logs import job_context, log_event
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.logs import OFFLINE_HINT, setup_cli_logging

log = logging.getLogger("kalshi_bots.app.test")
TICKER = "KXBTCD-26NOV2909-T96499.99"
TRADE = {
    "bot": "btc-hourly",
    "contract_ticker": TICKER,
    "side": "NO",
    "quantity": 5,
    "price_cents": "81",
    "model_prob": 0.8612,
    "edge": 0.039,
    "fees_dollars": "0.06",
    "fill_count": "5",
}


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handlers = setup_cli_logging("INFO", console=out, stderr=Tty())
    yield out
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


def lines(out: io.StringIO) -> list[str]:
    return [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]  # drop the time prefix


def in_run(job: str = "trade-hourly-btc") -> job_context:  # type: ignore[valid-type]
    return job_context(job, f"{job}@2026-11-29T13:45Z")


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("executed", "", f"BUY NO 5 x {TICKER} @ 81c  model 0.86  edge +3.9pp  fee 6c"),
        ("failed", "not_filled", f"BUY NO 5 x {TICKER} @ 81c  model 0.86  edge +3.9pp  not filled: nobody"),
        ("rejected", "order_rejected: insufficient_balance", f"REJECTED BUY NO 5 x {TICKER} @ 81c"),
        ("pending", "", f"SENT BUY NO 5 x {TICKER} @ 81c  model 0.86  edge +3.9pp: outcome unknown"),
    ],
)
def test_a_trade_is_one_line_with_its_numbers(console, status, reason, expected):
    with in_run():
        log_event(log, "trade.recorded", "x", **TRADE, status=status, reason=reason)
        log_event(log, "trade.placed", "the same trade, from the job: not repeated", ticker=TICKER)
    (line,) = lines(console)
    assert line.startswith(expected), line
    assert console.getvalue().startswith("13:45Z ")  # the run's scheduled minute, on the world's clock


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"reason": "edge_too_small", "asset": "BTC", "edge": 0.012, "ticker": TICKER, "detail": "edge"},
            f"no trade BTC: edge too small after fees (best edge +1.2pp on {TICKER})",
        ),
        ({"reason": "vol_stale", "asset": "BTC", "detail": "VOL/LATEST is 400s old (max 180)"},
         "no trade BTC: volatility is stale (collector behind) (VOL/LATEST is 400s old (max 180))"),
        ({"reason": "kill_switch", "asset": "BTC", "detail": "risk gate"}, "no trade BTC: kill switch is on"),
        ({"reason": "loss_limit", "asset": "ETH", "detail": "risk gate"},
         "no trade ETH: daily loss limit reached"),
    ],
)  # fmt: skip
def test_a_no_trade_says_its_reason_in_words(console, fields, expected):
    with in_run():
        log_event(log, "trade.refused", "x", decision="no-trade", **fields)
    (line,) = lines(console)
    assert line.startswith(expected), line


def test_weather_refusals_per_bracket_stay_in_the_log_and_the_run_says_it_once(console):
    with in_run("weather"):
        for city in ("KXHIGHNY-26NOV29", "KXHIGHCHI-26NOV29"):
            log_event(log, "weather.refused", "x", ticker=city, reason="edge_too_small")
        log_event(log, "run.finished", "x", outcome="no-trade", reason="edge_too_small")
    assert lines(console) == ["no trade weather: edge too small after fees"]


def test_fills_settlements_and_halts(console):
    with in_run("reconcile"):
        log_event(log, "reconcile.resolved", "x", ticker=TICKER, status="executed", fill_count="3")
        log_event(log, "reconcile.settled", "x", ticker=TICKER, settlement_result="yes", pnl="-4.11")
        log_event(log, "reconcile.settled", "x", ticker=TICKER, settlement_result="no", pnl="0.95")
    log_event(log, "kill_switch.changed", "x", on=True, reason="manual")
    assert lines(console) == [
        f"FILLED {TICKER}: 3 contracts (found by reconcile)",
        f"SETTLED {TICKER}: result yes, lost  P&L -$4.11",
        f"SETTLED {TICKER}: result no, won  P&L +$0.95",
        "HALT: kill switch ON (manual)",
    ]


def test_an_error_shows_once_with_the_offline_hint_and_its_recovery_once(console):
    for _ in range(3):
        with in_run("collect-prices-btc"):
            log_event(log, "run.finished", "x", logging.ERROR, outcome="error", reason="transient_error",
                      detail="TransientError: connection error on GET /products/BTC-USD/ticker")  # fmt: skip
    with in_run("collect-prices-btc"):
        log_event(log, "run.finished", "x", outcome="ok", reason="")
        log_event(log, "run.finished", "x", outcome="ok", reason="")
    assert lines(console) == [
        "ERROR collect-prices-btc: a service did not answer (network, timeout or 5xx) "
        "(TransientError: connection error on GET /products/BTC-USD/ticker)",
        OFFLINE_HINT,
        "collect-prices-btc recovered after 3 failed run(s)",
        "collect-prices-btc: ok, prices flowing (routine runs: log file only)",
    ]


def test_routine_events_stay_off_the_terminal_and_warnings_reach_it_once_per_failing_spell(console):
    with in_run("collect-prices-eth"):
        log_event(log, "price.collected", "ETH 3507.66 stored=1", asset="ETH")
        log_event(log, "reconcile.done", "nothing to do")
        for _ in range(3):
            log_event(log, "price.backfill_failed", "backfill failed", logging.WARNING)
        log_event(log, "run.finished", "x", outcome="ok")
        log_event(log, "price.backfill_failed", "backfill failed again", logging.WARNING)
    logging.getLogger("kalshi_bots.x").warning("something odd")
    assert lines(console) == [
        "warning: price.backfill_failed: backfill failed",
        "collect-prices-eth: ok, prices flowing (routine runs: log file only)",
        "warning: price.backfill_failed: backfill failed again",
        "warning: something odd",
    ]


def test_colour_only_when_asked():
    out = io.StringIO()
    handlers = setup_cli_logging("INFO", console=out, color=True, stderr=Tty())
    try:
        log_event(log, "kill_switch.changed", "x", on=False, reason="")
    finally:
        for handler in handlers:
            logging.getLogger().removeHandler(handler)
    assert "\x1b[1;35m" in out.getvalue() and out.getvalue().rstrip().endswith("\x1b[0m")


@pytest.mark.parametrize(
    ("log_format", "stderr", "json_on_stderr"),
    [
        ("auto", Tty(), False),
        ("auto", io.StringIO(), True),
        ("json", Tty(), True),
        ("human", io.StringIO(), False),
    ],
)
def test_json_reaches_stderr_only_when_asked_or_not_a_terminal(log_format, stderr, json_on_stderr, tmp_path):
    out, log_file = io.StringIO(), tmp_path / "k.log"
    handlers = setup_cli_logging("INFO", log_format=log_format, console=out, stderr=stderr, log_file=log_file)
    try:
        with in_run():
            log_event(log, "trade.recorded", "x", **TRADE, status="executed")
    finally:
        for handler in handlers:
            logging.getLogger().removeHandler(handler)
            handler.close()
    assert "BUY NO" in out.getvalue() and "{" not in out.getvalue()
    assert bool(stderr.getvalue()) == json_on_stderr
    if json_on_stderr:
        assert json.loads(stderr.getvalue())["event"] == "trade.recorded"
    (filed,) = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert filed["event"] == "trade.recorded" and filed["contract_ticker"] == TICKER  # the file: always JSON


def test_json_flags_print_only_json_on_stdout(tmp_path: Path, capsys):
    env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db")}
    assert main(["db", "init"], env) == 0
    capsys.readouterr()
    for argv in (["trades", "--json"], ["pnl", "--json"], ["positions", "--json", "--no-quotes"]):
        assert main(["--log-format", "json", *argv], env) == 0
        json.loads(capsys.readouterr().out)  # stdout is exactly one JSON document
