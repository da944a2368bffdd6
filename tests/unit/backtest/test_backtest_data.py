from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import (
    BacktestDataError,
    load_cli_highs,
    load_kxhighny_book,
    load_kxhighny_trades,
    load_late_band_quotes,
    load_minute_bars,
    parse_time,
)
from kalshi_bots.domain.models import Asset

from .helpers import BASE_TS, random_walk_closes, write_bitstamp_csv

SLICE = Path(__file__).resolve().parents[2] / "data/backtest/bitstamp_btcusd_1m_2025-01-20_slice.csv"


def test_committed_bitstamp_slice_loads_sorted_without_gaps() -> None:
    bars = load_minute_bars(SLICE)
    assert len(bars) == 2160
    assert bars.ts[0] == BASE_TS
    assert bars.gaps == []
    assert all(b - a == 60 for a, b in pairwise(bars.ts))
    assert all(lo <= c <= h for lo, c, h in zip(bars.low, bars.close, bars.high, strict=True))


def test_gaps_are_detected_and_described(tmp_path: Path) -> None:
    path = write_bitstamp_csv(tmp_path / "b.csv", random_walk_closes(30), skip={10, 11, 12, 20})
    bars = load_minute_bars(path)
    assert [g.missing_minutes for g in bars.gaps] == [3, 1]
    assert bars.missing_minutes == 4
    assert bars.gaps[0].describe() == "3 minute(s) missing from 2025-01-20T00:10:00+00:00"


def test_coinbase_export_newest_first_with_its_column_order(tmp_path: Path) -> None:
    path = tmp_path / "coinbase.csv"
    path.write_text(
        "time,low,high,open,close,volume\n"
        f"{BASE_TS + 120},99,103,101,102,1\n"
        f"{BASE_TS + 60},98,102,100,101,1\n"
        f"{BASE_TS},97,101,99,100,1\n"
    )
    bars = load_minute_bars(path, Asset.ETH)
    assert bars.ts == [BASE_TS, BASE_TS + 60, BASE_TS + 120]
    assert bars.open == [99.0, 100.0, 101.0]
    assert bars.close == [100.0, 101.0, 102.0]
    assert bars.asset is Asset.ETH


def test_iso_open_time_and_milliseconds(tmp_path: Path) -> None:
    iso = tmp_path / "iso.csv"
    iso.write_text(
        "open_time,open,high,low,close,volume\n"
        "2025-01-20T00:00:00Z,1,2,1,2,0\n"
        "2025-01-20 00:01:00,2,3,2,3,0\n"
    )
    assert load_minute_bars(iso).ts == [BASE_TS, BASE_TS + 60]
    ms = tmp_path / "ms.csv"
    ms.write_text(f"open_time,open,high,low,close\n{BASE_TS * 1000},1,2,1,2\n")
    assert load_minute_bars(ms).ts == [BASE_TS]
    assert parse_time("2025-01-20T00:00:00+00:00", "x") == BASE_TS


def test_exact_duplicates_are_dropped_but_conflicting_ones_raise(tmp_path: Path) -> None:
    same = tmp_path / "same.csv"
    same.write_text(f"timestamp,open,high,low,close\n{BASE_TS},1,2,1,2\n{BASE_TS},1,2,1,2\n")
    assert len(load_minute_bars(same)) == 1
    clash = tmp_path / "clash.csv"
    clash.write_text(f"timestamp,open,high,low,close\n{BASE_TS},1,2,1,2\n{BASE_TS},1,3,1,2\n")
    with pytest.raises(BacktestDataError, match="duplicate minute"):
        load_minute_bars(clash)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{BASE_TS + 30},1,2,1,2", "not on a minute boundary"),
        (f"{BASE_TS},1,2,1.5,2", "low <= open"),
        (f"{BASE_TS},1,2,0,2", "positive"),
        (f"{BASE_TS},1,abc,1,2", "non-numeric"),
        ("yesterday,1,2,1,2", "cannot read time"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"timestamp,open,high,low,close\n{body}\n")
    with pytest.raises(BacktestDataError, match=message) as info:
        load_minute_bars(path)
    assert "bad.csv" in str(info.value)


def test_missing_columns_and_files(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("when,open,close\n1,2,3\n")
    with pytest.raises(BacktestDataError, match="no time column"):
        load_minute_bars(path)
    path.write_text("timestamp,open,close\n1,2,3\n")
    with pytest.raises(BacktestDataError, match="missing column"):
        load_minute_bars(path)
    with pytest.raises(BacktestDataError, match="no such file"):
        load_minute_bars(tmp_path / "absent.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(BacktestDataError, match="empty"):
        load_minute_bars(tmp_path / "empty.csv")


def test_late_band_quotes_convert_cents_to_dollars(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "series,ticker,close_ts,close_hour,candle_idx,side,ask,secs_left,won,prior_1,prior_2,prior_3,floor_strike\n"
        "KXBTCD,KXBTCD-26JUL0520-T63699.99,1783296000,0,3,no,89,720,True,85,80,70,63699.99\n"
    )
    (q,) = load_late_band_quotes(path)
    assert str(q.ask) == "0.89"
    assert q.won is True
    assert q.close_time.isoformat() == "2026-07-06T00:00:00+00:00"
    path.write_text(path.read_text().replace(",no,89,", ",maybe,89,"))
    with pytest.raises(BacktestDataError, match="side must be yes/no"):
        load_late_band_quotes(path)


def test_cli_book_and_trades_loaders(tmp_path: Path) -> None:
    cli = tmp_path / "cli.csv"
    cli.write_text(
        "date,cli_high_f,cli_low_f,cli_precip_in,iem_product_id_utc\n2025-12-05,32,20,0.0,202512060620\n"
    )
    assert {str(k): v for k, v in load_cli_highs(cli).items()} == {"2025-12-05": 32}
    book = tmp_path / "book.csv"
    book.write_text(
        "timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask\n"
        "2025-12-04T12:27:16.079996,KXHIGHNY-25DEC05-T37,0,96,100,4\n"
    )
    (top,) = load_kxhighny_book(book)
    assert top.at.isoformat().startswith("2025-12-04T20:27:16")  # PST + 8 h
    assert top.yes_bid is None  # a 0 bid is no bid
    assert top.no_ask is None
    assert str(top.yes_ask) == "0.04"
    trades = tmp_path / "t.csv"
    trades.write_text(
        "market_ticker,ts_utc,price_cents\nKXHIGHNY-25APR12-B41.5,2025-04-13T02:32:38.66085Z,15.0\n"
    )
    (t,) = load_kxhighny_trades(trades)
    assert str(t.yes_price) == "0.15"
