"""Full-data runs on ../shared/data (skipped without it). These pin the headline figures in docs/model.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import load_late_band_quotes, load_minute_bars
from kalshi_bots.app.backtest.quotes import study
from kalshi_bots.app.backtest.run_crypto import run_crypto
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


def test_real_late_band_quotes_are_nearly_fair_before_fees(shared_dir: Path) -> None:
    quotes = load_late_band_quotes(shared_dir / "data/kalshi_kxbtcd_kxethd_late_band_2026/hourly_KXBTCD.csv")
    assert len(quotes) == 8816
    s = study(quotes)
    assert s.scores.n == len(s.trades) > 2000
    assert abs(s.scores.mean_p - s.scores.frequency) < 0.02
    assert s.total_pnl < 0  # after the taker fee, buying late favourites at the ask loses
