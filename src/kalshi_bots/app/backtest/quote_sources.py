"""Turn each recorded-quote data set into :class:`~kalshi_bots.app.backtest.quote_scoring.QuoteRow` s.

- **late band** (``kalshi_kxbtcd_kxethd_late_band_2026``): one row per 1-minute candle whose ask was
  88-96 cents, at the candle's end (``close - secs_left``); Kalshi's ``won`` is the outcome; no spot of
  its own (it comes from the spot series).
- **bot log** (``kalshi_kxbtcd_botlog_deribit_spot_2026-02``): each ``candidate`` with its side's bid,
  ask, size and the Deribit index at that instant. Outcome: Kalshi's ``market_result`` for the filled
  markets; otherwise YES iff the last index print at most :data:`MAX_CLOSE_GAP_S` before the close was
  strictly above the strike (that rule reproduces all 25 official results in that folder).
- **recorder** (our own export, :mod:`kalshi_bots.domain.snapshot_export`): one row per strike per
  snapshot, on the NO side (the side the bot trades) or the YES side when NO has no ask; the row keeps
  the recorder's own model P(NO).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from kalshi_bots.app.backtest.quote_rows import QuoteRow, SpotSeries
from kalshi_bots.app.backtest.records import BotlogCandidate, LateBandQuote
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.domain.models import PriceTick
from kalshi_bots.domain.pricing import prob_no_law
from kalshi_bots.domain.snapshot_export import SnapshotRow

MAX_CLOSE_GAP_S = 30.0
KALSHI = "kalshi result"
SPOT_AT_CLOSE = "spot at close"


def event_of(ticker: str) -> str:
    return ticker.rsplit("-", 1)[0]


def late_band_rows(
    quotes: Sequence[LateBandQuote], series: str = "KXBTCD", source: str = "late-band"
) -> list[QuoteRow]:
    """The quotes of one series (the file mixes KXBTCD and KXETHD when concatenated)."""
    return [
        QuoteRow(
            source=source,
            event_ticker=event_of(q.ticker),
            ticker=q.ticker,
            at=q.close_time - timedelta(seconds=q.secs_left),
            close_time=q.close_time,
            side=q.side,
            ask=q.ask,
            strike=q.floor_strike,
            won=q.won,
            outcome_source=KALSHI,
        )
        for q in quotes
        if q.ticker.startswith(f"{series}-")
    ]


def minute_prices(points: Sequence[PriceTick], max_age_s: float = 60.0) -> list[PriceTick]:
    """Irregular prints -> one price per minute boundary: the last print at or before it, if at most
    ``max_age_s`` old (what a collector polling at each minute would have stored)."""
    series = SpotSeries(points)
    if not series.points:
        return []
    first = floor_minute(series.points[0].at) + timedelta(minutes=1)
    last = series.points[-1].at + timedelta(seconds=max_age_s)
    out: list[PriceTick] = []
    minute = first
    while minute <= last:
        point = series.at_or_before(minute)
        if point is not None and (minute - point.at).total_seconds() <= max_age_s:
            out.append(PriceTick(point.asset, minute, point.price))
        minute += timedelta(minutes=1)
    return out


def strike_of(ticker: str) -> Decimal:
    """``KXBTCD-26FEB2001-T67499.99`` -> 67499.99 (the floor strike)."""
    return Decimal(ticker.rsplit("-", 1)[-1].lstrip("T"))


def outcome_from_spot(spots: SpotSeries, close: datetime, strike: Decimal) -> bool | None:
    """YES iff the last print at most 30 s before the close is strictly above the strike."""
    point = spots.at_or_before(close)
    if point is None or (close - point.at).total_seconds() > MAX_CLOSE_GAP_S:
        return None
    return point.price > strike


def botlog_rows(
    candidates: Sequence[BotlogCandidate],
    spots: SpotSeries,
    official: Mapping[str, str],
    source: str = "botlog-2026-02",
) -> list[QuoteRow]:
    rows = []
    for c in candidates:
        strike = strike_of(c.ticker)
        result = official.get(c.ticker)
        if result in ("yes", "no"):
            yes_won: bool | None = result == "yes"
            how = KALSHI
        else:
            yes_won = outcome_from_spot(spots, c.close_time, strike)
            how = SPOT_AT_CLOSE
        rows.append(
            QuoteRow(
                source=source,
                event_ticker=c.event_ticker,
                ticker=c.ticker,
                at=c.at,
                close_time=c.close_time,
                side=c.side,
                ask=c.ask,
                bid=c.bid,
                ask_size=c.ask_size,
                strike=strike,
                won=None if yes_won is None else yes_won == (c.side == "yes"),
                spot=c.spot,
                spot_at=c.at,
                outcome_source=how,
            )
        )
    return rows


def recorder_rows(snapshots: Sequence[SnapshotRow], source: str = "recorder") -> list[QuoteRow]:
    rows = []
    for s in snapshots:
        if s.floor_strike is None or s.strike_type != "greater":
            continue  # the hourly ladders only
        side, level, bid = (
            ("no", s.no_ask, s.no_bid) if s.no_ask.price is not None else ("yes", s.yes_ask, s.yes_bid)
        )
        yes_won = None if s.result == "" else s.result == "yes"
        rows.append(
            QuoteRow(
                source=source,
                event_ticker=s.event_ticker,
                ticker=s.market_ticker,
                at=s.snapshot_time,
                close_time=s.close_time,
                side=side,
                ask=level.price,
                bid=bid.price,
                ask_size=level.size,
                strike=s.floor_strike,
                won=None if yes_won is None else yes_won == (side == "yes"),
                spot=s.spot,
                spot_at=s.spot_time,
                outcome_source=KALSHI if yes_won is not None else "",
                recorded_p_no=_recorded_p_no(s),
            )
        )
    return rows


def _recorded_p_no(s: SnapshotRow) -> float | None:
    """The recorder's P(NO); rebuilt from its stored inputs with the live pricing when only those exist."""
    if s.model_p_no is not None:
        return s.model_p_no
    if s.vol_15m_std_pct is None or s.vol_15m_std_pct <= 0 or s.spot is None or s.floor_strike is None:
        return None
    return prob_no_law(
        s.spot,
        s.floor_strike,
        s.seconds_left / 60.0,
        s.vol_15m_std_pct,
        tail_nu=s.tail_nu,
        settlement_average_s=s.settlement_average_s or 0.0,
    )
