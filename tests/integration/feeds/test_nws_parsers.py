"""NWS JSON parsers on the real payloads in tests/fixtures/feeds/nws (pynws MIT, weather.gov CC0)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kalshi_bots.adapters.nws.parse import (
    parse_forecast_high,
    parse_observation,
    parse_point,
    parse_product_listing,
    parse_product_text,
    whole_f,
)
from kalshi_bots.ports.errors import MalformedResponseError, NotFoundError, StaleDataError

NWS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "nws"
HOURS_12 = timedelta(hours=12)


def _load(name: str) -> Any:
    return json.loads((NWS / name).read_text())


def test_points_fixtures_give_the_forecast_url() -> None:
    tae = parse_point(_load("points_pynws_30_-85.json"), "fixture")
    assert tae.forecast_url == "https://api.weather.gov/gridpoints/TAE/58,65/forecast"
    assert (tae.grid_id, tae.time_zone) == ("TAE", "America/New_York")
    denver = parse_point(_load("points_weathergov_denver.json"), "fixture")  # carries an extra @bundle key
    assert denver.forecast_url == "https://api.weather.gov/gridpoints/BOU/63,61/forecast"
    assert denver.time_zone == "America/Denver"


def test_pynws_forecast_daytime_high_and_issue_time() -> None:
    body = _load("forecast_pynws_trimmed.json")
    now = datetime(2019, 10, 13, 19, 0, tzinfo=UTC)
    high = parse_forecast_high(body, date(2019, 10, 13), now=now, max_age=HOURS_12, where="fixture")
    assert high.high_f == Decimal(41)
    assert high.issued_at == datetime(2019, 10, 13, 18, 16, 20, tzinfo=UTC)


def test_pynws_forecast_is_stale_a_day_later() -> None:
    body = _load("forecast_pynws_trimmed.json")
    with pytest.raises(StaleDataError, match=r"updateTime .* h old"):
        parse_forecast_high(
            body, date(2019, 10, 13), now=datetime(2019, 10, 14, 12, tzinfo=UTC), max_age=HOURS_12, where="x"
        )


def _materialise(node: Any, now: datetime) -> Any:
    """Replace weather.gov's "date:now -1508 seconds" / "date:now:hour 9 hours" templates."""
    if isinstance(node, dict):
        return {k: _materialise(v, now) for k, v in node.items()}
    if isinstance(node, list):
        return [_materialise(v, now) for v in node]
    if isinstance(node, str) and node.startswith("date:now"):
        match = re.fullmatch(
            r"date:now(?P<hour>:hour)?\s*(?P<n>[-\d]+)?\s*(?P<unit>\w+)?(?P<rest>\s*/.*)?", node
        )
        assert match is not None, node
        base = now.replace(minute=0, second=0, microsecond=0) if match["hour"] else now
        step = timedelta(**{match["unit"]: int(match["n"])}) if match["n"] else timedelta()
        return (base + step).isoformat() + (match["rest"] or "")
    return node


def test_weathergov_14_period_forecast_picks_daytime_periods_by_local_date() -> None:
    now = datetime(2026, 3, 10, 17, 30, tzinfo=UTC).astimezone(ZoneInfo("America/Los_Angeles"))
    body = _materialise(_load("forecast_weathergov_MTR_templated.json"), now)
    periods = body["properties"]["periods"]
    assert len(periods) == 14
    today = parse_forecast_high(body, now.date(), now=now, max_age=HOURS_12, where="fixture")
    assert today.high_f == Decimal(periods[0]["temperature"]) == Decimal(64)
    tomorrow_period = next(
        p for p in periods if p["isDaytime"] and datetime.fromisoformat(p["startTime"]).date() > now.date()
    )
    tomorrow = parse_forecast_high(
        body,
        datetime.fromisoformat(tomorrow_period["startTime"]).date(),
        now=now,
        max_age=HOURS_12,
        where="f",
    )
    assert tomorrow.high_f == Decimal(tomorrow_period["temperature"])
    with pytest.raises(NotFoundError, match="no daytime forecast period"):
        parse_forecast_high(body, now.date() + timedelta(days=30), now=now, max_age=HOURS_12, where="f")


def test_celsius_and_quantitative_value_temperatures_convert_to_fahrenheit() -> None:
    body = _load("forecast_pynws_trimmed.json")
    now = datetime(2019, 10, 13, 19, 0, tzinfo=UTC)
    period = body["properties"]["periods"][0]
    period["temperature"], period["temperatureUnit"] = 5, "C"
    assert parse_forecast_high(body, date(2019, 10, 13), now=now, max_age=HOURS_12, where="f").high_f == 41
    period["temperature"] = {"unitCode": "wmoUnit:degC", "value": 21.5}
    assert parse_forecast_high(
        body, date(2019, 10, 13), now=now, max_age=HOURS_12, where="f"
    ).high_f == Decimal("70.7")
    period["temperature"] = "hot"
    with pytest.raises(MalformedResponseError, match="'temperature'"):
        parse_forecast_high(body, date(2019, 10, 13), now=now, max_age=HOURS_12, where="GET /x")


def test_stale_generated_at_is_caught_even_with_a_fresh_update_time() -> None:
    body = _load("forecast_pynws_trimmed.json")
    body["properties"]["updateTime"] = "2019-10-16T18:00:00+00:00"
    with pytest.raises(StaleDataError, match="generatedAt"):
        parse_forecast_high(
            body, date(2019, 10, 13), now=datetime(2019, 10, 16, 19, tzinfo=UTC), max_age=HOURS_12, where="x"
        )


def test_kfll_observation_in_celsius() -> None:
    reading = parse_observation(_load("observation_latest_KFLL.json"), "fixture")
    assert reading.at == datetime(2022, 3, 2, 23, 53, tzinfo=UTC)
    assert reading.temperature_c == Decimal("22.8")
    assert whole_f(reading.temperature_c * 9 / 5 + 32) == 73  # 73.04 °F


def test_null_and_rejected_temperatures_are_not_readings() -> None:
    body = _load("observation_latest_KFLL.json")
    body["properties"]["temperature"]["value"] = None
    assert parse_observation(body, "f").temperature_c is None
    body["properties"]["temperature"] = {"unitCode": "wmoUnit:degC", "value": 40.0, "qualityControl": "X"}
    assert parse_observation(body, "f").temperature_c is None


@pytest.mark.parametrize(("value", "expected"), [("72.5", 73), ("72.49", 72), ("-0.5", -1), ("32", 32)])
def test_whole_degree_rounding_is_half_away_from_zero(value: str, expected: int) -> None:
    assert whole_f(Decimal(value)) == expected


def test_product_listing_sorted_newest_first_whatever_the_wire_order() -> None:
    body = _load("products_listing_AFD_OKX.json")
    body["@graph"].reverse()
    refs = parse_product_listing(body, "fixture")
    assert len(refs) == len(body["@graph"]) > 10
    assert refs[0].issued_at == max(r.issued_at for r in refs)
    assert [r.issued_at for r in refs] == sorted((r.issued_at for r in refs), reverse=True)


def test_product_detail_text() -> None:
    text = parse_product_text(_load("product_detail_AFD.json"), "fixture")
    assert text.startswith("\n000\nFXUS62 KTAE")
    with pytest.raises(MalformedResponseError, match="productText"):
        parse_product_text({"id": "x"}, "GET /products/x")
