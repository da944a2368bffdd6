"""Daily high-temperature markets: event tickers, climate days and whole-event bracket pricing.

The climate day is midnight to midnight local **standard** time all year (NWS; reference feeds.md C.4),
see :func:`kalshi_bots.domain.markets.climate_day`; per-city offsets live in ``domain/cities.py``.
The event's date comes from its ticker (``KXHIGHNY-26AUG17`` -> 2026-08-17), never from ``close_time``
(which falls on the next UTC day).
Bracket semantics and the rounding model are documented in :mod:`kalshi_bots.domain.pricing`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import climate_day, climate_day_bounds
from kalshi_bots.domain.models import Market
from kalshi_bots.domain.pricing import (
    bracket_bounds,
    bracket_probability,
    bracket_probability_given_observed,
)

__all__ = [
    "bracket_probability",
    "bracket_probability_given_observed",
    "brackets_partition",
    "climate_day",
    "climate_day_bounds",
    "event_probabilities",
    "weather_event_date",
    "weather_event_ticker",
]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_EVENT_DATE = re.compile(r"^(?P<series>[A-Z0-9]+)-(?P<yy>\d{2})(?P<mon>[A-Z]{3})(?P<dd>\d{2})$")


def weather_event_ticker(series_ticker: str, day: date) -> str:
    """``KXHIGHNY`` + 2026-08-17 -> ``KXHIGHNY-26AUG17``."""
    return f"{series_ticker}-{day:%y}{_MONTHS[day.month - 1]}{day:%d}"


def weather_event_date(event_ticker: str) -> date:
    """The climate day an event is about, parsed from its ticker."""
    match = _EVENT_DATE.match(event_ticker)
    if match is None or match["mon"] not in _MONTHS:
        raise DomainError(f"not a daily weather event ticker: {event_ticker!r}")
    try:
        return date(2000 + int(match["yy"]), _MONTHS.index(match["mon"]) + 1, int(match["dd"]))
    except ValueError as exc:
        raise DomainError(f"invalid date in event ticker {event_ticker!r}") from exc


def brackets_partition(markets: Sequence[Market]) -> bool:
    """Whether the markets' YES regions tile the whole line exactly once (no gap, no overlap).

    A weather bot should refuse an event whose brackets do not: its probabilities would not sum to 1.
    """
    try:
        bounds = sorted(bracket_bounds(m.floor_strike, m.cap_strike, m.strike_type) for m in markets)
    except DomainError:
        return False
    if not bounds or bounds[0][0] != -math.inf or bounds[-1][1] != math.inf:
        return False
    return all(prev[1] == nxt[0] for prev, nxt in pairwise(bounds))


def event_probabilities(
    markets: Sequence[Market],
    mean_f: float,
    sigma_f: float,
    *,
    observed_max_f: float | None = None,
) -> dict[str, float]:
    """P(YES) for every market of one event, keyed by market ticker.

    With ``observed_max_f`` the forecast is of the *remaining* day's max and the final high is
    ``max(observed, remaining)``.
    """
    result: dict[str, float] = {}
    for m in markets:
        if observed_max_f is None:
            p = bracket_probability(mean_f, sigma_f, m.floor_strike, m.cap_strike, m.strike_type)
        else:
            p = bracket_probability_given_observed(
                mean_f, sigma_f, observed_max_f, m.floor_strike, m.cap_strike, m.strike_type
            )
        result[m.ticker] = p
    return result
