"""End to end: the CLI on the committed Bitstamp slice and on synthetic Kalshi/weather files."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kalshi_bots.entrypoints.backtest_cli import add_backtest_parser, main, run_backtest

DATA = Path(__file__).resolve().parents[2] / "data/backtest"
SLICE = DATA / "bitstamp_btcusd_1m_2025-01-20_slice.csv"
CLI_SLICE = DATA / "knyc_cli_2025-12_slice.csv"


def test_crypto_writes_decisions_metrics_and_an_offline_report(tmp_path: Path) -> None:
    quotes = tmp_path / "hourly_KXBTCD.csv"
    quotes.write_text(
        "series,ticker,close_ts,close_hour,candle_idx,side,ask,secs_left,won,prior_1,prior_2,prior_3,floor_strike\n"
        "KXBTCD,KXBTCD-26JUL0520-T63699.99,1783296000,0,3,no,89,720,True,85,80,70,63699.99\n"
        "KXBTCD,KXBTCD-26JUL0520-T63799.99,1783296000,0,3,yes,92,600,False,85,80,70,63799.99\n"
    )
    out = tmp_path / "out"
    code = main(
        ["crypto", "--prices", str(SLICE), "--out", str(out), "--folds", "3", "--quotes", str(quotes)]
    )
    assert code == 0
    with (out / "decisions.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for column in ("decision_time", "spot", "strike", "minutes_left", "sigma_pct", "p_no", "outcome_no"):
        assert column in rows[0]
    decision_rows = [r for r in rows if r["decision_strike"] == "1"]
    metrics = json.loads((out / "metrics.json").read_text())
    # 36 hours; the first may lack the history a 120-minute model needs (reported, not faked).
    assert len(decision_rows) == metrics["decision_strike"]["n"] == 36 - metrics["skipped_hours_no_sigma"]
    assert len(decision_rows) >= 35 and len(rows) > 10 * len(decision_rows)  # ~20 ladder strikes an hour
    assert all(r["decision_time"].endswith(":45:00+00:00") for r in rows)
    assert len(metrics["decision_strike"]["calibration"]) == 10
    assert metrics["ladder"]["n"] == len(rows)
    assert {m["model"] for m in metrics["walk_forward"]["models"]} >= {"spec", "spec-literal", "student-t"}
    assert metrics["kalshi_recorded_quotes"]["entries"] == 2
    assert "market_price_assumption" in metrics["assumptions"]
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "http" not in page.replace("https://creativecommons", "")  # nothing fetched when opened offline
    for png in ("reliability.png", "histogram.png", "equity.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_decision_only_rows_and_a_fixed_model(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert (
        main(
            [
                "crypto",
                "--prices",
                str(SLICE),
                "--out",
                str(out),
                "--folds",
                "3",
                "--strikes",
                "decision",
                "--model",
                "spec",
                "--no-report",
            ]
        )
        == 0
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "spec"
    with (out / "decisions.csv").open() as handle:
        assert sum(1 for _ in handle) == 37
    assert not (out / "report.html").exists()


def test_bad_input_is_a_clear_error_and_exit_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close\n1737331230,1,2,1,2\n")
    assert main(["crypto", "--prices", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not on a minute boundary" in capsys.readouterr().err


def test_parser_plugs_into_the_main_cli_shape(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="kalshi-bots")
    add_backtest_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "backtest",
            "crypto",
            "--prices",
            str(SLICE),
            "--out",
            str(tmp_path),
            "--folds",
            "3",
            "--no-report",
            "--strikes",
            "decision",
        ]
    )
    assert run_backtest(args) == 0


def test_weather_on_synthetic_book_and_committed_cli_slice(tmp_path: Path) -> None:
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    tickers = [f"KXHIGHNY-25DEC05-{s}" for s in ("T30", "B30.5", "B32.5", "B34.5", "B36.5", "T37")]
    bids = {
        "T30": (1, 97),
        "B30.5": (20, 78),
        "B32.5": (45, 53),
        "B34.5": (25, 73),
        "B36.5": (5, 93),
        "T37": (1, 97),
    }
    lines = ["timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask"]
    for t in tickers:
        yes, no = bids[t.rsplit("-", 1)[1]]
        lines.append(f"2025-12-04T10:00:00.000001,{t},{yes},{no},{100 - yes},{100 - no}")
    (book_dir / "market_data_KXHIGHNY-25DEC05.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "w"
    code = main(
        ["weather", "--cli", str(CLI_SLICE), "--book-dir", str(book_dir), "--sigma", "2.5", "--out", str(out)]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    market = next(s for s in metrics["scenarios"] if s["mean_source"] == "market")
    assert market["events"] == 1 and market["brackets"] == 6
    assert market["model"]["n"] == 6
    with (out / "brackets.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    winner = next(r for r in rows if r["ticker"].endswith("B32.5") and "market" in r["scenario"])
    assert winner["outcome_yes"] == "1"  # CLI high on 2025-12-05 was 32
    assert (out / "report.html").exists()


def test_matplotlib_is_only_imported_when_a_report_is_drawn() -> None:
    code = (
        "import sys, kalshi_bots.entrypoints.backtest_cli, kalshi_bots.adapters.report; "
        "sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_module_runs_standalone(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kalshi_bots.entrypoints.backtest_cli",
            "crypto",
            "--prices",
            str(SLICE),
            "--out",
            str(tmp_path),
            "--folds",
            "3",
            "--no-report",
            "--strikes",
            "decision",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "decision-strike log loss" in result.stdout


QUOTES = DATA / "quotes"


def test_quotes_writes_rows_metrics_and_a_report(tmp_path: Path) -> None:
    out = tmp_path / "q"
    code = main(
        [
            "quotes",
            "--late-band",
            str(QUOTES / "late_band.csv"),
            "--spot",
            str(QUOTES / "spot_minutes.csv"),
            "--recorder",
            str(QUOTES / "recorder_export.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with (out / "quotes.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    for column in ("ticker", "time", "seconds_left", "side", "ask", "fee", "model_p", "outcome"):
        assert rows[0][column] != ""
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rows_scored"] == 8 and metrics["model"] == "ewma-t"
    assert metrics["model_vs_market_ask"]["log_loss_model_minus_market"]["clusters"] == 3
    assert metrics["live_rule"]["pnl"]["trades"] == 1
    assert metrics["dropped"]["late-band"] == {"no_spot_within_60s": 1, "no_model_input": 1}
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3  # reliability, histogram, the rule's P&L
    assert "Model versus market" in page


def test_quotes_needs_a_quote_source(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["quotes", "--spot", str(QUOTES / "spot_minutes.csv"), "--out", str(tmp_path)]) == 2
    assert "needs --late-band" in capsys.readouterr().err


def test_model_live_follows_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--model live`` is what the bot runs under KALSHI_BOTS_*: here the previous model, sample-t."""
    monkeypatch.setenv("KALSHI_BOTS_HOURLY_MODEL", "sample-t")
    out = tmp_path / "live"
    args = ["crypto", "--prices", str(SLICE), "--folds", "3", "--model", "live", "--no-report"]
    assert main([*args, "--strikes", "decision", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "live" and "sample-t" in metrics["model_description"]
    by_model = {row["model"]: row for row in metrics["comparison_all_hours"]}
    assert by_model["live"]["ladder_log_loss"] == by_model["sample-t"]["ladder_log_loss"]
    monkeypatch.setenv("KALSHI_BOTS_HOURLY_MODEL", "garch")
    assert main([*args, "--out", str(out)]) == 2


def test_model_live_defaults_to_ewma_t(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KALSHI_BOTS_HOURLY_MODEL", raising=False)
    out = tmp_path / "live"
    args = ["crypto", "--prices", str(SLICE), "--folds", "3", "--model", "live", "--no-report", "--out"]
    assert main([*args, str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "ewma-t" in metrics["model_description"]
    assert metrics["against_spec_same_rows"]["ladder"]["clusters"] >= 34
