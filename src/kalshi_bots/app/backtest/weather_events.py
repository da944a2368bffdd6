"""Build scoreable :class:`WeatherEvent` s from recorded KXHIGHNY books or trades plus CLI highs."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from kalshi_bots.app.backtest.records import BookTop, TradePrint
from kalshi_bots.app.backtest.weather import Quote, WeatherEvent, bracket_market
from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.weather import weather_event_date


def decision_instant(day: date, day_offset: int, local_hour: int) -> datetime:
    """``local_hour``:00 New York time on ``day + day_offset``, in UTC."""
    local = datetime.combine(day + timedelta(days=day_offset), time(local_hour), tzinfo=NEW_YORK)
    return local.astimezone(UTC)


def _event_of(ticker: str) -> str:
    return ticker.rsplit("-", 1)[0]


def _build(
    event_ticker: str,
    tickers: Sequence[str],
    quotes: Mapping[str, Quote],
    decision: datetime,
    cli: Mapping[date, int],
) -> WeatherEvent | None:
    day = weather_event_date(event_ticker)
    if day not in cli:
        return None
    close = decision_instant(day, 1, 0)
    markets = tuple(bracket_market(t, event_ticker, close, tickers) for t in sorted(tickers))
    return WeatherEvent(event_ticker, day, decision, markets, quotes, cli[day])


def _mid(top: BookTop) -> float | None:
    ask = top.yes_ask
    if top.yes_bid is None or ask is None:
        return None
    return float((top.yes_bid + ask) / 2)


def events_from_book(
    tops: Sequence[BookTop], cli: Mapping[date, int], day_offset: int = -1, local_hour: int = 16
) -> list[WeatherEvent]:
    """One event per event ticker: each bracket's last book state at the decision instant."""
    by_event: dict[str, dict[str, list[BookTop]]] = defaultdict(lambda: defaultdict(list))
    for top in tops:
        by_event[_event_of(top.ticker)][top.ticker].append(top)
    events = []
    for event_ticker, books in sorted(by_event.items()):
        decision = decision_instant(weather_event_date(event_ticker), day_offset, local_hour)
        quotes: dict[str, Quote] = {}
        for ticker, rows in books.items():
            rows.sort(key=lambda r: r.at)
            k = bisect_right(rows, decision, key=lambda r: r.at)
            if k:
                last = rows[k - 1]
                quotes[ticker] = Quote(last.yes_ask, last.no_ask, _mid(last))
        if len(quotes) == len(books):
            event = _build(event_ticker, list(books), quotes, decision, cli)
            if event is not None:
                events.append(event)
    return events


def events_from_trades(
    prints: Sequence[TradePrint], cli: Mapping[date, int], day_offset: int = -1, local_hour: int = 16
) -> list[WeatherEvent]:
    """One event per event ticker with at least two brackets traded, carrying **no** market prices.

    The trades file keeps only each market's last 100 trades, so busy brackets have no trades before
    the decision while quiet (near-certain) ones do: a "last trade before the decision" would be a
    biased sample of the market. These events are therefore scored for the model only, with no
    market comparison and no P&L.
    """
    tickers: dict[str, set[str]] = defaultdict(set)
    for p in prints:
        tickers[_event_of(p.ticker)].add(p.ticker)
    events = []
    for event_ticker, names in sorted(tickers.items()):
        if len(names) < 2:
            continue
        decision = decision_instant(weather_event_date(event_ticker), day_offset, local_hour)
        quotes = {t: Quote(None, None, None) for t in names}
        event = _build(event_ticker, sorted(names), quotes, decision, cli)
        if event is not None:
            events.append(event)
    return events
