"""The seven original Kalshi daily-high series and where each one settles.

Pure data (../shared/reference/feeds.md C.1, kalshi-api.md §7). Most of it is [secondary] in the
reference: cross-checked across several third-party repos, not read from Kalshi or NWS directly.
Jobs must still read the station from each market's ``rules_primary`` and refuse unknown wording;
this table says where to *look* for data, it is not the settlement authority.

The climate day is midnight to midnight local STANDARD time all year (feeds.md C.4), so each city
carries its fixed standard-time UTC offset as well as its IANA zone (the zone is for display and
for NWS forecast periods, which are stamped in local clock time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone


@dataclass(frozen=True, slots=True)
class WeatherCity:
    series: str  # Kalshi series ticker, e.g. "KXHIGHNY"
    name: str
    station_icao: str  # NWS observation station of the settlement site
    cli_location: str  # {loc} in /products/types/CLI/locations/{loc}: the CLI PIL without "CLI"
    wfo: str  # forecast office (gridId) that /points should resolve to
    latitude: float  # the settlement station, not the city centre
    longitude: float
    iana_zone: str
    standard_utc_offset_hours: int  # LST offset; the climate day ignores DST

    @property
    def cli_pil(self) -> str:
        return f"CLI{self.cli_location}"

    @property
    def standard_time(self) -> timezone:
        return timezone(timedelta(hours=self.standard_utc_offset_hours), f"{self.station_icao} LST")

    def climate_day_bounds(self, climate_date: date) -> tuple[datetime, datetime]:
        """``[start, end)`` of the climate day in aware UTC (midnight to midnight LST)."""
        start = datetime(climate_date.year, climate_date.month, climate_date.day, tzinfo=self.standard_time)
        return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)

    def climate_date_of(self, moment: datetime) -> date:
        """The climate day (LST) that an aware instant falls in."""
        if moment.tzinfo is None:
            raise ValueError(f"climate_date_of needs an aware datetime, got {moment!r}")
        return moment.astimezone(self.standard_time).date()


# Coordinates are the ASOS sites as given in feeds.md C.1 (NCEI station coordinates).
CITIES: tuple[WeatherCity, ...] = (
    # Central Park (Belvedere Castle), not an airport. api.weather.gov rounds its station record to
    # whole arc-minutes (~530 m off); all variants resolve to OKX. UNCERTAIN: grid cell drifts
    # (OKX/33,35 went marine-only in 2026), so /points is re-resolved, never hard-coded.
    WeatherCity(
        "KXHIGHNY",
        "New York (Central Park)",
        "KNYC",
        "NYC",
        "OKX",
        40.77898,
        -73.96925,
        "America/New_York",
        -5,
    ),
    # Midway, NOT O'Hare (O'Hare/CLIORD settles only Chicago rain markets).
    WeatherCity(
        "KXHIGHCHI", "Chicago (Midway)", "KMDW", "MDW", "LOT", 41.78412, -87.75514, "America/Chicago", -6
    ),
    WeatherCity(
        "KXHIGHMIA", "Miami (Intl)", "KMIA", "MIA", "MFL", 25.78805, -80.31694, "America/New_York", -5
    ),
    # Austin-Bergstrom, NOT Camp Mabry. UNCERTAIN: one third party calls "Austin (CLIAUS)" ambiguous;
    # CLIAUS is Bergstrom per the sources that matched 4,200 settled markets.
    WeatherCity(
        "KXHIGHAUS", "Austin (Bergstrom)", "KAUS", "AUS", "EWX", 30.18311, -97.67989, "America/Chicago", -6
    ),
    WeatherCity(
        "KXHIGHDEN", "Denver (Intl)", "KDEN", "DEN", "BOU", 39.84657, -104.65623, "America/Denver", -7
    ),
    # UNCERTAIN: WFO LOX comes from one third-party post (gridpoint LOX/149,41 near LAX).
    WeatherCity(
        "KXHIGHLAX",
        "Los Angeles (LAX)",
        "KLAX",
        "LAX",
        "LOX",
        33.93816,
        -118.38660,
        "America/Los_Angeles",
        -8,
    ),
    # Series is KXHIGHPHIL (PHIL), the CLI location PHL. UNCERTAIN: WFO PHI is inferred from ws4kp.
    WeatherCity(
        "KXHIGHPHIL", "Philadelphia (Intl)", "KPHL", "PHL", "PHI", 39.87326, -75.22681, "America/New_York", -5
    ),
)
# UNCERTAIN for every row: the CLI {loc} is the 3-letter PIL suffix (several bots use it); one
# planning note claims the WFO id instead. Verify once live.

_BY_SERIES = {city.series: city for city in CITIES}


def city_for_series(series: str) -> WeatherCity:
    """The city of a series ticker; an unknown series is an error (never guess a station)."""
    try:
        return _BY_SERIES[series.upper()]
    except KeyError:
        known = ", ".join(sorted(_BY_SERIES))
        raise KeyError(f"unknown weather series {series!r}; known: {known}") from None
