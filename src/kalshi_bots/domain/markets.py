"""Market time rules and strike selection for the hourly crypto series (KXBTCD, KXETHD).

Event tickers are ``KX{ASSET}D-{YY}{MON}{DD}{HH}`` where the date and ``HH`` are the
**America/New_York** wall-clock date and hour of the event's ``close_time`` (reference kalshi-api.md §6):
``KXBTCD-25DEC1102`` closes 2025-12-11 02:00 EST = 07:00Z. Offsets come from ``zoneinfo`` (IANA data via
the ``tzdata`` dependency), never from a month-based guess.

DST:
- Spring forward (2026-03-08): 02:00 EST jumps to 03:00 EDT. The top of the hour after 06:00Z is 07:00Z =
  03:00 EDT, so there is no ``...0802`` event; nothing is ambiguous.
- Fall back (2026-11-01): 01:00 ET happens twice (05:00Z EDT and 06:00Z EST) and both instants map to the
  same ticker ``...26NOV0101``; Kalshi cannot list two events under one ticker, so we cannot know from the
  ticker which instant it means. :func:`hourly_target` reports ``ambiguous=True`` for both, and callers
  must check that the event's markets close exactly at ``target.close_time`` (the decision function
  refuses with ``CLOSE_TIME_MISMATCH`` otherwise). That is safe whichever choice Kalshi made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.models import Asset, Market, StrikeType

NEW_YORK = ZoneInfo("America/New_York")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
ACTIVE_STATUS = "active"  # the market object's status while it trades (the list filter calls it "open")
# The minutes of each hour the market recorder may snapshot the hourly ladders (:45 to :59).
RECORDER_WINDOW: tuple[int, ...] = tuple(range(45, 60))


def require_aware(t: datetime, name: str = "time") -> datetime:
    """Return ``t`` in UTC; a naive datetime is an error (we never guess a zone)."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise DomainError(f"{name} must be timezone-aware, got naive {t.isoformat()}")
    return t.astimezone(UTC)


def floor_minute(t: datetime, name: str = "time") -> datetime:
    """``t`` in UTC, truncated to its minute: the identity of a scheduled run and of a price row (every
    schedule is minute-granular). A naive time is an error."""
    return require_aware(t, name).replace(second=0, microsecond=0)


def ceil_minute(t: datetime, name: str = "time") -> datetime:
    """The first whole minute at or after ``t`` (UTC)."""
    floor = floor_minute(t, name)
    return floor if floor == t else floor + timedelta(minutes=1)


def next_top_of_hour(t: datetime) -> datetime:
    """The first top of the hour strictly after ``t`` (UTC). 06:45Z -> 07:00Z; 07:00Z -> 08:00Z."""
    utc = require_aware(t, "t")
    return utc.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def minutes_until(close: datetime, now: datetime) -> float:
    """Minutes from ``now`` to ``close`` (negative once ``close`` has passed)."""
    return (require_aware(close, "close") - require_aware(now, "now")).total_seconds() / 60.0


@dataclass(frozen=True, slots=True)
class HourlyTarget:
    """The event a decision at some instant should trade: its ticker and the instant it closes."""

    event_ticker: str
    close_time: datetime  # UTC
    ambiguous: bool  # True when another instant maps to the same ticker (the repeated ET hour)


def event_ticker_for_close(asset: Asset, close_time: datetime) -> str:
    """``KX{ASSET}D-{YY}{MON}{DD}{HH}`` from the ET wall-clock date and hour of ``close_time``."""
    local = require_aware(close_time, "close_time").astimezone(NEW_YORK)
    return f"{asset.hourly_series}-{local:%y}{_MONTHS[local.month - 1]}{local:%d}{local:%H}"


def ticker_hour_is_ambiguous(close_time: datetime) -> bool:
    """Whether another UTC instant one hour away has the same ET wall-clock hour (fall-back night)."""
    utc = require_aware(close_time, "close_time")
    wall = utc.astimezone(NEW_YORK).replace(tzinfo=None)
    return any(
        (utc + delta).astimezone(NEW_YORK).replace(tzinfo=None) == wall
        for delta in (timedelta(hours=1), timedelta(hours=-1))
    )


def hourly_target(asset: Asset, decision_time: datetime) -> HourlyTarget:
    close = next_top_of_hour(decision_time)
    return HourlyTarget(
        event_ticker=event_ticker_for_close(asset, close),
        close_time=close,
        ambiguous=ticker_hour_is_ambiguous(close),
    )


def strike_threshold(spot: Decimal, min_distance_bps: int) -> Decimal:
    """The lowest acceptable strike: ``spot * (1 + bps / 10000)``."""
    if not spot.is_finite() or spot <= 0:
        raise InvalidPriceError(f"spot must be a positive finite price, got {spot}")
    if min_distance_bps < 0:
        raise DomainError(f"min_distance_bps must be >= 0, got {min_distance_bps}")
    return spot * (1 + Decimal(min_distance_bps) / Decimal(10000))


def select_strike(markets: Sequence[Market], spot: Decimal, min_distance_bps: int = 20) -> Market | None:
    """The lowest-strike active "greater" market with ``floor_strike >= spot * (1 + bps/10000)``.

    Uses only structured fields (``strike_type``, ``floor_strike``, ``status``), never titles. Markets
    of another or unknown strike type, without a floor strike, or not active are skipped.
    """
    threshold = strike_threshold(spot, min_distance_bps)
    candidates = [
        m
        for m in markets
        if m.strike_type is StrikeType.GREATER
        and m.status == ACTIVE_STATUS
        and m.floor_strike is not None
        and m.floor_strike.is_finite()
        and m.floor_strike >= threshold
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda m: (m.floor_strike, m.ticker))


def climate_day(t: datetime, standard_utc_offset_hours: int) -> date:
    """The NWS climate day containing ``t``: midnight-to-midnight local **standard** time all year.

    New York is UTC-5 even in summer, so 00:30 EDT (04:30Z) still belongs to the previous climate day.
    """
    if not -12 <= standard_utc_offset_hours <= 14:
        raise DomainError(f"standard_utc_offset_hours out of range: {standard_utc_offset_hours}")
    utc = require_aware(t, "t")
    return (utc + timedelta(hours=standard_utc_offset_hours)).date()


def climate_day_bounds(day: date, standard_utc_offset_hours: int) -> tuple[datetime, datetime]:
    """UTC [start, end) of climate day ``day`` (local standard midnight to the next)."""
    if not -12 <= standard_utc_offset_hours <= 14:
        raise DomainError(f"standard_utc_offset_hours out of range: {standard_utc_offset_hours}")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=standard_utc_offset_hours)
    return start, start + timedelta(days=1)
