"""Wire shapes of api.weather.gov used by the fake NWS (feeds.md B.2-B.7)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kalshi_bots.domain.cities import WeatherCity
from kalshi_bots.sandbox.server import Response

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, kind: str) -> Response:
    body = {
        "correlationId": uuid.uuid4().hex,
        "title": title,
        "type": f"https://api.weather.gov/problems/{kind}",
        "status": status,
        "detail": detail,
        "instance": f"https://api.weather.gov/requests/{uuid.uuid4().hex}",
    }
    return Response.json(body, status, {"Content-Type": PROBLEM})


def default_high_f(city: WeatherCity, day: date) -> int:
    """A deterministic, roughly seasonal high so demos look plausible without any seeding."""
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365)
    wobble = ((day.toordinal() * 7919 + len(city.series) * 104729) % 9) - 4
    return round(88 - 0.9 * (city.latitude - 25) + (12 + 0.6 * (city.latitude - 25)) * (season - 1) + wobble)


def whole_f(celsius: float) -> int:
    return int((Decimal(str(celsius)) * 9 / 5 + 32).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def forecast_periods(
    now: datetime, city: WeatherCity, high_for: Callable[[date], int]
) -> list[dict[str, Any]]:
    """14 alternating day (06-18 local) / night periods from the current hour, in local clock time."""
    zone = ZoneInfo(city.iana_zone)
    local = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    periods: list[dict[str, Any]] = []
    cursor = local
    while len(periods) < 14:
        day = 6 <= cursor.hour < 18
        boundary = cursor.replace(hour=18 if day else 6)
        if not day and cursor.hour >= 18:
            boundary += timedelta(days=1)
        high = high_for(cursor.date())
        temp = high if day else high - 15
        name = cursor.strftime("%A") + ("" if day else " Night")
        periods.append(
            {
                "number": len(periods) + 1,
                "name": name,
                "startTime": cursor.isoformat(),
                "endTime": boundary.isoformat(),
                "isDaytime": day,
                "temperature": temp,
                "temperatureUnit": "F",
                "temperatureTrend": None,
                "windSpeed": "10 mph",
                "windDirection": "W",
                "shortForecast": "Sunny",
                "detailedForecast": f"Sunny, with a {'high' if day else 'low'} near {temp}.",
            }
        )
        cursor = boundary
    return periods


def observation_feature(base_url: str, station: str, at: datetime, temp_c: float | None) -> dict[str, Any]:
    props = {
        "@id": f"{base_url}/stations/{station}/observations/{at.isoformat()}",
        "station": station,
        "timestamp": at.isoformat(),
        "rawMessage": "",
        "textDescription": "Clear",
        "temperature": {"unitCode": "wmoUnit:degC", "value": temp_c, "qualityControl": "V"},
        "maxTemperatureLast24Hours": {"unitCode": "wmoUnit:degC", "value": None},
    }
    return {"id": props["@id"], "type": "Feature", "properties": props}
