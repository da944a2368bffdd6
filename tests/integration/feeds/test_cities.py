"""The weather-city table: complete, consistent with the domain's climate-day rules and the fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from kalshi_bots.domain.cities import CITIES, WeatherCity, city_for_series
from kalshi_bots.domain.markets import climate_day, climate_day_bounds


def test_seven_series_with_distinct_stations() -> None:
    assert {c.series for c in CITIES} == {
        "KXHIGHNY", "KXHIGHCHI", "KXHIGHMIA", "KXHIGHAUS", "KXHIGHDEN", "KXHIGHLAX", "KXHIGHPHIL",
    }  # fmt: skip
    assert len({c.station_icao for c in CITIES}) == 7
    assert city_for_series("KXHIGHCHI").station_icao == "KMDW"  # Midway, not O'Hare
    assert city_for_series("KXHIGHAUS").station_icao == "KAUS"  # Bergstrom, not Camp Mabry
    assert city_for_series("kxhighphil").cli_pil == "CLIPHL"


def test_unknown_series_is_an_error() -> None:
    with pytest.raises(KeyError, match="KXHIGHLA'"):
        city_for_series("KXHIGHLA")


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.series)
def test_standard_offset_matches_the_zone_in_january(city: WeatherCity) -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(ZoneInfo(city.iana_zone))
    offset = winter.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == city.standard_utc_offset_hours * 3600


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.series)
def test_climate_day_agrees_with_the_domain_helpers(city: WeatherCity) -> None:
    summer_day = date(2026, 7, 4)
    assert city.climate_day_bounds(summer_day) == climate_day_bounds(
        summer_day, city.standard_utc_offset_hours
    )
    start, _ = city.climate_day_bounds(summer_day)
    # During DST the climate day starts at 01:00 local clock time.
    assert start.astimezone(ZoneInfo(city.iana_zone)).hour == 1
    assert city.climate_date_of(start) == summer_day == climate_day(start, city.standard_utc_offset_hours)
