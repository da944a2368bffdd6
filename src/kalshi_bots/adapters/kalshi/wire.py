"""Lenient pydantic models of Kalshi Trade API v2 payloads and their conversion to domain models.

Lenient on purpose (reference §8: the generated SDK breaks on any new enum value or field):
- unknown fields are ignored (``extra="ignore"``);
- enum-like fields are plain ``str``; the domain parses them with an UNKNOWN fallback;
- ``*_dollars`` / ``*_fp`` strings and JSON numbers become ``Decimal`` via ``str`` (never via float);
- only what we cannot work without is required (a ticker, a close time, an order's counts and fees...):
  a missing amount is a malformed reply, never a zero;
- a quote is a price strictly between 0 and 1; Kalshi shows an empty side as ``null``/absent, as the
  extreme values (bid 0, ask 1), or, on markets that never traded, as ``yes_ask 0`` / ``no_bid 1``:
  every one of those forms is "no quote" (``None``), never a price.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kalshi_bots.domain.models import (
    Event,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    Market,
    PriceRange,
    StrikeType,
)

_ZERO = Decimal(0)
_ONE = Decimal(1)


def _decimal(value: Any) -> Any:
    """'0.4200' / 73249.99 / 12 -> Decimal exactly as written; None and '' stay None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    return value


Dec = Annotated[Decimal | None, BeforeValidator(_decimal)]
# A number the reply must carry: absent, null or "" is a validation error (a malformed reply).
ReqDec = Annotated[Decimal, BeforeValidator(_decimal)]


class Wire(BaseModel):
    # defer_build: each model's validator is built once, on its first use, not at import. A Lambda
    # cold start then pays only for the replies its job parses (a paper run never parses the account
    # replies: orders, fills, settlements, balance).
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


# --- exchange status -------------------------------------------------------------------------------


class ExchangeIndexStatusWire(Wire):
    exchange_index: int
    exchange_active: bool = True
    trading_active: bool = True


class ExchangeStatusWire(Wire):
    exchange_active: bool
    trading_active: bool
    exchange_estimated_resume_time: datetime | None = None
    # Absent when Kalshi does not report shards; the domain then uses the exchange-wide flags.
    exchange_index_statuses: list[ExchangeIndexStatusWire] | None = None

    def to_domain(self) -> ExchangeStatus:
        shards = tuple(
            (s.exchange_index, s.exchange_active and s.trading_active)
            for s in self.exchange_index_statuses or ()
        )
        return ExchangeStatus(self.exchange_active, self.trading_active, shards)


# --- series, events, markets -----------------------------------------------------------------------


class SeriesWire(Wire):
    ticker: str
    fee_type: str | None = None
    fee_multiplier: Dec = None

    def fee_schedule(self) -> FeeSchedule:
        multiplier = _ONE if self.fee_multiplier is None else self.fee_multiplier
        return FeeSchedule(FeeType.parse(self.fee_type), multiplier)


class SeriesResponse(Wire):
    series: SeriesWire


def _quote(value: Decimal | None, name: str) -> Decimal | None:
    """A price strictly inside (0, 1), or None for any of Kalshi's empty-book forms (0 or 1).

    Reference §3.4 documents bid 0 / ask 1; real 2026 replies for markets that never traded also show
    ``yes_ask_dollars "0.0000"`` and ``no_bid_dollars "1.0000"`` (../shared kalshi_api_payloads_real).
    Neither end can be a real quote, whichever side it is on.
    """
    if value is None or value in (_ZERO, _ONE):
        return None
    if not _ZERO < value < _ONE:
        raise ValueError(f"{name} {value} is not a price between 0 and 1")
    return value


class PriceRangeWire(Wire):
    start: ReqDec
    end: ReqDec
    step: ReqDec

    def to_domain(self, where: str) -> PriceRange:
        if self.step <= 0 or self.start > self.end:
            raise ValueError(f"{where}: price range {self.start}..{self.end} step {self.step} is not a grid")
        return PriceRange(self.start, self.end, self.step)


class MarketWire(Wire):
    ticker: str
    event_ticker: str
    close_time: datetime
    status: str = ""
    market_type: str = ""
    strike_type: str | None = None
    floor_strike: Dec = None
    cap_strike: Dec = None
    yes_bid_dollars: Dec = None
    yes_ask_dollars: Dec = None
    no_bid_dollars: Dec = None
    no_ask_dollars: Dec = None
    yes_bid_size_fp: Dec = None
    yes_ask_size_fp: Dec = None
    last_price_dollars: Dec = None
    volume_fp: Dec = None
    result: str = ""
    rules_primary: str = ""
    rules_secondary: str = ""
    exchange_index: int | None = None
    price_ranges: list[PriceRangeWire] | None = None

    def to_domain(self) -> Market:
        where = f"market {self.ticker}"
        return Market(
            ticker=self.ticker,
            event_ticker=self.event_ticker,
            strike_type=StrikeType.parse(self.strike_type),
            floor_strike=self.floor_strike,
            cap_strike=self.cap_strike,
            close_time=utc(self.close_time),
            yes_bid=_quote(self.yes_bid_dollars, f"{where} yes_bid_dollars"),
            yes_ask=_quote(self.yes_ask_dollars, f"{where} yes_ask_dollars"),
            no_bid=_quote(self.no_bid_dollars, f"{where} no_bid_dollars"),
            no_ask=_quote(self.no_ask_dollars, f"{where} no_ask_dollars"),
            status=self.status,
            rules_primary=self.rules_primary,
            exchange_index=self.exchange_index,
            result=self.result,
            yes_ask_size=self.yes_ask_size_fp,
            yes_bid_size=self.yes_bid_size_fp,
            price_ranges=tuple(r.to_domain(where) for r in self.price_ranges or ()),
        )


class MarketResponse(Wire):
    market: MarketWire


class EventWire(Wire):
    event_ticker: str
    series_ticker: str = ""
    title: str = ""
    markets: list[MarketWire] | None = None
    exchange_index: int | None = None
    fee_type_override: str | None = None
    fee_multiplier_override: Dec = None

    def to_domain(self, fallback_markets: list[MarketWire] | None = None) -> Event:
        markets = self.markets if self.markets else (fallback_markets or [])
        return Event(
            event_ticker=self.event_ticker,
            series_ticker=self.series_ticker,
            markets=tuple(m.to_domain() for m in markets),
            exchange_index=self.exchange_index,
            fee_type_override=self.fee_type_override,
            fee_multiplier_override=self.fee_multiplier_override,
        )


class EventResponse(Wire):
    event: EventWire
    markets: list[MarketWire] | None = None  # deprecated top-level copy, used when nothing is nested

    def to_domain(self) -> Event:
        return self.event.to_domain(self.markets)


class EventsPage(Wire):
    events: list[EventWire] = Field(default_factory=list)
    cursor: str | None = None


def utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError(f"timestamp {t.isoformat()} has no UTC offset")
    try:
        return t.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 has no UTC equivalent
        raise ValueError(f"timestamp {t.isoformat()} is out of range") from None


def when(t: datetime | None, ts: int | None, where: str) -> datetime:
    if t is not None:
        return utc(t)
    if ts is not None:
        try:
            return datetime.fromtimestamp(ts, UTC)
        except (OverflowError, OSError, ValueError):
            # 10**15 seconds is past year 9999: a broken reply, said as one (not a crash).
            raise ValueError(f"{where} has ts {ts}, not a time") from None
    raise ValueError(f"{where} has neither created_time nor ts")
