"""Combine a CLI report and station observations into the port's ``ObservedMax``.

Rules (feeds.md B.5, C.4, C.5):
- Only observations inside the climate day count: midnight to midnight local STANDARD time,
  never the UTC day (mixing in the previous evening once produced a false floor).
- Observation temperatures are °C (tenths, from the METAR T-group). Each is converted to °F and
  rounded to a whole degree half away from zero (``ROUND_HALF_UP``), the arithmetic rounding NWS
  applies to °F climate values. The conversion can be 1 °F off the ASOS's internal °F, and hourly
  readings miss peaks between them, so an observation max is a LOWER-bound estimate.
- A FINAL CLI for the day is the official number: it is used alone (an observation rounded up
  from °C must not lift it). Before that, the max of the intraday CLI (if any) and the observations
  so far is taken, and ``final`` is False.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from kalshi_bots.adapters.nws.climate_report import ClimateReport
from kalshi_bots.adapters.nws.parse import SERVICE, ObservationReading, c_to_f, whole_f
from kalshi_bots.domain.cities import CITIES
from kalshi_bots.ports.errors import NotFoundError
from kalshi_bots.ports.feeds import ObservedMax


@dataclass(frozen=True, slots=True)
class IssuedReport:
    report: ClimateReport
    issued_at: datetime  # aware UTC, the product's issuanceTime
    product_id: str


def stations_offsets() -> dict[str, int]:
    """Standard-time UTC offsets (hours) of the settlement stations, from the city table."""
    return {city.station_icao: city.standard_utc_offset_hours for city in CITIES}


def climate_day_utc(climate_date: date, standard_offset_hours: int) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the LST climate day."""
    lst = timezone(timedelta(hours=standard_offset_hours))
    start = datetime(climate_date.year, climate_date.month, climate_date.day, tzinfo=lst).astimezone(UTC)
    return start, start + timedelta(days=1)


def observations_max_f(
    readings: Sequence[ObservationReading], start: datetime, end: datetime
) -> tuple[Decimal, datetime] | None:
    """Highest whole-°F reading in ``[start, end)`` and the latest reading time, or None."""
    inside = [r for r in readings if r.temperature_c is not None and start <= r.at < end]
    if not inside:
        return None
    hottest = max(whole_f(c_to_f(r.temperature_c)) for r in inside if r.temperature_c is not None)
    return hottest, max(r.at for r in inside)


def combine_observed_max(
    station: str,
    climate_date: date,
    standard_offset_hours: int,
    cli: IssuedReport | None,
    readings: Sequence[ObservationReading],
) -> ObservedMax:
    if cli is not None and cli.report.final:
        return ObservedMax(climate_date, Decimal(cli.report.max_f), cli.issued_at, final=True)
    start, end = climate_day_utc(climate_date, standard_offset_hours)
    candidates: list[tuple[Decimal, datetime]] = []
    if cli is not None:
        candidates.append((Decimal(cli.report.max_f), cli.issued_at))
    from_obs = observations_max_f(readings, start, end)
    if from_obs is not None:
        candidates.append(from_obs)
    if not candidates:
        raise NotFoundError(
            SERVICE, f"no CLI report and no usable observation for {station} on {climate_date.isoformat()}"
        )
    return ObservedMax(
        climate_date=climate_date,
        max_f=max(value for value, _ in candidates),
        as_of=max(at for _, at in candidates),
        final=False,
    )
