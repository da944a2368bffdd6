"""A fake api.weather.gov: points, 12-hour forecasts, observations and CLI products over real HTTP.

Behaves like the real service where a client can go wrong (feeds.md B): 403 without a proper
User-Agent, 400 on unknown query parameters, forecast periods stamped in local clock time with
``updateTime``/``generatedAt``, observations in °C newest first, product listings WITHOUT the
text (one more call per product) and in no promised order, CLI text in the real layout. Faults:
a 503 ``ForecastGridExpired`` problem+json per office, stale ``updateTime``, a drifted grid cell
(404 "Marine Forecast Not Supported" until /points is re-resolved), and any queued status code.

Time is whatever the test or demo says: ``advance(now)`` / ``seed_demo(now)`` / ``set_now(now)``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kalshi_bots.domain.cities import CITIES, WeatherCity
from kalshi_bots.sandbox.cli_text import CliContent, render_cli
from kalshi_bots.sandbox.faults import FaultQueue, malformed_fault
from kalshi_bots.sandbox.nws_wire import (
    default_high_f,
    forecast_periods,
    observation_feature,
    problem,
    whole_f,
)
from kalshi_bots.sandbox.server import FakeServer, Request, Response, ServedFake

GEOJSON = "application/geo+json"
OFFICE_NAMES = {
    "OKX": "NEW YORK NY",
    "LOT": "CHICAGO IL",
    "MFL": "MIAMI FL",
    "EWX": "AUSTIN/SAN ANTONIO TX",
    "BOU": "DENVER CO",
    "LOX": "LOS ANGELES CA",
    "PHI": "MOUNT HOLLY NJ",
}
ALLOWED_PARAMS = {"observations": {"start", "end", "limit"}, "cli_list": set(), "forecast": {"units"}}


@dataclass(slots=True)
class _Product:
    product_id: str
    location: str
    office: str
    issued_at: datetime
    text: str


class FakeNws(ServedFake):
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = FakeServer(host, port)
        self.faults = FaultQueue()
        self.reset()
        route = self.server.route
        route("GET", r"/points/(?P<lat>-?[0-9.]+),(?P<lon>-?[0-9.]+)", self._points)
        route("GET", r"/gridpoints/(?P<wfo>[A-Z]{3})/(?P<x>\d+),(?P<y>\d+)/forecast", self._forecast)
        route("GET", r"/stations/(?P<station>[A-Z0-9]+)/observations", self._observations)
        route("GET", r"/products/types/CLI/locations/(?P<loc>[A-Z0-9]+)", self._cli_list)
        route("GET", r"/products/(?P<pid>[0-9a-f-]+)", self._product)

    def reset(self) -> None:
        """Forget all state and faults (lets tests share one running server)."""
        with self.server.lock:
            self.now = datetime(2026, 1, 1, tzinfo=UTC)
            self._highs: dict[tuple[str, date], int] = {}
            self._update_age: dict[str, timedelta] = {}
            self._expired: set[str] = set()
            self._drift: dict[str, int] = {}
            self._obs: dict[str, list[tuple[datetime, float | None]]] = {}
            self._products: list[_Product] = []
            self._generated_until: datetime | None = None
            self.faults.clear()
            self.server.requests.clear()

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    # -- seeding ----------------------------------------------------------------------------------

    def set_now(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def set_forecast_high(self, wfo: str, day: date, high_f: int) -> None:
        self._highs[(wfo, day)] = high_f

    def set_forecast_age(self, wfo: str, age: timedelta) -> None:
        """``updateTime`` = now - age for that office (default 1 h): a large age makes it stale."""
        self._update_age[wfo] = age

    def expire_grid(self, wfo: str, expired: bool = True) -> None:
        (self._expired.add if expired else self._expired.discard)(wfo)

    def drift_grid(self, wfo: str) -> None:
        """Move the office's grid: cached forecast URLs now answer 404 until /points is asked again."""
        self._drift[wfo] = self._drift.get(wfo, 0) + 1

    def add_observation(self, station: str, at: datetime, temp_c: float | None) -> None:
        with self.server.lock:
            self._obs.setdefault(station, []).append((at.astimezone(UTC), temp_c))

    def add_cli(
        self,
        city: WeatherCity,
        climate_date: date,
        max_f: int | None,
        *,
        final: bool,
        issued_at: datetime,
        max_time: time | None = time(15, 1),
        min_f: int = 22,
        normal_max_f: int = 39,
    ) -> str:
        """Publish a CLI product (text rendered in the real layout); returns its product id."""
        content = CliContent(
            pil_location=city.cli_location,
            office=f"K{city.wfo}",
            office_name=OFFICE_NAMES.get(city.wfo, city.wfo),
            station_name=city.name.upper(),
            climate_date=climate_date,
            max_f=max_f,
            max_time=max_time,
            min_f=min_f,
            final=final,
            issued_at=issued_at.astimezone(UTC),
            standard_offset_hours=city.standard_utc_offset_hours,
            normal_max_f=normal_max_f,
        )
        product = _Product(
            str(uuid.uuid4()), city.cli_location, f"K{city.wfo}", content.issued_at, render_cli(content)
        )
        with self.server.lock:
            self._products.append(product)
        return product.product_id

    def add_cli_text(self, location: str, issued_at: datetime, text: str, office: str = "KOKX") -> str:
        """Publish a verbatim CLI text (e.g. a recorded real product); returns its product id."""
        product = _Product(str(uuid.uuid4()), location, office, issued_at.astimezone(UTC), text)
        with self.server.lock:
            self._products.append(product)
        return product.product_id

    def advance(self, now: datetime) -> None:
        """Move time to ``now``: hourly observations (:51 past, a diurnal curve around the forecast
        high) for every city, a final CLI at 01:30 LST for each finished day and an intraday CLI at
        17:25 LST."""
        with self.server.lock:
            start = self._generated_until or (now - timedelta(hours=36))
            hour = start.replace(minute=51, second=0, microsecond=0)
            hour = hour if hour > start else hour + timedelta(hours=1)
            while hour <= now:
                for city in CITIES:
                    self._generate_hour(city, hour)
                hour += timedelta(hours=1)
            self._generated_until = now
            self.set_now(now)

    def seed_demo(self, now: datetime) -> None:
        self.reset()
        self.advance(now)

    def _high(self, city: WeatherCity, day: date) -> int:
        return self._highs.get((city.wfo, day), default_high_f(city, day))

    def _generate_hour(self, city: WeatherCity, at: datetime) -> None:
        local = at.astimezone(city.standard_time)
        high = self._high(city, local.date())
        hours_from_peak = local.hour + local.minute / 60 - 15
        temp_f = high - 8 + 8 * math.cos(2 * math.pi * hours_from_peak / 24)
        self.add_observation(city.station_icao, at, round((temp_f - 32) * 5 / 9, 1))
        if (local.hour, local.minute) == (1, 51):  # the previous climate day is complete
            self._publish(city, local.date() - timedelta(days=1), at - timedelta(minutes=21), final=True)
        if (local.hour, local.minute) == (17, 51):
            self._publish(city, local.date(), at - timedelta(minutes=26), final=False)

    def _publish(self, city: WeatherCity, day: date, issued_at: datetime, *, final: bool) -> None:
        lst = city.standard_time
        begin = datetime(day.year, day.month, day.day, tzinfo=lst)
        readings = [
            (at, t)
            for at, t in self._obs.get(city.station_icao, [])
            if t is not None and begin <= at < min(begin + timedelta(days=1), issued_at)
        ]
        if not readings:
            return
        at, hottest = max(readings, key=lambda pair: pair[1] if pair[1] is not None else -999)
        coldest = min(whole_f(t) for _, t in readings if t is not None)
        max_time = at.astimezone(lst).time().replace(second=0, microsecond=0)
        self.add_cli(
            city,
            day,
            whole_f(hottest or 0.0),
            final=final,
            issued_at=issued_at,
            max_time=max_time,
            min_f=coldest,
        )

    # -- failure injection ------------------------------------------------------------------------

    def fail_next(self, status: int, *, times: int = 1, endpoint: str | None = None) -> None:
        """Endpoints: points, forecast, observations, cli_list, product."""
        headers = {"Retry-After": "0"} if status in (429, 503) else {}
        response = problem(status, "Unexpected Problem", f"injected HTTP {status}", "UnexpectedProblem")
        response.headers.update(headers)
        self.faults.add(response, times=times, endpoint=endpoint)

    def malformed_next(self, *, times: int = 1, endpoint: str | None = None) -> None:
        self.faults.add(malformed_fault(), times=times, endpoint=endpoint)

    # -- handlers ---------------------------------------------------------------------------------

    def _guard(self, request: Request, endpoint: str) -> Response | None:
        agent = request.headers.get("user-agent", "")
        if not agent or agent.startswith("python-httpx"):
            return problem(
                403, "Forbidden", "A User-Agent identifying your application is required", "Forbidden"
            )
        unknown = set(request.query) - ALLOWED_PARAMS.get(endpoint, set())
        if unknown:
            detail = f"Query parameter(s) not allowed: {', '.join(sorted(unknown))}"
            return problem(400, "Bad Request", detail, "BadRequest")
        return self.faults.take(endpoint)

    @staticmethod
    def _nearest(lat: float, lon: float) -> tuple[int, WeatherCity]:
        return min(
            enumerate(CITIES), key=lambda pair: (pair[1].latitude - lat) ** 2 + (pair[1].longitude - lon) ** 2
        )

    def _grid(self, index: int, city: WeatherCity) -> tuple[int, int]:
        return 30 + index * 3 + self._drift.get(city.wfo, 0), 40 + index

    def _points(self, request: Request) -> Response:
        refused = self._guard(request, "points")
        if refused is not None:
            return refused
        index, city = self._nearest(float(request.match["lat"]), float(request.match["lon"]))
        x, y = self._grid(index, city)
        grid = f"{self.url}/gridpoints/{city.wfo}/{x},{y}"
        props = {
            "@id": f"{self.url}{request.path}",
            "gridId": city.wfo,
            "gridX": x,
            "gridY": y,
            "cwa": city.wfo,
            "forecast": f"{grid}/forecast",
            "forecastHourly": f"{grid}/forecast/hourly",
            "forecastGridData": grid,
            "observationStations": f"{grid}/stations",
            "timeZone": city.iana_zone,
        }
        return Response.json({"type": "Feature", "properties": props}, headers={"Content-Type": GEOJSON})

    def _forecast(self, request: Request) -> Response:
        refused = self._guard(request, "forecast")
        if refused is not None:
            return refused
        wfo = request.match["wfo"]
        found = [(i, c) for i, c in enumerate(CITIES) if c.wfo == wfo]
        if not found or self._grid(*found[0]) != (int(request.match["x"]), int(request.match["y"])):
            return problem(404, "Marine Forecast Not Supported", "Grid cell has no land forecast", "NotFound")
        if wfo in self._expired:
            issued = (self.now - timedelta(days=2)).isoformat()
            detail = f"The requested forecast grid was issued {issued} and has expired."
            return problem(503, "Forecast Grid Expired", detail, "ForecastGridExpired")
        city = found[0][1]
        updated = self.now - self._update_age.get(wfo, timedelta(hours=1))
        props = {
            "units": "us",
            "forecastGenerator": "BaselineForecastGenerator",
            "generatedAt": self.now.isoformat(),
            "updateTime": updated.isoformat(),
            "updated": updated.isoformat(),
            "periods": forecast_periods(
                self.now, city, lambda day: self._highs.get((city.wfo, day), default_high_f(city, day))
            ),
        }
        return Response.json({"type": "Feature", "properties": props}, headers={"Content-Type": GEOJSON})

    def _station_obs(self, station: str) -> list[tuple[datetime, float | None]]:
        return sorted((o for o in self._obs.get(station, []) if o[0] <= self.now), reverse=True)

    def _observations(self, request: Request) -> Response:
        refused = self._guard(request, "observations")
        if refused is not None:
            return refused
        try:
            start = datetime.fromisoformat(request.arg("start") or "1970-01-01T00:00:00+00:00")
            end = datetime.fromisoformat(request.arg("end") or self.now.isoformat())
        except ValueError:
            return problem(400, "Bad Request", "start/end must be ISO-8601", "BadRequest")
        station = request.match["station"]
        with self.server.lock:
            chosen = [o for o in self._station_obs(station) if start <= o[0] <= end]
        features = [observation_feature(self.url, station, at, t) for at, t in chosen]
        return Response.json(
            {"type": "FeatureCollection", "features": features}, headers={"Content-Type": GEOJSON}
        )

    def _cli_list(self, request: Request) -> Response:
        refused = self._guard(request, "cli_list")
        if refused is not None:
            return refused
        with self.server.lock:
            graph = [
                self._product_json(p)
                for p in self._products
                if p.location == request.match["loc"] and p.issued_at <= self.now
            ]
        return Response.json(
            {"@context": {"@version": "1.1"}, "@graph": graph}, headers={"Content-Type": GEOJSON}
        )

    def _product(self, request: Request) -> Response:
        refused = self._guard(request, "product")
        if refused is not None:
            return refused
        with self.server.lock:
            found = [p for p in self._products if p.product_id == request.match["pid"]]
        if not found:
            return problem(404, "Not Found", "Product not found", "NotFound")
        body = self._product_json(found[0]) | {"productText": found[0].text}
        return Response.json(body, headers={"Content-Type": GEOJSON})

    def _product_json(self, p: _Product) -> dict[str, Any]:
        """A CLI product as the listing shows it (the product itself adds its text)."""
        return {
            "@id": f"{self.url}/products/{p.product_id}",
            "id": p.product_id,
            "wmoCollectiveId": "CDUS41",
            "issuingOffice": p.office,
            "issuanceTime": p.issued_at.isoformat(),
            "productCode": "CLI",
            "productName": "Climatological Report (Daily)",
        }
