"""The market recorder's export format: one CSV row per strike per ladder snapshot (schema version 1).

The recorder stores, at each trading decision (and each minute of the late window), the target event's
whole ladder with spot, the volatility inputs and the model's P(NO); settlement fills in later.
``kalshi-bots export snapshots --format csv`` writes these rows and ``kalshi-bots backtest quotes
--recorder FILE`` reads them, so model-versus-market scoring runs on our own data. This module is the
single definition of the columns and of how each value is written; files are read and written by
:mod:`kalshi_bots.adapters.snapshot_csv`.

Columns, in order (empty cell = unknown / no quote):

==================  ============================================================================
schema_version      ``1``
snapshot_time       when the ladder was read, ISO-8601 UTC (``2026-07-18T15:47:00+00:00``)
trigger             ``decision`` (the bot's :45 decision) or ``minute`` (a timed late-window snapshot)
bot                 e.g. ``btc-hourly``
mode                ``paper``, ``demo`` or ``live``
series_ticker       ``KXBTCD`` / ``KXETHD``
event_ticker        ``KXBTCD-26JUL1812``
market_ticker       ``KXBTCD-26JUL1812-T118499.99``
strike_type         Kalshi ``strike_type`` (``greater`` for the hourly ladders)
floor_strike        dollars (``118499.99``); YES iff the settlement value is strictly above it
cap_strike          dollars, or empty
close_time          the market's close, ISO-8601 UTC
seconds_left        close_time - snapshot_time in seconds (may be fractional)
yes_bid, yes_ask    dollars (``0.91``), best levels of the YES side
no_bid, no_ask      dollars, best levels of the NO side (NO ask = 1 - YES bid on Kalshi's book)
*_size              contracts resting at that level (whole number), next to each price
spot                the underlying's price the model used, dollars
spot_time           when that price was observed (exchange time), ISO-8601 UTC
vol_model           the hourly model's name (``ewma-t``, ``sample-t``, ``spec``)
vol_15m_std_pct     its volatility input: sd of a 15-minute move, percent (0.19 = 0.19 %)
tail_nu             Student-t degrees of freedom, empty = normal law
settlement_average_s  seconds of settlement averaging the pricing assumed (60 or 0)
vol_returns         returns (EWMA) or price points (15-minute sample) behind the estimate
model_p_no          the model's P(NO) at snapshot_time, 0..1
result              ``yes`` / ``no`` once settled, else empty
settlement_value    the settlement index value in dollars once known, else empty
==================  ============================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from kalshi_bots.domain.errors import DomainError

SCHEMA_VERSION = "1"
COLUMNS: tuple[str, ...] = (
    "schema_version",
    "snapshot_time",
    "trigger",
    "bot",
    "mode",
    "series_ticker",
    "event_ticker",
    "market_ticker",
    "strike_type",
    "floor_strike",
    "cap_strike",
    "close_time",
    "seconds_left",
    "yes_bid",
    "yes_bid_size",
    "yes_ask",
    "yes_ask_size",
    "no_bid",
    "no_bid_size",
    "no_ask",
    "no_ask_size",
    "spot",
    "spot_time",
    "vol_model",
    "vol_15m_std_pct",
    "tail_nu",
    "settlement_average_s",
    "vol_returns",
    "model_p_no",
    "result",
    "settlement_value",
)
_RESULTS = ("yes", "no", "")


@dataclass(frozen=True, slots=True)
class Level:
    """One side's best price (dollars) and the contracts resting there; ``None`` = no quote."""

    price: Decimal | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    snapshot_time: datetime
    event_ticker: str
    market_ticker: str
    floor_strike: Decimal | None
    close_time: datetime
    yes_bid: Level
    yes_ask: Level
    no_bid: Level
    no_ask: Level
    spot: Decimal | None
    spot_time: datetime | None
    model_p_no: float | None
    series_ticker: str = ""
    strike_type: str = "greater"
    cap_strike: Decimal | None = None
    trigger: str = ""
    bot: str = ""
    mode: str = ""
    vol_model: str = ""
    vol_15m_std_pct: float | None = None
    tail_nu: float | None = None
    settlement_average_s: float | None = None
    vol_returns: int | None = None
    result: str = ""  # "yes" | "no" | "" (not settled yet)
    settlement_value: Decimal | None = None

    @property
    def seconds_left(self) -> float:
        return (self.close_time - self.snapshot_time).total_seconds()


def _time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        raise DomainError(f"snapshot export: time {value.isoformat()} is not timezone-aware")
    return value.astimezone(UTC).isoformat()


def _text(value: object | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def encode(row: SnapshotRow) -> dict[str, str]:
    """The CSV cells of ``row`` (every column of :data:`COLUMNS`, as text)."""
    if row.result not in _RESULTS:
        raise DomainError(f"snapshot export: result must be yes, no or empty, got {row.result!r}")
    return {
        "schema_version": SCHEMA_VERSION,
        "snapshot_time": _time(row.snapshot_time),
        "trigger": row.trigger,
        "bot": row.bot,
        "mode": row.mode,
        "series_ticker": row.series_ticker,
        "event_ticker": row.event_ticker,
        "market_ticker": row.market_ticker,
        "strike_type": row.strike_type,
        "floor_strike": _text(row.floor_strike),
        "cap_strike": _text(row.cap_strike),
        "close_time": _time(row.close_time),
        "seconds_left": _text(row.seconds_left),
        "yes_bid": _text(row.yes_bid.price),
        "yes_bid_size": _text(row.yes_bid.size),
        "yes_ask": _text(row.yes_ask.price),
        "yes_ask_size": _text(row.yes_ask.size),
        "no_bid": _text(row.no_bid.price),
        "no_bid_size": _text(row.no_bid.size),
        "no_ask": _text(row.no_ask.price),
        "no_ask_size": _text(row.no_ask.size),
        "spot": _text(row.spot),
        "spot_time": _time(row.spot_time),
        "vol_model": row.vol_model,
        "vol_15m_std_pct": _text(row.vol_15m_std_pct),
        "tail_nu": _text(row.tail_nu),
        "settlement_average_s": _text(row.settlement_average_s),
        "vol_returns": _text(row.vol_returns),
        "model_p_no": _text(row.model_p_no),
        "result": row.result,
        "settlement_value": _text(row.settlement_value),
    }


class _Reader:
    """Typed access to one record's cells; every error names the column and ``where``."""

    def __init__(self, record: Mapping[str, str], where: str) -> None:
        self.record = record
        self.where = where

    def raw(self, column: str) -> str:
        value = self.record.get(column)
        if value is None:
            raise DomainError(f"{self.where}: missing column {column!r}")
        return value.strip()

    def bad(self, column: str, what: str) -> DomainError:
        return DomainError(f"{self.where}: {column} {what}, got {self.raw(column)!r}")

    def time(self, column: str) -> datetime:
        value = self.optional_time(column)
        if value is None:
            raise self.bad(column, "is required")
        return value

    def optional_time(self, column: str) -> datetime | None:
        text = self.raw(column)
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.bad(column, "is not an ISO-8601 time") from None
        if value.tzinfo is None:
            raise self.bad(column, "must carry a UTC offset")
        return value.astimezone(UTC)

    def decimal(self, column: str) -> Decimal | None:
        text = self.raw(column)
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.bad(column, "is not a number") from None
        if not value.is_finite():
            raise self.bad(column, "is not finite")
        return value

    def price(self, column: str) -> Decimal | None:
        value = self.decimal(column)
        if value is not None and not 0 <= value <= 1:
            raise self.bad(column, "must be a dollar price from 0 to 1")
        return value

    def number(self, column: str) -> float | None:
        value = self.decimal(column)
        return None if value is None else float(value)

    def whole(self, column: str) -> int | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value != value.to_integral_value() or value < 0:
            raise self.bad(column, "must be a whole number >= 0")
        return int(value)

    def level(self, side: str) -> Level:
        return Level(self.price(side), self.whole(f"{side}_size"))


def decode(record: Mapping[str, str], where: str = "snapshot row") -> SnapshotRow:
    """A :class:`SnapshotRow` from one CSV record; :class:`DomainError` names the column on bad input."""
    r = _Reader(record, where)
    version = r.raw("schema_version")
    if version != SCHEMA_VERSION:
        raise DomainError(f"{where}: schema_version {version!r} is not {SCHEMA_VERSION!r} (this reader)")
    result = r.raw("result").lower()
    if result not in _RESULTS:
        raise r.bad("result", "must be yes, no or empty")
    model_p = r.number("model_p_no")
    if model_p is not None and not 0.0 <= model_p <= 1.0:
        raise r.bad("model_p_no", "must be a probability from 0 to 1")
    vol = r.number("vol_15m_std_pct")
    if vol is not None and not (math.isfinite(vol) and vol >= 0):
        raise r.bad("vol_15m_std_pct", "must be >= 0")
    return SnapshotRow(
        snapshot_time=r.time("snapshot_time"),
        event_ticker=r.raw("event_ticker"),
        market_ticker=r.raw("market_ticker"),
        floor_strike=r.decimal("floor_strike"),
        close_time=r.time("close_time"),
        yes_bid=r.level("yes_bid"),
        yes_ask=r.level("yes_ask"),
        no_bid=r.level("no_bid"),
        no_ask=r.level("no_ask"),
        spot=r.decimal("spot"),
        spot_time=r.optional_time("spot_time"),
        model_p_no=model_p,
        series_ticker=r.raw("series_ticker"),
        strike_type=r.raw("strike_type") or "greater",
        cap_strike=r.decimal("cap_strike"),
        trigger=r.raw("trigger"),
        bot=r.raw("bot"),
        mode=r.raw("mode"),
        vol_model=r.raw("vol_model"),
        vol_15m_std_pct=vol,
        tail_nu=r.number("tail_nu"),
        settlement_average_s=r.number("settlement_average_s"),
        vol_returns=r.whole("vol_returns"),
        result=result,
        settlement_value=r.decimal("settlement_value"),
    )
