"""Score daily-high bracket probabilities (KXHIGHNY) against official NWS CLI highs, and trade them
with the live weather rule.

For each event (one climate day, six brackets) at a decision instant:

- the market: each bracket's best quotes at that instant (recorded book) or its last trade price;
- the model: ``N(mean, sigma)`` through the live :func:`kalshi_bots.domain.weather.event_probabilities`
  (whole-degree brackets, ``weather.bracket_bounds``), every bracket scored;
- the trade: the live decision, :func:`kalshi_bots.domain.weather_decision.decide_weather`, with the
  scenario's mean as the forecast high and its sigma as the day-ahead sigma: the event's one best side
  if its edge clears ``min_edge``, on the tick grid, Kelly-sized against a fixed stated bankroll;
- the outcome: YES iff the CLI high falls in the bracket (same bounds).

No NYC forecasts for these dates exist in the shared data, so the mean comes from one of two stated
sources: ``market`` (the mean of the market's own bracket distribution at the decision, which tests the
sigma and the shape, not the forecast) or ``persistence`` (yesterday's CLI high: a real, weak forecast).
Sigma comes from forecast-error records (weather.com NYC, NWS points) or from persistence errors.

Stated replay assumptions: the recorded book carries no rule text, so each market's ``rules_primary``
names the series' settlement station from the city table (the live station check passes by
construction); the exchange was trading (the book was recording quotes); the bankroll is the same for
every event (positions of consecutive days overlap, so no compounding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.app.backtest.records import ForecastPair
from kalshi_bots.domain.cities import WeatherCity, city_for_series
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.fees import fee_dollars
from kalshi_bots.domain.models import Event, ExchangeStatus, FeeSchedule, FeeType, Market, StrikeType
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.weather import bracket_bounds, event_probabilities
from kalshi_bots.domain.weather_decision import WeatherInputs, WeatherTrade, decide_weather
from kalshi_bots.domain.weather_model import WeatherParams

BANKROLL = Decimal(100)  # what each event's Kelly size is computed against (stated, not compounded)
TRADING = ExchangeStatus(exchange_active=True, trading_active=True)


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
    side: str  # "", "yes" or "no": what the live rule bought (at most one bracket per event)
    price: Decimal | None
    pnl: Decimal  # of one contract at the ask, taker fee paid
    contracts: int = 0  # the live rule's Kelly size
    pnl_sized: Decimal = Decimal(0)  # of the sized order


@dataclass(frozen=True, slots=True)
class EventScore:
    rows: tuple[BracketRow, ...]  # every bracket, the traded one (if any) with its side and P&L
    verdict: WeatherTrade | Refusal  # the live decision on the event


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


def recorded_rules(city: WeatherCity) -> str:
    """The rule text the replay gives a recorded market (the book has none): the city's CLI product."""
    return f"Replayed from a recorded book: settles on the NWS climate report {city.cli_pil} ({city.name})."


def quoted_event(event: WeatherEvent, city: WeatherCity) -> Event:
    """The event as the live job would see it: markets carrying their recorded asks."""
    rules = recorded_rules(city)
    markets = []
    for m in event.markets:
        q = event.quotes.get(m.ticker, Quote(None, None, None))
        markets.append(replace(m, yes_ask=q.yes_ask, no_ask=q.no_ask, rules_primary=rules))
    return Event(event.event_ticker, city.series, tuple(markets))


def decide_event(
    event: WeatherEvent,
    mean_f: float,
    sigma_f: float,
    params: WeatherParams,
    *,
    bankroll: Decimal = BANKROLL,
    fees: FeeSchedule | None = None,
) -> WeatherTrade | Refusal:
    """The live decision on a recorded event: ``mean_f`` is the forecast, ``sigma_f`` the day-ahead sigma."""
    city = city_for_series(event.event_ticker.split("-", 1)[0])
    return decide_weather(
        quoted_event(event, city),
        series_fees=fees or FeeSchedule(FeeType.QUADRATIC),
        status=TRADING,
        city=city,
        inputs=WeatherInputs(mean_f),
        now=event.decision_time,
        params=replace(params, sigma_day_ahead_f=sigma_f),
        bankroll=bankroll,
    )


def score_event(
    event: WeatherEvent,
    mean_f: float,
    sigma_f: float,
    params: WeatherParams | None = None,
    *,
    bankroll: Decimal = BANKROLL,
    fees: FeeSchedule | None = None,
) -> EventScore:
    """Price every bracket with the live model; trade the event with the live rule (:func:`decide_event`)."""
    verdict = decide_event(event, mean_f, sigma_f, params or WeatherParams(), bankroll=bankroll, fees=fees)
    traded = None if isinstance(verdict, Refusal) else verdict
    probabilities = event_probabilities(event.markets, mean_f, sigma_f)
    rows = []
    for m in event.markets:
        y = settles_yes(m, event.cli_high)
        q = event.quotes.get(m.ticker, Quote(None, None, None))
        row = BracketRow(
            event.event_ticker,
            m.ticker,
            event.decision_time,
            mean_f,
            sigma_f,
            probabilities[m.ticker],
            q.market_p,
            y,
            "",
            None,
            Decimal(0),
        )
        if traded is not None and traded.pick.market.ticker == m.ticker:
            row = _with_trade(row, traded, won=y == (1 if traded.pick.side is Side.YES else 0))
        rows.append(row)
    return EventScore(tuple(rows), verdict)


def _with_trade(row: BracketRow, trade: WeatherTrade, *, won: bool) -> BracketRow:
    """Held to settlement: one contract pays the one-contract fee, the sized order its own rounded fee."""
    pick, n = trade.pick, trade.contracts
    payout = Decimal(1) if won else Decimal(0)
    return replace(
        row,
        side=pick.side.value.lower(),
        price=pick.price,
        pnl=payout - pick.price - pick.fee_per_contract,
        contracts=n,
        pnl_sized=(payout - pick.price) * n - fee_dollars(n, pick.price, pick.fees),
    )
