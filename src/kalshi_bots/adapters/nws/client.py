"""api.weather.gov client for the :class:`~kalshi_bots.ports.feeds.WeatherSource` port.

Clock-free: "now" comes from the injected ``clock`` (used for forecast staleness, the /points
cache TTL and the end of an observation window), so tests and replays control time.

Settlement note (feeds.md C.2): since events dated 2026-08-14 Kalshi's rules name The Weather
Company rather than the NWS CLI, still keyed to the CLI code (e.g. CLINYC). TWC republishes the NWS
CLI number (14/14 and 447/448 series-days matched in third-party checks), so the CLI maximum read
here remains the best available proxy, but it is NOT the settlement authority: a job must read
``rules_primary`` every cycle and treat a disagreement with TWC as possible. TWC's site forbids
automated access, so no TWC client exists.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from kalshi_bots.adapters.http import (
    DEFAULT_TIMEOUT,
    OwnedHttpClient,
    RetryPolicy,
    get_json,
)
from kalshi_bots.adapters.nws.climate_report import ClimateReportError, parse_climate_report
from kalshi_bots.adapters.nws.observed import (
    IssuedReport,
    climate_day_utc,
    combine_observed_max,
    stations_offsets,
)
from kalshi_bots.adapters.nws.parse import (
    SERVICE,
    ObservationReading,
    PointInfo,
    parse_forecast_high,
    parse_observations,
    parse_point,
    parse_product_listing,
    parse_product_text,
)
from kalshi_bots.ports.errors import MalformedResponseError, NotFoundError, StaleDataError
from kalshi_bots.ports.feeds import ForecastHigh, ObservedMax

DEFAULT_BASE_URL = "https://api.weather.gov"
DEFAULT_MAX_FORECAST_AGE = timedelta(hours=12)
# Grids drift without notice (feeds.md B.2): re-resolve /points well within a day.
DEFAULT_POINTS_TTL = timedelta(hours=6)
# A final CLI is issued the next morning, sometimes corrected later the same day.
CLI_LOOKAHEAD = timedelta(hours=36)
MAX_CLI_FETCHES = 6
GRID_EXPIRED_MARKERS = ("forecastgridexpired", "grid expired")


def _coordinate(value: float) -> str:
    """At most 4 decimals, no trailing zeros: NWS redirects or refuses anything more precise."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _require_user_agent(user_agent: str) -> str:
    cleaned = user_agent.strip()
    if not cleaned:
        raise ValueError(
            "NWS user_agent is empty: api.weather.gov answers 403 without one. Set it to the app name and a "
            "contact, e.g. '(kalshi-bots, ops@example.com)'"
        )
    if "@" not in cleaned and "://" not in cleaned:
        raise ValueError(
            f"NWS user_agent {cleaned!r} has no contact: add an email address or URL, "
            "e.g. '(kalshi-bots, ops@example.com)'"
        )
    return cleaned


class NwsClient(OwnedHttpClient):
    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        user_agent: str,
        clock: Callable[[], datetime],
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        max_forecast_age: timedelta = DEFAULT_MAX_FORECAST_AGE,
        points_ttl: timedelta = DEFAULT_POINTS_TTL,
        station_offsets: dict[str, int] | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"NWS base_url must be an http(s) URL, got {base_url!r}")
        self._base_url = base_url.rstrip("/")
        self._headers = {"User-Agent": _require_user_agent(user_agent), "Accept": "application/geo+json"}
        self._clock = clock
        self._timeout = timeout
        self._retry = retry if retry is not None else RetryPolicy()
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout, follow_redirects=True)
        # A 503 ForecastGridExpired lasts hours to days: surface it at once instead of retrying.
        # (This adds a hook to an injected client too; it only reacts to that one problem type.)
        self._http.event_hooks.setdefault("response", []).append(self._raise_if_grid_expired)
        self._max_forecast_age = max_forecast_age
        self._points_ttl = points_ttl
        self._points: dict[tuple[str, str], tuple[PointInfo, datetime]] = {}
        self._offsets = station_offsets if station_offsets is not None else stations_offsets()

    # -- plumbing ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError(f"NWS clock returned a naive datetime: {now!r}")
        return now.astimezone(UTC)

    @staticmethod
    def _raise_if_grid_expired(response: httpx.Response) -> None:
        if response.status_code != 503:
            return
        response.read()
        text = response.text.lower()
        if any(marker in text for marker in GRID_EXPIRED_MARKERS):
            body: Any = None
            with contextlib.suppress(ValueError):
                body = response.json()
            detail = str(body.get("detail", "")) if isinstance(body, dict) else ""
            where = f"{response.request.method} {response.request.url.path}"
            raise StaleDataError(SERVICE, f"forecast grid expired (HTTP 503 on {where}) {detail}".strip())

    def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        return get_json(
            self._http,
            url,
            service=SERVICE,
            policy=self._retry,
            params=params,
            headers=self._headers,
            timeout=self._timeout,
        )

    # -- forecast ---------------------------------------------------------------------------------

    def point(self, latitude: float, longitude: float) -> PointInfo:
        """``/points/{lat},{lon}``, cached for ``points_ttl`` of the injected clock."""
        key = (_coordinate(latitude), _coordinate(longitude))
        now = self._now()
        cached = self._points.get(key)
        if cached is not None and now - cached[1] < self._points_ttl:
            return cached[0]
        path = f"/points/{key[0]},{key[1]}"
        info = parse_point(self._get(f"{self._base_url}{path}"), f"GET {path}")
        if not info.forecast_url.startswith(self._base_url + "/"):
            raise MalformedResponseError(
                SERVICE, f"GET {path}: forecast URL {info.forecast_url!r} is not under {self._base_url}"
            )
        self._points[key] = (info, now)
        return info

    def forget_point(self, latitude: float, longitude: float) -> None:
        self._points.pop((_coordinate(latitude), _coordinate(longitude)), None)

    def forecast_high(self, latitude: float, longitude: float, target_date: date) -> ForecastHigh:
        """The NWS daytime high (°F) for ``target_date`` at the point; stale -> StaleDataError."""
        info = self.point(latitude, longitude)
        try:
            body = self._get(info.forecast_url)
        except NotFoundError:
            # A drifted grid cell answers 404 ("Marine Forecast Not Supported"): re-resolve once.
            self.forget_point(latitude, longitude)
            info = self.point(latitude, longitude)
            body = self._get(info.forecast_url)
        where = f"GET {httpx.URL(info.forecast_url).path}"
        return parse_forecast_high(
            body, target_date, now=self._now(), max_age=self._max_forecast_age, where=where
        )

    # -- observations -----------------------------------------------------------------------------

    def observations(self, station: str, start: datetime, end: datetime) -> list[ObservationReading]:
        path = f"/stations/{station}/observations"
        params = {"start": start.astimezone(UTC).isoformat(), "end": end.astimezone(UTC).isoformat()}
        return parse_observations(self._get(f"{self._base_url}{path}", params), f"GET {path}")

    # -- climate reports --------------------------------------------------------------------------

    def climate_report(self, cli_location: str, climate_date: date) -> IssuedReport | None:
        """The best CLI for ``climate_date``: the newest final one, else the newest intraday one.

        Only products issued from 12 h before the day to 36 h after it are opened (one request
        each, at most six): a final report comes the next morning, corrections later that day.
        """
        path = f"/products/types/CLI/locations/{cli_location}"
        refs = parse_product_listing(self._get(f"{self._base_url}{path}"), f"GET {path}")
        day_start = datetime(climate_date.year, climate_date.month, climate_date.day, tzinfo=UTC)
        window = (day_start - timedelta(hours=12), day_start + timedelta(days=1) + CLI_LOOKAHEAD)
        candidates = [ref for ref in refs if window[0] <= ref.issued_at <= window[1]][:MAX_CLI_FETCHES]
        intraday: IssuedReport | None = None
        for ref in candidates:  # newest first
            product_path = f"/products/{ref.product_id}"
            text = parse_product_text(self._get(f"{self._base_url}{product_path}"), f"GET {product_path}")
            try:
                report = parse_climate_report(text)
            except ClimateReportError as exc:
                raise MalformedResponseError(SERVICE, f"GET {product_path}: {exc}") from exc
            if report.report_date != climate_date:
                continue
            issued = IssuedReport(report, ref.issued_at, ref.product_id)
            if report.final:
                return issued
            intraday = intraday or issued
        return intraday

    def observed_max(self, station: str, cli_location: str, climate_date: date) -> ObservedMax:
        """Max of the CLI report for the day (if any) and the station's observations in the LST day."""
        offset = self._offsets.get(station.upper())
        if offset is None:
            raise ValueError(f"no standard-time offset known for station {station!r}; pass station_offsets")
        cli = self.climate_report(cli_location, climate_date)
        readings: list[ObservationReading] = []
        if cli is None or not cli.report.final:  # a final CLI is the whole day: no need to ask
            start, day_end = climate_day_utc(climate_date, offset)
            end = min(day_end, self._now())
            if end > start:
                readings = self.observations(station, start, end)
        return combine_observed_max(station, climate_date, offset, cli, readings)
