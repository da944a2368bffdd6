from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.app.backtest.quotes import first_in_band, study
from kalshi_bots.app.backtest.records import BookTop, ForecastPair, LateBandQuote
from kalshi_bots.app.backtest.run_weather import Scenario, run_scenario
from kalshi_bots.app.backtest.weather import (
    Quote,
    WeatherEvent,
    bracket_market,
    error_sd,
    market_mean,
    persistence_sd,
    quoted_event,
    score_event,
    settles_yes,
)
from kalshi_bots.app.backtest.weather_events import decision_instant, events_from_book
from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.domain.decision import NoTradeReason, Refusal
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import ExchangeStatus, FeeSchedule, FeeType, StrikeType
from kalshi_bots.domain.weather_decision import WeatherInputs, WeatherTrade, decide_weather
from kalshi_bots.domain.weather_model import WeatherParams

CLOSE = datetime(2026, 7, 6, tzinfo=UTC)


def _q(ticker: str, side: str, ask: str, secs: int, won: bool) -> LateBandQuote:
    return LateBandQuote("KXBTCD", ticker, CLOSE, side, Decimal(ask), secs, won, Decimal("63699.99"))


def test_first_in_band_takes_the_quote_with_most_time_left_per_market_and_side() -> None:
    quotes = [
        _q("A", "no", "0.90", 300, True),
        _q("A", "no", "0.89", 720, True),
        _q("A", "yes", "0.95", 200, False),
    ]
    picked = first_in_band(quotes)
    assert [(q.side, q.secs_left) for q in picked] == [("no", 720), ("yes", 200)]
    assert [q.side for q in first_in_band(quotes, "no")] == ["no"]


def test_favourite_pnl_is_payout_minus_ask_minus_taker_fee() -> None:
    s = study([_q("A", "no", "0.90", 720, True), _q("B", "no", "0.95", 720, False)])
    # fees: ceil(0.07 * 0.9 * 0.1 * 100) = 1 cent; ceil(0.07 * 0.95 * 0.05 * 100) = 1 cent
    assert [t.pnl for t in s.trades] == [Decimal("0.09"), Decimal("-0.96")]
    assert s.total_pnl == Decimal("-0.87")
    assert s.scores.n == 2 and s.scores.frequency == 0.5
    assert [(b.ask_cents, b.count) for b in s.buckets] == [(90, 1), (95, 1)]


TICKERS = [f"KXHIGHNY-25DEC05-{s}" for s in ("T30", "B30.5", "B32.5", "B34.5", "B36.5", "T37")]
CLOSE_W = datetime(2025, 12, 6, 5, tzinfo=UTC)


def test_bracket_tickers_become_live_shaped_markets() -> None:
    low = bracket_market(TICKERS[0], "KXHIGHNY-25DEC05", CLOSE_W, TICKERS)
    mid = bracket_market(TICKERS[2], "KXHIGHNY-25DEC05", CLOSE_W, TICKERS)
    high = bracket_market(TICKERS[5], "KXHIGHNY-25DEC05", CLOSE_W, TICKERS)
    assert (low.strike_type, low.cap_strike) == (StrikeType.LESS, Decimal(30))
    assert (mid.strike_type, mid.floor_strike, mid.cap_strike) == (
        StrikeType.BETWEEN,
        Decimal(32),
        Decimal(33),
    )
    assert (high.strike_type, high.floor_strike) == (StrikeType.GREATER, Decimal(37))
    # Outcomes follow the reference's rules: T30 "less than 30" = 29 or below; T37 = 38 or above.
    assert [settles_yes(low, 29), settles_yes(low, 30)] == [1, 0]
    assert [settles_yes(mid, 32), settles_yes(mid, 33), settles_yes(mid, 34)] == [1, 1, 0]
    assert [settles_yes(high, 37), settles_yes(high, 38)] == [0, 1]
    with pytest.raises(DomainError):
        bracket_market("KXHIGHNY-25DEC05-X1", "KXHIGHNY-25DEC05", CLOSE_W, TICKERS)


def _event(quotes: dict[str, Quote], high: int = 33) -> WeatherEvent:
    markets = tuple(bracket_market(t, "KXHIGHNY-25DEC05", CLOSE_W, TICKERS) for t in TICKERS)
    # Decided the day before at 16:00 New York time, as the recorded-book events are: tomorrow's event.
    decision = decision_instant(date(2025, 12, 5), -1, 16)
    return WeatherEvent("KXHIGHNY-25DEC05", date(2025, 12, 5), decision, markets, quotes, high)


def test_market_mean_and_the_live_edge_rule() -> None:
    mids = dict(zip(TICKERS, (0.02, 0.1, 0.6, 0.2, 0.06, 0.02), strict=True))
    quotes = {t: Quote(Decimal("0.50"), Decimal("0.60"), p) for t, p in mids.items()}
    mean = market_mean(_event(quotes))
    assert mean is not None and 32.0 < mean < 34.0
    scored = score_event(_event(quotes), mean_f=32.5, sigma_f=1.0)
    rows = scored.rows
    assert abs(sum(r.p_yes for r in rows) - 1.0) < 1e-9
    # The live rule: one trade per event, the side and bracket with the largest edge. The 32-33 YES
    # (p ~0.68 vs 0.50 + 2c fee: edge ~0.16) clears 5 points too, but NO on "38 or above" (p_no ~1.0 vs
    # 0.60 + 2c: edge ~0.38) is larger; the old backtest rule bought both, one contract each.
    traded = [r for r in rows if r.side]
    assert [(r.ticker, r.side) for r in traded] == [("KXHIGHNY-25DEC05-T37", "no")]
    (winner,) = traded
    assert winner.outcome_yes == 0
    assert winner.pnl == Decimal(1) - Decimal("0.60") - Decimal("0.02")
    assert isinstance(scored.verdict, WeatherTrade) and winner.contracts == scored.verdict.contracts == 5
    assert winner.pnl_sized == 5 * (Decimal(1) - Decimal("0.60")) - Decimal("0.09")  # ceil(7% x 5 x .24)
    assert scored.verdict.pick.p_yes == tuple((r.ticker, r.p_yes) for r in rows)


def test_the_backtest_trade_is_the_live_decision_on_the_recorded_event() -> None:
    """No second rule: score_event's verdict is decide_weather on the quoted event, number for number."""
    mids = dict(zip(TICKERS, (0.02, 0.1, 0.6, 0.2, 0.06, 0.02), strict=True))
    quotes = {t: Quote(Decimal("0.50"), Decimal("0.60"), p) for t, p in mids.items()}
    event = _event(quotes)
    params = WeatherParams(min_edge=0.02, max_contracts=3)
    city = city_for_series("KXHIGHNY")
    live = decide_weather(
        quoted_event(event, city),
        series_fees=FeeSchedule(FeeType.QUADRATIC),
        status=ExchangeStatus(True, True),
        city=city,
        inputs=WeatherInputs(32.5),
        now=event.decision_time,
        params=replace(params, sigma_day_ahead_f=1.0),
        bankroll=Decimal(40),
    )
    assert score_event(event, 32.5, 1.0, params, bankroll=Decimal(40)).verdict == live
    # A refusal is the live refusal too: no quotes at all.
    empty = _event({t: Quote(None, None, None) for t in TICKERS})
    verdict = score_event(empty, 32.5, 1.0, params).verdict
    assert isinstance(verdict, Refusal) and verdict.reason is NoTradeReason.NO_QUOTE
    assert not any(r.side for r in score_event(empty, 32.5, 1.0, params).rows)


def test_sigmas_from_error_records_and_persistence() -> None:
    pairs = [
        ForecastPair("x", date(2025, 1, d), date(2025, 1, d + 1), 1, 50.0, 50.0 + e)
        for d, e in enumerate((1, -1, 3), 1)
    ]
    sd, bias, n = error_sd(pairs)
    assert (n, bias) == (3, 1.0) and sd == pytest.approx(2.0)
    cli = {date(2025, 12, 1) + timedelta(days=i): 40 + (i % 2) * 4 for i in range(15)}
    assert persistence_sd(cli, date(2025, 12, 16)) == pytest.approx(math.sqrt(14 * 16 / 13))  # +-4 swings
    assert persistence_sd(cli, date(2025, 12, 5)) is None  # too few earlier days: no look-ahead fill


def test_events_from_book_use_the_last_state_before_the_decision() -> None:
    day = date(2025, 12, 5)
    decision = decision_instant(day, -1, 16)
    assert decision.isoformat() == "2025-12-04T21:00:00+00:00"
    tops = []
    for t in TICKERS:
        tops.append(BookTop(decision - timedelta(hours=2), t, Decimal("0.10"), Decimal("0.85")))
        tops.append(BookTop(decision + timedelta(hours=1), t, Decimal("0.50"), Decimal("0.45")))
    (event,) = events_from_book(tops, {day: 33})
    q = event.quotes[TICKERS[2]]
    assert q.yes_ask == Decimal("0.15") and q.no_ask == Decimal("0.90") and q.market_p == pytest.approx(0.125)
    result = run_scenario(Scenario("book", "market", "fixed"), [event], {day: 33}, {"fixed": 2.0})
    assert result.events == 1 and len(result.rows) == 6 and result.scores is not None
    persistence = run_scenario(Scenario("book", "persistence", "persistence"), [event], {day: 33}, {})
    assert persistence.events == 0 and persistence.skipped_events == 1  # no earlier CLI days


def test_trade_events_carry_no_market_price_because_the_last_100_cap_biases_it() -> None:
    from kalshi_bots.app.backtest.records import TradePrint
    from kalshi_bots.app.backtest.weather_events import events_from_trades

    day = date(2025, 12, 5)
    early = decision_instant(day, -1, 16) - timedelta(hours=3)
    prints = [TradePrint(early, t, Decimal("0.30")) for t in TICKERS]
    prints.append(TradePrint(early, "KXHIGHNY-25DEC06-B40.5", Decimal("0.5")))  # a lone bracket: skipped
    (event,) = events_from_trades(prints, {day: 33, date(2025, 12, 6): 41})
    assert len(event.markets) == 6
    assert all(q.market_p is None and q.yes_ask is None for q in event.quotes.values())
