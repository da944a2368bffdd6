"""Market-data and weather inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from kalshi_bots.domain.models import Asset, PriceTick


class PriceFeed(Protocol):
    def current_price(self, asset: Asset) -> PriceTick:
        """Latest traded price, stamped with the exchange's time (not ours)."""
        ...

    def minute_candles(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        """1-minute closes in ``[start, end)``, ascending; minutes without trades are absent."""
        ...


@dataclass(frozen=True, slots=True)
class ForecastHigh:
    """A forecast daily high (°F) for a local calendar date, and when the forecast was issued."""

    target_date: date
    high_f: Decimal
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class ObservedMax:
    """The maximum temperature (°F, whole degrees) observed so far in a climate day."""

    climate_date: date
    max_f: Decimal
    as_of: datetime
    final: bool  # True for a final (next-morning) climate report


class WeatherSource(Protocol):
    def forecast_high(self, latitude: float, longitude: float, target_date: date) -> ForecastHigh: ...

    def observed_max(self, station: str, cli_location: str, climate_date: date) -> ObservedMax: ...
