"""Daily high-temperature markets: event tickers, climate days, brackets and their pricing.

The climate day is midnight to midnight local **standard** time all year (NWS; reference feeds.md C.4),
see :func:`kalshi_bots.domain.markets.climate_day`; per-city offsets live in ``domain/cities.py``.
The event's date comes from its ticker (``KXHIGHNY-26AUG17`` -> 2026-08-17), never from ``close_time``
(which falls on the next UTC day).

Brackets (reference kalshi-api.md §7, feeds.md C.3): the settled value T is a whole °F, and a market's
structured fields decide YES:

- ``between``: floor <= T <= cap, inclusive at both ends (``B74.5``: floor 74, cap 75 -> 74 or 75);
- ``greater``: T > floor, strictly (``T94`` greater -> 95 or more);
- ``less``: T < cap, strictly (``T62`` less -> 61 or less).

A continuous forecast X ~ N(mean, sigma) rounds to T = n when n - 0.5 <= X < n + 0.5, so a bracket is
P(lo <= X < hi) with lo = (smallest integer allowed) - 0.5 and hi = (largest integer allowed) + 0.5.
For integer strikes this is exactly: between 72..73 -> [71.5, 73.5), greater 74 -> [74.5, inf),
less 62 -> (-inf, 61.5). Half-degree strikes (newer rule texts, e.g. 82.5) follow from the same rule
(greater 82.5 -> 83 or more -> [82.5, inf)). The ``*_or_equal`` types are supported in the obvious way.
The forecast model that supplies (mean, sigma) is :mod:`kalshi_bots.domain.weather_model`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import climate_day, climate_day_bounds
from kalshi_bots.domain.models import Market, StrikeType
from kalshi_bots.domain.pricing import normal_cdf

__all__ = [
    "bracket_bounds",
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


Strike = float | Decimal


def bracket_bounds(floor: Strike | None, cap: Strike | None, strike_type: StrikeType) -> tuple[float, float]:
    """Continuous bounds [lo, hi) of the forecast X that settle YES (see the module docstring)."""
    inf = math.inf
    if strike_type is StrikeType.BETWEEN:
        lo_int, hi_int = math.ceil(_strike("floor", floor)), math.floor(_strike("cap", cap))
        if lo_int > hi_int:
            raise DomainError(f"between bracket {floor}..{cap} contains no whole degree")
        return lo_int - 0.5, hi_int + 0.5
    if strike_type is StrikeType.GREATER:
        return math.floor(_strike("floor", floor)) + 0.5, inf
    if strike_type is StrikeType.GREATER_OR_EQUAL:
        return math.ceil(_strike("floor", floor)) - 0.5, inf
    if strike_type is StrikeType.LESS:
        return -inf, math.ceil(_strike("cap", cap)) - 0.5
    if strike_type is StrikeType.LESS_OR_EQUAL:
        return -inf, math.floor(_strike("cap", cap)) + 0.5
    raise DomainError(f"strike type {strike_type.value!r} is not a temperature bracket; refusing to price it")


def bracket_probability(
    mean_f: float, sigma_f: float, floor: Strike | None, cap: Strike | None, strike_type: StrikeType
) -> float:
    """P(YES) of a whole-degree temperature bracket when the value is ~ N(mean_f, sigma_f)."""
    _check_normal(mean_f, sigma_f)
    lo, hi = bracket_bounds(floor, cap, strike_type)
    return _clip(_p_below(hi, mean_f, sigma_f) - _p_below(lo, mean_f, sigma_f))


def bracket_probability_given_observed(  # noqa: PLR0917 (signature shared with the weather bot)
    mean_remaining_max: float,
    sigma: float,
    observed_max_f: float,
    floor: Strike | None,
    cap: Strike | None,
    strike_type: StrikeType,
) -> float:
    """P(YES) when the day's final max is ``max(observed_max_f, Y)``, Y ~ N(mean_remaining_max, sigma).

    Y is the max of the rest of the climate day. P(max < x) = 0 for x <= observed, else P(Y < x): the
    observed high puts an atom of probability at itself, so brackets wholly below it get 0.
    """
    _check_normal(mean_remaining_max, sigma)
    if not math.isfinite(observed_max_f):
        raise DomainError(f"observed_max_f must be finite, got {observed_max_f!r}")
    lo, hi = bracket_bounds(floor, cap, strike_type)

    def below(x: float) -> float:
        return _p_below(x, mean_remaining_max, sigma) if x > observed_max_f else 0.0

    return _clip(below(hi) - below(lo))


def _p_below(x: float, mean: float, sigma: float) -> float:
    """P(X < x) for X ~ N(mean, sigma); sigma 0 is a point mass at ``mean``."""
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    if sigma == 0.0:
        return 1.0 if mean < x else 0.0
    return normal_cdf((x - mean) / sigma)


def _check_normal(mean: float, sigma: float) -> None:
    if not math.isfinite(mean):
        raise DomainError(f"forecast mean must be finite, got {mean!r}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise DomainError(f"forecast sigma must be a finite number >= 0, got {sigma!r}")


def _strike(name: str, value: Strike | None) -> float:
    if value is None:
        raise DomainError(f"bracket needs a {name} strike, got None")
    number = float(value)
    if not math.isfinite(number):
        raise DomainError(f"{name} strike must be finite, got {value}")
    return number


def _clip(p: float) -> float:
    return min(1.0, max(0.0, p))
