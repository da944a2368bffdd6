"""Score daily-high bracket probabilities (KXHIGHNY) against official NWS CLI highs.

For each event (one climate day, six brackets) at a decision instant:

- the market: each bracket's best quotes at that instant (recorded book) or its last trade price;
- the model: ``N(mean, sigma)`` through the live :func:`kalshi_bots.domain.weather.event_probabilities`
  (whole-degree brackets, ``pricing.bracket_bounds``);
- the outcome: YES iff the CLI high falls in the bracket (same bounds).

No NYC forecasts for these dates exist in the shared data, so the mean comes from one of two stated
sources: ``market`` (the mean of the market's own bracket distribution at the decision, which tests the
sigma and the shape, not the forecast) or ``persistence`` (yesterday's CLI high: a real, weak forecast).
Sigma comes from forecast-error records (weather.com NYC, NWS points) or from persistence errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.fees import fee_per_contract
from kalshi_bots.domain.models import FeeSchedule, FeeType, Market, StrikeType
from kalshi_bots.domain.pricing import bracket_bounds
from kalshi_bots.domain.weather import event_probabilities


@dataclass(frozen=True, slots=True)
class Quote:
    yes_ask: Decimal | None
    no_ask: Decimal | None
    market_p: float | None  # the market's YES probability (mid, or last trade)


@dataclass(frozen=True, slots=True)
class WeatherEvent:
    event_ticker: str
    day: date
    decision_time: datetime
    markets: tuple[Market, ...]
    quotes: Mapping[str, Quote]
    cli_high: int


@dataclass(frozen=True, slots=True)
class BracketRow:
    event_ticker: str
    ticker: str
    decision_time: datetime
    mean_f: float
    sigma_f: float
    p_yes: float
    market_p: float | None
    outcome_yes: int
    side: str  # "", "yes" or "no": what the edge rule bought
    price: Decimal | None
    pnl: Decimal


def bracket_market(
    ticker: str, event_ticker: str, close_time: datetime, all_tickers: Sequence[str]
) -> Market:
    """A KXHIGHNY market from its ticker: ``-B32.5`` = 32–33 °F, ``-T<k>`` a tail below or above."""
    suffix = ticker.rsplit("-", 1)[-1]
    try:
        value = Decimal(suffix[1:])
    except ArithmeticError as exc:
        raise DomainError(f"cannot read strike of {ticker!r}") from exc
    floor: Decimal | None
    cap: Decimal | None
    if suffix[0] == "B":
        floor, cap, kind = value - Decimal("0.5"), value + Decimal("0.5"), StrikeType.BETWEEN
    elif suffix[0] == "T":
        bracket_floors = [
            Decimal(t.rsplit("-", 1)[-1][1:]) for t in all_tickers if t.rsplit("-", 1)[-1][0] == "B"
        ]
        if not bracket_floors:
            raise DomainError(f"{ticker}: a tail needs the event's B brackets to know its side")
        below = value < min(bracket_floors)
        floor, cap = (None, value) if below else (value, None)
        kind = StrikeType.LESS if below else StrikeType.GREATER
    else:
        raise DomainError(f"not a KXHIGHNY bracket ticker: {ticker!r}")
    return Market(ticker, event_ticker, kind, floor, cap, close_time, None, None, None, None)


def settles_yes(market: Market, high: int) -> int:
    lo, hi = bracket_bounds(market.floor_strike, market.cap_strike, market.strike_type)
    return int(lo <= high < hi)


def market_mean(event: WeatherEvent) -> float | None:
    """Mean of the market's own distribution: normalised YES probabilities times bracket centres."""
    weights: list[tuple[float, float]] = []
    for m in event.markets:
        q = event.quotes.get(m.ticker)
        if q is None or q.market_p is None:
            return None
        lo, hi = bracket_bounds(m.floor_strike, m.cap_strike, m.strike_type)
        centre = (
            (lo + hi) / 2
            if math.isfinite(lo) and math.isfinite(hi)
            else (hi - 1.5 if math.isinf(lo) else lo + 1.5)
        )
        weights.append((q.market_p, centre))
    total = sum(w for w, _ in weights)
    return None if total <= 0 else sum(w * c for w, c in weights) / total


def persistence_mean(cli: Mapping[date, int], day: date) -> float | None:
    previous = cli.get(day - timedelta(days=1))
    return None if previous is None else float(previous)


def error_sd(pairs: Sequence[ForecastPair]) -> tuple[float, float, int]:
    """(sd, mean bias, n) of ``actual - forecast``."""
    if len(pairs) < 2:
        raise DomainError(f"need at least 2 forecast/actual pairs for a sigma, got {len(pairs)}")
    errors = [p.error_f for p in pairs]
    bias = sum(errors) / len(errors)
    sd = math.sqrt(sum((e - bias) ** 2 for e in errors) / (len(errors) - 1))
    return sd, bias, len(errors)


def persistence_sd(cli: Mapping[date, int], before: date, lag: int = 1, min_pairs: int = 10) -> float | None:
    """sd of ``lag``-day CLI changes on days before ``before`` (walk-forward: no look-ahead)."""
    diffs = [
        float(h - cli[d - timedelta(days=lag)])
        for d, h in cli.items()
        if d < before and d - timedelta(days=lag) in cli
    ]
    if len(diffs) < min_pairs:
        return None
    mean = sum(diffs) / len(diffs)
    return math.sqrt(sum((x - mean) ** 2 for x in diffs) / (len(diffs) - 1))


def score_event(
    event: WeatherEvent,
    mean_f: float,
    sigma_f: float,
    min_edge: float = 0.05,
    fees: FeeSchedule | None = None,
) -> list[BracketRow]:
    """Price every bracket with the live code; buy 1 contract of a side whose edge clears ``min_edge``."""
    schedule = fees or FeeSchedule(FeeType.QUADRATIC)
    probabilities = event_probabilities(event.markets, mean_f, sigma_f)
    rows = []
    for m in event.markets:
        p = probabilities[m.ticker]
        y = settles_yes(m, event.cli_high)
        q = event.quotes.get(m.ticker, Quote(None, None, None))
        side, price, pnl = "", None, Decimal(0)
        for name, ask, p_side, won in (("yes", q.yes_ask, p, y == 1), ("no", q.no_ask, 1 - p, y == 0)):
            if ask is None or not (0 < ask < 1):
                continue
            fee = fee_per_contract(1, ask, schedule)
            if p_side - float(ask + fee) >= min_edge:
                side, price = name, ask
                pnl = (Decimal(1) if won else Decimal(0)) - ask - fee
                break
        rows.append(
            BracketRow(
                event.event_ticker,
                m.ticker,
                event.decision_time,
                mean_f,
                sigma_f,
                p,
                q.market_p,
                y,
                side,
                price,
                pnl,
            )
        )
    return rows
