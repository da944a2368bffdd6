"""Lenient pydantic models of Kalshi Trade API v2 payloads and their conversion to domain models.

Lenient on purpose (reference §8: the generated SDK breaks on any new enum value or field):
- unknown fields are ignored (``extra="ignore"``);
- enum-like fields are plain ``str``; the domain parses them with an UNKNOWN fallback;
- ``*_dollars`` / ``*_fp`` strings and JSON numbers become ``Decimal`` via ``str`` (never via float);
- only what we cannot work without is required (a ticker, a close time...).
"""

from __future__ import annotations

from dataclasses import dataclass
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


def _quote(value: Decimal | None, *, no_quote: Decimal) -> Decimal | None:
    """Kalshi shows an empty side as bid 0 / ask 1 instead of null (reference §3.4): map to None."""
    if value is None or value == no_quote:
        return None
    return value


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

    def to_domain(self) -> Market:
        return Market(
            ticker=self.ticker,
            event_ticker=self.event_ticker,
            strike_type=StrikeType.parse(self.strike_type),
            floor_strike=self.floor_strike,
            cap_strike=self.cap_strike,
            close_time=utc(self.close_time),
            yes_bid=_quote(self.yes_bid_dollars, no_quote=_ZERO),
            yes_ask=_quote(self.yes_ask_dollars, no_quote=_ONE),
            no_bid=_quote(self.no_bid_dollars, no_quote=_ZERO),
            no_ask=_quote(self.no_ask_dollars, no_quote=_ONE),
            status=self.status,
            rules_primary=self.rules_primary,
            exchange_index=self.exchange_index,
            result=self.result,
            yes_ask_size=self.yes_ask_size_fp,
            yes_bid_size=self.yes_bid_size_fp,
        )


class MarketResponse(Wire):
    market: MarketWire


class MarketsPage(Wire):
    markets: list[MarketWire] = Field(default_factory=list)
    cursor: str | None = None


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


# --- order book --------------------------------------------------------------------------------------


class OrderbookLevels(Wire):
    yes_dollars: list[tuple[Dec, Dec]] | None = None
    no_dollars: list[tuple[Dec, Dec]] | None = None


class OrderbookResponse(Wire):
    orderbook_fp: OrderbookLevels

    def to_book(self, ticker: str) -> OrderBook:
        return OrderBook(
            ticker=ticker,
            yes_bids=_levels(self.orderbook_fp.yes_dollars),
            no_bids=_levels(self.orderbook_fp.no_dollars),
        )


def _levels(raw: list[tuple[Decimal | None, Decimal | None]] | None) -> tuple[tuple[Decimal, Decimal], ...]:
    levels = [(p, q) for p, q in raw or () if p is not None and q is not None and q > 0]
    # Kalshi sends ascending, best last; sort anyway so a reordering cannot flip best and worst.
    return tuple(sorted(levels))


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Bids only, as Kalshi sends them: ``(price_dollars, count)`` ascending, best bid last.

    A YES ask is the other side of a NO bid: best YES ask = 1 - best NO bid, and vice versa.
    """

    ticker: str
    yes_bids: tuple[tuple[Decimal, Decimal], ...]
    no_bids: tuple[tuple[Decimal, Decimal], ...]

    @property
    def best_yes_bid(self) -> Decimal | None:
        return self.yes_bids[-1][0] if self.yes_bids else None

    @property
    def best_no_bid(self) -> Decimal | None:
        return self.no_bids[-1][0] if self.no_bids else None

    @property
    def best_yes_ask(self) -> Decimal | None:
        return None if self.best_no_bid is None else _ONE - self.best_no_bid

    @property
    def best_no_ask(self) -> Decimal | None:
        return None if self.best_yes_bid is None else _ONE - self.best_yes_bid


def utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError(f"timestamp {t.isoformat()} has no UTC offset")
    return t.astimezone(UTC)


def when(t: datetime | None, ts: int | None, where: str) -> datetime:
    if t is not None:
        return utc(t)
    if ts is not None:
        return datetime.fromtimestamp(ts, UTC)
    raise ValueError(f"{where} has neither created_time nor ts")
