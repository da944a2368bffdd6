"""``backtest quotes``: which recorded quotes are scored, and how (synthetic fixture in tests/data).

Fixture rows and what each one pins (tests/data/backtest/quotes/):

late_band.csv with spot_minutes.csv (Coinbase candle starts; candles 11:50 and 11:51 missing):
  11:50 NO  spot 0 s old                      -> scored
  11:51 NO  freshest spot 60 s old            -> scored (the limit is inclusive)
  11:52 NO  freshest spot 120 s old           -> dropped: no_spot_within_60s
  11:53 YES spot 0 s old, YES lost            -> scored, outcome 0
  10:50 NO  only 49 returns of history        -> dropped: no_model_input
  KXETHD row                                  -> not a BTC quote: not read
recorder_export.csv (schema v1): see the comments in the generator notes of each test below.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import load_late_band_quotes, load_price_points
from kalshi_bots.adapters.snapshot_csv import SnapshotFileError, read_snapshot_csv, write_snapshot_csv
from kalshi_bots.app.backtest.quote_rule import RuleConfig
from kalshi_bots.app.backtest.quote_scoring import QuoteSource, study_quotes
from kalshi_bots.app.backtest.quote_sources import late_band_rows, recorder_rows
from kalshi_bots.domain.hourly_model import hourly_model
from kalshi_bots.domain.models import Asset
from kalshi_bots.domain.pricing import prob_no_t
from kalshi_bots.domain.scoring import log_loss

DATA = Path(__file__).resolve().parents[2] / "data/backtest/quotes"
MODEL = hourly_model()


def late_band_source() -> QuoteSource:
    minutes = load_price_points(DATA / "spot_minutes.csv", Asset.BTC, stamp_offset_s=60)
    rows = late_band_rows(load_late_band_quotes(DATA / "late_band.csv"), "KXBTCD")
    return QuoteSource("late-band", rows, minutes)


def test_late_band_rows_need_a_spot_at_most_60_seconds_old_and_a_model_input() -> None:
    result = study_quotes([late_band_source()], MODEL)
    assert result.seen == {"late-band": 5}
    assert result.drops == {"late-band": {"no_spot_within_60s": 1, "no_model_input": 1}}
    times = [r.quote.at.strftime("%H:%M") for r in result.rows]
    assert times == ["11:50", "11:51", "11:53"]
    assert [r.spot_age_s for r in result.rows] == [0.0, 60.0, 0.0]
    assert [r.outcome for r in result.rows] == [1, 1, 0]


def test_late_band_model_p_is_the_live_model_on_the_collector_minutes() -> None:
    """Closes alternate between 100000 and 100000 e^0.0005 (to the cent), so every squared return is
    the same and the EWMA's vol_15m is that step x sqrt(15) x 100, whatever the weights."""
    first = study_quotes([late_band_source()], MODEL).rows[0]
    spot = Decimal(f"{100000 * math.exp(0.0005):.2f}")  # the 11:49 candle (odd minute: the high close)
    vol = math.log(float(spot) / 100000) * math.sqrt(15) * 100
    assert first.vol_15m_std_pct == pytest.approx(vol, rel=1e-12)
    assert first.spot == spot
    expected = prob_no_t(spot, Decimal("100199.99"), 10.0, vol, 5.0, settlement_average_s=60.0)
    assert first.model_p == pytest.approx(expected, rel=1e-9)
    assert first.market_p == 0.90 and first.fee == Decimal("0.01")


def recorder_source() -> QuoteSource:
    return QuoteSource("recorder", recorder_rows(read_snapshot_csv(DATA / "recorder_export.csv")))


def test_recorder_rows_selection() -> None:
    """9 snapshot rows: spot 61 s old, not settled, after the close and no ask at all are dropped."""
    result = study_quotes([recorder_source()], MODEL)
    assert result.seen == {"recorder": 9}
    assert result.drops == {
        "recorder": {
            "no_spot_within_60s": 1,
            "outcome_unknown": 1,
            "not_before_close": 1,
            "no_usable_ask": 1,
        }
    }
    assert len(result.rows) == 5


def test_recorder_scores_by_hand() -> None:
    result = study_quotes([recorder_source()], MODEL)
    by_ticker = {r.quote.ticker.rsplit("-", 1)[-1]: r for r in result.rows}
    # (side, model p of that side, market ask, outcome of that side)
    expected = {
        "T100299.99": ("no", 0.97, 0.90, 1),
        "T100399.99": ("no", 0.99, 0.95, 1),
        "T99499.99": ("yes", 0.95, 0.93, 1),  # the recorder's P(NO) 0.05: P(YES) 0.95
        "T100699.99": ("no", 0.70, 0.80, 0),
        "T100599.99": ("no", 0.60, 0.55, 0),
    }
    for strike, (side, p, ask, won) in expected.items():
        row = by_ticker[strike]
        assert (row.quote.side, row.outcome) == (side, won)
        assert row.model_p == pytest.approx(p) and row.market_p == ask
    c = result.versus_ask
    assert c is not None
    ys = [v[3] for v in expected.values()]
    assert c.model.log_loss == pytest.approx(log_loss([v[1] for v in expected.values()], ys))
    assert c.market.log_loss == pytest.approx(log_loss([v[2] for v in expected.values()], ys))
    assert c.log_loss_difference.clusters == 2  # two events
    mid = result.versus_mid
    assert mid is not None and mid.market.n == 3  # the rows that recorded a bid
    assert mid.market.log_loss == pytest.approx(log_loss([0.89, 0.94, 0.92], [1, 1, 1]))


def test_the_live_rule_buys_the_first_qualifying_no_per_event_after_fees() -> None:
    """Event 1: T100299.99 (edge 0.97 - 0.91 = 0.06) and T100399.99 (edge 0.03, also enough) at the
    same time: the lower strike is the rule's pick, one trade per event. Event 2: T100699.99 has a
    negative edge; T100599.99 has edge 0.03 but sits under spot x 1.002. So one trade, +$0.09."""
    result = study_quotes([recorder_source()], MODEL, rule=RuleConfig(min_edge=0.03))
    trades = [r for r in result.rows if r.rule_trade]
    assert [t.quote.ticker for t in trades] == ["KXBTCD-26JUL1812-T100299.99"]
    assert result.rule.trades == 1 and result.rule.total_pnl == Decimal("0.09")
    assert result.rule.total_fees == Decimal("0.01")
    stricter = study_quotes([recorder_source()], MODEL, rule=RuleConfig(min_edge=0.07))
    assert stricter.rule.trades == 0


def test_sources_are_scored_together_and_apart() -> None:
    result = study_quotes([late_band_source(), recorder_source()], MODEL)
    assert len(result.rows) == 8
    assert set(result.by_source) == {"late-band", "recorder"}
    assert result.versus_ask is not None and result.versus_ask.model.n == 8


def test_the_recorder_export_round_trips_byte_for_byte(tmp_path: Path) -> None:
    rows = read_snapshot_csv(DATA / "recorder_export.csv")
    again = tmp_path / "again.csv"
    assert write_snapshot_csv(rows, again) == 9
    assert again.read_bytes() == (DATA / "recorder_export.csv").read_bytes()
    assert read_snapshot_csv(again) == rows
    assert rows[0].seconds_left == 900.0
    assert rows[0].snapshot_time == datetime(2026, 7, 18, 15, 45, tzinfo=UTC)


def test_a_bad_export_cell_names_the_file_line_and_column(tmp_path: Path) -> None:
    text = (DATA / "recorder_export.csv").read_text().splitlines()
    text[2] = text[2].replace(",0.95,", ",1.95,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(SnapshotFileError, match=r"bad.csv:3: no_ask must be a dollar price"):
        read_snapshot_csv(bad)
    other = tmp_path / "other.csv"
    other.write_text("ticker,price\nX,1\n")
    with pytest.raises(SnapshotFileError, match="not a snapshot export"):
        read_snapshot_csv(other)
