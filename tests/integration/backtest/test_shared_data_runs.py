"""Full-data runs on ../shared/data (skipped without it). These pin the headline figures in docs/model.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import load_late_band_quotes, load_minute_bars
from kalshi_bots.app.backtest.crypto import ReplayConfig
from kalshi_bots.app.backtest.quotes import study
from kalshi_bots.app.backtest.run_crypto import run_crypto
from kalshi_bots.domain.hourly_model import hourly_model
from kalshi_bots.entrypoints.backtest_cli import main

pytestmark = pytest.mark.shared_data

BITSTAMP = "data/bitstamp_btcusd_1m_2025-01/btcusd_bitstamp_1min_2025-01-07_2025-02-03.csv"


@pytest.mark.slow
def test_bitstamp_january_2025_calibration_figures(shared_dir: Path) -> None:
    bars = load_minute_bars(shared_dir / BITSTAMP)
    assert len(bars) == 38_942 and bars.gaps == []
    run = run_crypto(bars)
    losses = {row["model"]: row["decision_log_loss"] for row in run.metrics["comparison_all_hours"]}
    assert run.metrics["replayable_hours"] == 649
    # The literal reading (1-minute sd as the 15-minute sigma) is badly overconfident...
    assert 0.65 < losses["spec-literal"] < 0.85
    # ...the correct-units spec is close, and the walk-forward choice does at least as well out of sample.
    assert 0.29 < losses["spec"] < 0.32
    by_name = {e.model: e for e in run.evaluations}
    assert run.chosen.model != "spec-literal"
    assert run.chosen.oos_log_loss <= by_name["spec"].oos_log_loss
    assert losses[run.chosen.model] < losses["spec"]
    decision = run.metrics["decision_strike"]
    assert abs(decision["mean_p"] - decision["frequency"]) < 0.03


@pytest.mark.slow
def test_weather_full_run(shared_dir: Path, tmp_path: Path) -> None:
    data = shared_dir / "data"
    code = main(
        [
            "weather",
            "--cli",
            str(data / "nws_cli_knyc_central_park_2025/knyc_cli_daily_extract.csv"),
            "--book-dir",
            str(data / "kalshi_kxhighny_orderbook_2025-12"),
            "--trades",
            str(data / "kalshi_kxhighny_trades_2025/KXHIGHNY_trades_last100_per_market.csv"),
            "--weathercom",
            str(data / "weathercom_forecast_vs_actual_nyc_2021-2022/nyc_forecast.csv"),
            "--nws-points",
            str(data / "nws_point_forecasts_10_airports_2025-2026/nws_forecast_highs_10_airports.csv"),
            "--ghcnd",
            str(data / "noaa_ghcnd_daily_tmax_4cities_2020-2024/nws_settlement_ground_truth_OFFICIAL.csv"),
            "--out",
            str(tmp_path),
            "--no-report",
        ]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    sigmas = metrics["sigma_sources"]
    assert 2.0 < sigmas["weathercom"]["sd_f"] < 4.5 and sigmas["weathercom"]["pairs"] > 100
    assert 2.0 < sigmas["nws"]["sd_f"] < 5.0
    book = next(
        s for s in metrics["scenarios"] if s["dataset"] == "book" and s["sigma_source"] == "weathercom"
    )
    assert book["events"] >= 20 and book["brackets"] == 6 * book["events"]
    # Issue 12 item 6, docs/model.md: the calibrated sigma does not beat the live one on the book days,
    # and on the official-truth archive the fitted variants do not beat the live model at lead 1.
    by_sigma = {s["sigma_source"]: s for s in metrics["scenarios"] if s["mean_source"] == "market"}
    assert by_sigma["calibrated"]["model"]["log_loss"] > by_sigma["live"]["model"]["log_loss"]
    official = metrics["calibration"]["archives"]["weathercom vs GHCN (KNYC, official high)"]
    lead1 = {v["variant"]: v for v in official["walk_forward"]["1"]}
    assert all(v["minus_current"] > 0 for name, v in lead1.items() if name != "current")


def test_real_late_band_quotes_are_nearly_fair_before_fees(shared_dir: Path) -> None:
    quotes = load_late_band_quotes(shared_dir / "data/kalshi_kxbtcd_kxethd_late_band_2026/hourly_KXBTCD.csv")
    assert len(quotes) == 8816
    s = study(quotes)
    assert s.scores.n == len(s.trades) > 2000
    assert abs(s.scores.mean_p - s.scores.frequency) < 0.02
    assert s.total_pnl < 0  # after the taker fee, buying late favourites at the ask loses


@pytest.mark.slow
def test_live_model_meets_the_issues_bar_on_bitstamp(shared_dir: Path) -> None:
    """Issue 12 "Must show": ladder log loss of --model live <= 0.97 x spec's on the same strikes within
    +-1.5 % of spot, and the decision strike no worse than spec."""
    bars = load_minute_bars(shared_dir / BITSTAMP)
    run = run_crypto(bars, model="live", config=ReplayConfig(ladder_width_pct=1.5), live=hourly_model())
    against = run.metrics["against_spec_same_rows"]
    ladder, decision = against["ladder"], against["decision_strike"]
    assert ladder["clusters"] == decision["n"] == 648  # every hour with 60 returns of history
    assert ladder["ratio"] <= 0.97
    assert decision["mean_a"] <= decision["mean_b"]


def test_quotes_on_the_shared_matched_data(shared_dir: Path, tmp_path: Path) -> None:
    data = shared_dir / "data"
    found = data / "found-data"
    botlog = found / "kalshi_kxbtcd_botlog_deribit_spot_2026-02"
    code = main(
        [
            "quotes",
            "--late-band",
            str(data / "kalshi_kxbtcd_kxethd_late_band_2026/hourly_KXBTCD.csv"),
            "--spot",
            str(found / "coinbase_btcusd_1m_2026-07-18_20/btcusd_coinbase_1m_close_2026-07-18_20.csv"),
            "--brti",
            str(found / "brti_quarter_hour_from_kx15m_2026/brti_quarter_hour_2026.csv"),
            "--botlog",
            str(botlog / "kxbtcd_v2_paper_run_2026-02-20.jsonl"),
            "--botlog-results",
            str(botlog / "fills_with_settlement_2026-02-20.csv"),
            "--out",
            str(tmp_path),
            "--no-report",
        ]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    band = metrics["by_source_vs_ask"]["late-band"]
    # The 33 events with Coinbase minutes: 235 band rows with a spot <= 60 s old (the issue's stretch).
    assert band["model"]["n"] == 235 and band["log_loss_model_minus_market"]["clusters"] == 33
    assert band["market"]["log_loss"] == pytest.approx(0.2384, abs=1e-4)
    assert 0.2 < band["model"]["log_loss"] < 0.3
    assert metrics["sources"]["late-band"]["spot_minus_index"]["points"] >= 100  # Coinbase vs BRTI
    assert metrics["by_source_vs_ask"]["botlog-2026-02"]["model"]["n"] > 500
