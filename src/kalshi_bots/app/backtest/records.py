"""Plain records the backtest loaders produce (one per CSV row, already typed and validated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LateBandQuote:
    """One recorded Kalshi candle from ``kalshi_kxbtcd_kxethd_late_band_2026``.

    ``ask`` is in dollars for ``side`` (a NO ask is 1 - yes_bid); ``won`` says whether that side paid.
    """

    series: str
    ticker: str
    close_time: datetime
    side: str  # "yes" | "no"
    ask: Decimal
    secs_left: int
    won: bool
    floor_strike: Decimal


@dataclass(frozen=True, slots=True)
class ForecastPair:
    """A forecast high and the observed high for one target day (°F)."""

    source: str  # e.g. "weathercom:NYC", "nws:KORD"
    forecast_date: date
    target_date: date
    lead_days: int
    forecast_high_f: float
    actual_high_f: float

    @property
    def error_f(self) -> float:
        return self.actual_high_f - self.forecast_high_f


@dataclass(frozen=True, slots=True)
class BookTop:
    """Best levels of one KXHIGHNY bracket at one instant (dollars; ``None`` = no quote)."""

    at: datetime  # aware UTC
    ticker: str
    yes_bid: Decimal | None
    no_bid: Decimal | None

    @property
    def yes_ask(self) -> Decimal | None:
        return None if self.no_bid is None else Decimal(1) - self.no_bid

    @property
    def no_ask(self) -> Decimal | None:
        return None if self.yes_bid is None else Decimal(1) - self.yes_bid


@dataclass(frozen=True, slots=True)
class TradePrint:
    """One KXHIGHNY trade: YES price in dollars."""

    at: datetime
    ticker: str
    yes_price: Decimal


@dataclass(frozen=True, slots=True)
class BotlogCandidate:
    """One ``candidate`` line of the February 2026 KXBTCD bot log: a side's book with the spot then."""

    at: datetime
    event_ticker: str
    ticker: str
    side: str  # "yes" | "no"
    bid: Decimal | None
    ask: Decimal | None
    ask_size: int | None
    spot: Decimal
    close_time: datetime
