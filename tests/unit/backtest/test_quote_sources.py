"""Turning each recorded-quote data set into rows: spot stamps, outcomes, the bot log's format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import (
    BacktestDataError,
    load_botlog,
    load_ghcnd_tmax,
    load_official_results,
    load_price_points,
)
from kalshi_bots.app.backtest.quote_rows import SpotSeries
from kalshi_bots.app.backtest.quote_sources import botlog_rows, minute_prices, outcome_from_spot
from kalshi_bots.domain.models import Asset, PriceTick

T0 = datetime(2026, 2, 20, 5, 40, tzinfo=UTC)
CLOSE = datetime(2026, 2, 20, 6, 0, tzinfo=UTC)
D = Decimal


def tick(at: datetime, price: str) -> PriceTick:
    return PriceTick(Asset.BTC, at, D(price))


def test_coinbase_candle_starts_become_observation_times_and_other_pairs_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "spot.csv"
    path.write_text(
        "pair,ts_utc,iso_utc,close\n"
        "BTC-USD,1784376180,2026-07-18T12:03:00+00:00,64500.0\n"
        "ETH-USD,1784376180,2026-07-18T12:03:00+00:00,3000.0\n"
        "BTC-USD,1784376120,2026-07-18T12:02:00+00:00,64490.5\n"
    )
    points = load_price_points(path, Asset.BTC, stamp_offset_s=60)
    assert [p.at.strftime("%H:%M") for p in points] == ["12:03", "12:04"]  # sorted, stamped at candle end
    assert points[1].price == D("64500.0")
    path.write_text("pair,ts_utc,close\nBTC-USD,1784376180,-1\n")
    with pytest.raises(BacktestDataError, match=r"spot\.csv:2: close must be a positive price"):
        load_price_points(path, Asset.BTC)


def test_minute_prices_take_the_last_print_at_most_a_minute_old() -> None:
    prints = [
        tick(T0 + timedelta(seconds=10), "100"),
        tick(T0 + timedelta(seconds=50), "101"),  # -> 05:41
        tick(T0 + timedelta(seconds=175), "102"),  # -> 05:43 (05:42's freshest print, 05:40:50, is 70 s old)
    ]
    got = minute_prices(prints)
    assert [(p.at.strftime("%H:%M"), p.price) for p in got] == [("05:41", D(101)), ("05:43", D(102))]


def test_outcome_from_spot_needs_a_print_within_30_seconds_of_the_close() -> None:
    strike = D("67499.99")
    near = SpotSeries([tick(CLOSE - timedelta(seconds=20), "67500.00")])
    assert outcome_from_spot(near, CLOSE, strike) is True
    at_strike = SpotSeries([tick(CLOSE - timedelta(seconds=5), "67499.99")])
    assert outcome_from_spot(at_strike, CLOSE, strike) is False  # YES needs strictly above
    stale = SpotSeries([tick(CLOSE - timedelta(seconds=31), "70000")])
    assert outcome_from_spot(stale, CLOSE, strike) is None


def _candidate(at: datetime, ticker: str, side: str, **extra: object) -> dict[str, object]:
    return {
        "ts_utc": at.isoformat(),
        "event": "candidate",
        "event_ticker": ticker.rsplit("-", 1)[0],
        "market_ticker": ticker,
        "side": side,
        "bid_cents": 84,
        "ask_proxy_cents": 86,
        "top_size": 543.0,
        "minutes_left": (CLOSE - at).total_seconds() / 60,
        "spot": 67832.38,
        **extra,
    }


def test_bot_log_candidates_official_and_inferred_outcomes(tmp_path: Path) -> None:
    official_ticker = "KXBTCD-26FEB2001-T67499.99"
    inferred_ticker = "KXBTCD-26FEB2001-T67999.99"
    lines = [
        {"ts_utc": T0.isoformat(), "event": "bot_start"},
        _candidate(T0, official_ticker, "yes"),
        _candidate(T0 + timedelta(seconds=11), inferred_ticker, "no", bid_cents=0),
        {"ts_utc": (CLOSE - timedelta(seconds=6)).isoformat(), "event": "tick_summary", "spot": 67900.5},
    ]
    log = tmp_path / "run.jsonl"
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    results = tmp_path / "fills.csv"
    results.write_text(f"market_ticker,market_result\n{official_ticker},yes\n")
    candidates, prints = load_botlog(log)
    assert len(candidates) == 2 and len(prints) == 3
    first, second = candidates
    assert first.close_time == CLOSE and first.ask == D("0.86") and first.bid == D("0.84")
    assert first.ask_size == 543 and second.bid is None  # a 0 bid is no bid
    rows = botlog_rows(candidates, SpotSeries(prints), load_official_results(results))
    assert rows[0].won is True and rows[0].outcome_source == "kalshi result"
    # 67,900.50 six seconds before the close is not above 67,999.99: NO won, so the NO side won.
    assert rows[1].won is True and rows[1].outcome_source == "spot at close"
    assert rows[1].spot == D("67832.38") and rows[1].spot_at == rows[1].at
    log.write_text('{"event": "candidate", "ts_utc": "2026-02-20T05:40:00", "spot": 1}\n')
    with pytest.raises(BacktestDataError, match="no UTC offset"):
        load_botlog(log)


def test_ghcnd_reads_one_city(tmp_path: Path) -> None:
    path = tmp_path / "ghcnd.csv"
    path.write_text(
        "city,city_name,date,nws_settlement_temp,station_id\n"
        "NYC,New York,2021-12-01,48,GHCND:USW00094728\n"
        "CHI,Chicago,2021-12-01,30,GHCND:USW00094846\n"
    )
    assert load_ghcnd_tmax(path, "NYC") == {datetime(2021, 12, 1).date(): 48}
    with pytest.raises(BacktestDataError, match="no rows for city 'MIA'"):
        load_ghcnd_tmax(path, "MIA")
