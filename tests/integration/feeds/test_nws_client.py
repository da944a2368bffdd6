"""NwsClient against FakeNws over real HTTP: forecasts, staleness, faults, observations and CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.nws import NwsClient
from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.ports.errors import (
    MalformedResponseError,
    NotFoundError,
    StaleDataError,
    TransientError,
)
from kalshi_bots.ports.feeds import WeatherSource
from kalshi_bots.sandbox.nws_fake import FakeNws

NY = city_for_series("KXHIGHNY")
DEN = city_for_series("KXHIGHDEN")
UA = "(kalshi-bots tests, ops@example.com)"
# 18:00 EST on Fri 2026-11-20: the first forecast period is the night, tomorrow's day is second.
NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def _nws_server() -> Iterator[FakeNws]:
    with FakeNws() as fake:
        yield fake


@pytest.fixture
def fake_nws(_nws_server: FakeNws) -> FakeNws:
    _nws_server.reset()
    _nws_server.set_now(NOW)
    return _nws_server


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def nws(fake_nws: FakeNws, clock: Clock, retry: RetryPolicy) -> Iterator[NwsClient]:
    with NwsClient(fake_nws.url, user_agent=UA, clock=clock, timeout=2.0, retry=retry) as client:
        yield client


def test_client_satisfies_the_weather_port(nws: NwsClient) -> None:
    source: WeatherSource = nws
    assert source is nws


@pytest.mark.parametrize("agent", ["", "   ", "kalshi-bots"])
def test_user_agent_without_contact_is_refused(agent: str, clock: Clock) -> None:
    with pytest.raises(ValueError, match="user_agent"):
        NwsClient("http://127.0.0.1:1", user_agent=agent, clock=clock)


def test_forecast_high_for_tomorrow_skips_the_night_period(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.set_forecast_high("OKX", date(2026, 11, 21), 51)
    high = nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))
    assert high.high_f == Decimal(51)
    assert high.issued_at == NOW - timedelta(hours=1)
    agents = {r.headers.get("user-agent") for r in fake_nws.server.requests}
    assert agents == {UA}
    assert [r.path for r in fake_nws.server.requests] == [
        "/points/40.779,-73.9693",
        "/gridpoints/OKX/30,40/forecast",
    ]


def test_points_are_cached_then_re_resolved_after_the_ttl(
    nws: NwsClient, fake_nws: FakeNws, clock: Clock
) -> None:
    for _ in range(3):
        nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))
    assert sum(r.path.startswith("/points/") for r in fake_nws.server.requests) == 1
    clock.now += timedelta(hours=7)
    fake_nws.set_now(clock.now)
    nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 22))
    assert sum(r.path.startswith("/points/") for r in fake_nws.server.requests) == 2


def test_drifted_grid_404_re_resolves_points_once(nws: NwsClient, fake_nws: FakeNws) -> None:
    nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))
    fake_nws.drift_grid("OKX")
    fake_nws.set_forecast_high("OKX", date(2026, 11, 21), 47)
    assert nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21)).high_f == 47
    assert [r.path for r in fake_nws.server.requests][-3:] == [
        "/gridpoints/OKX/30,40/forecast",
        "/points/40.779,-73.9693",
        "/gridpoints/OKX/31,40/forecast",
    ]


def test_stale_forecast_is_an_error(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.set_forecast_age("OKX", timedelta(hours=13))
    with pytest.raises(StaleDataError, match=r"updateTime .* 13\.0 h old"):
        nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))


def test_max_age_is_configurable(fake_nws: FakeNws, clock: Clock, retry: RetryPolicy) -> None:
    fake_nws.set_forecast_age("OKX", timedelta(hours=3))
    strict = NwsClient(
        fake_nws.url, user_agent=UA, clock=clock, retry=retry, max_forecast_age=timedelta(hours=2)
    )
    with strict, pytest.raises(StaleDataError):
        strict.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))


def test_expired_grid_503_is_an_error_at_once(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.expire_grid("OKX")
    with pytest.raises(StaleDataError, match=r"grid expired.*has expired"):
        nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))
    assert sum("/forecast" in r.path for r in fake_nws.server.requests) == 1  # not retried


def test_other_503_is_retried_then_transient(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.fail_next(503, times=3, endpoint="forecast")
    with pytest.raises(TransientError, match="503"):
        nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))


def test_429_then_success(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.fail_next(429, times=2, endpoint="points")
    assert nws.forecast_high(DEN.latitude, DEN.longitude, date(2026, 11, 21)).target_date == date(
        2026, 11, 21
    )


def test_malformed_json_names_the_endpoint(nws: NwsClient, fake_nws: FakeNws) -> None:
    fake_nws.malformed_next(endpoint="forecast")
    with pytest.raises(MalformedResponseError, match="GET /gridpoints/OKX/30,40/forecast"):
        nws.forecast_high(NY.latitude, NY.longitude, date(2026, 11, 21))


def test_the_fake_refuses_a_library_default_user_agent(fake_nws: FakeNws) -> None:
    import httpx

    assert httpx.get(f"{fake_nws.url}/points/40.779,-73.9693").status_code == 403


def _observe(fake: FakeNws, station: str, start: datetime, temps_c: list[float | None]) -> None:
    for i, temp in enumerate(temps_c):
        fake.add_observation(station, start + timedelta(hours=i), temp)


def test_observed_max_uses_only_the_lst_day(nws: NwsClient, fake_nws: FakeNws) -> None:
    # Climate day 2026-11-20 at KNYC = 05:00Z .. 05:00Z next day. The 04:51Z reading (30 °C) is the
    # previous evening and must not count.
    fake_nws.add_observation("KNYC", datetime(2026, 11, 20, 4, 51, tzinfo=UTC), 30.0)
    _observe(fake_nws, "KNYC", datetime(2026, 11, 20, 5, 51, tzinfo=UTC), [5.0, 8.3, None, 11.1, 9.0])
    result = nws.observed_max("KNYC", "NYC", date(2026, 11, 20))
    assert result.max_f == Decimal(52)  # 11.1 °C = 51.98 °F -> 52
    assert result.final is False
    assert result.as_of == datetime(2026, 11, 20, 9, 51, tzinfo=UTC)


def test_observed_max_takes_the_higher_of_intraday_cli_and_observations(
    nws: NwsClient, fake_nws: FakeNws
) -> None:
    _observe(fake_nws, "KNYC", datetime(2026, 11, 20, 14, 51, tzinfo=UTC), [10.0, 12.0])  # 50, 54 °F
    fake_nws.add_cli(
        NY, date(2026, 11, 20), 55, final=False, issued_at=datetime(2026, 11, 20, 22, 26, tzinfo=UTC)
    )
    result = nws.observed_max("KNYC", "NYC", date(2026, 11, 20))
    assert (result.max_f, result.final) == (Decimal(55), False)


def test_final_cli_is_the_answer(nws: NwsClient, fake_nws: FakeNws, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    fake_nws.set_now(clock.now)
    day = date(2026, 11, 20)
    fake_nws.add_cli(NY, day, 55, final=False, issued_at=datetime(2026, 11, 20, 22, 26, tzinfo=UTC))
    final_id = fake_nws.add_cli(
        NY, day, 57, final=True, issued_at=datetime(2026, 11, 21, 6, 16, tzinfo=UTC), max_time=time(14, 3)
    )
    fake_nws.add_cli(
        NY, date(2026, 11, 19), 61, final=True, issued_at=datetime(2026, 11, 20, 6, 16, tzinfo=UTC)
    )
    _observe(
        fake_nws, "KNYC", datetime(2026, 11, 20, 18, 51, tzinfo=UTC), [15.0]
    )  # 59 °F: ignored once final
    result = nws.observed_max("KNYC", "NYC", day)
    assert (result.max_f, result.final) == (Decimal(57), True)
    assert result.as_of == datetime(2026, 11, 21, 6, 16, tzinfo=UTC)
    paths = [r.path for r in fake_nws.server.requests]
    assert f"/products/{final_id}" in paths
    assert not any(p.startswith("/stations/") for p in paths)


def test_missing_cli_value_is_an_error_naming_the_product(nws: NwsClient, fake_nws: FakeNws) -> None:
    pid = fake_nws.add_cli(
        NY, date(2026, 11, 20), None, final=True, issued_at=datetime(2026, 11, 20, 20, tzinfo=UTC)
    )
    with pytest.raises(MalformedResponseError, match=rf"/products/{pid}.*MM"):
        nws.observed_max("KNYC", "NYC", date(2026, 11, 20))


def test_no_data_at_all_is_not_found(nws: NwsClient) -> None:
    with pytest.raises(NotFoundError, match="KNYC"):
        nws.observed_max("KNYC", "NYC", date(2026, 11, 20))


def test_unknown_station_needs_an_offset(nws: NwsClient) -> None:
    with pytest.raises(ValueError, match="KXYZ"):
        nws.observed_max("KXYZ", "XYZ", date(2026, 11, 20))


def test_demo_seed_serves_every_city(fake_nws: FakeNws, clock: Clock, retry: RetryPolicy) -> None:
    fake_nws.seed_demo(NOW)
    with NwsClient(fake_nws.url, user_agent=UA, clock=clock, retry=retry) as client:
        for series in (
            "KXHIGHNY",
            "KXHIGHCHI",
            "KXHIGHMIA",
            "KXHIGHAUS",
            "KXHIGHDEN",
            "KXHIGHLAX",
            "KXHIGHPHIL",
        ):
            city = city_for_series(series)
            assert client.forecast_high(city.latitude, city.longitude, date(2026, 11, 21)).high_f > 0
            yesterday = client.observed_max(city.station_icao, city.cli_location, date(2026, 11, 19))
            assert yesterday.final is True
            today = client.observed_max(city.station_icao, city.cli_location, date(2026, 11, 20))
            assert today.final is False


def test_real_clinyc_text_served_over_http_settles_at_33_not_the_normal_39(
    nws: NwsClient, fake_nws: FakeNws, clock: Clock
) -> None:
    real = (
        Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "cli" / "CLINYC_2013-01-02.txt"
    ).read_text()
    as_served = "\n000\n" + "\n".join(real.splitlines()[1:])  # drop IEM's sequence line, as the API does
    clock.now = datetime(2013, 1, 3, 12, tzinfo=UTC)
    fake_nws.set_now(clock.now)
    fake_nws.add_cli_text("NYC", datetime(2013, 1, 3, 6, 16, tzinfo=UTC), as_served)
    result = nws.observed_max("KNYC", "NYC", date(2013, 1, 2))
    assert (result.max_f, result.final) == (Decimal(33), True)
