"""Pure parsers for api.weather.gov JSON (points, forecast, observations, product listings).

Lenient about unknown keys (the weather.gov test fixtures even add ``@bundle``), strict about the
fields we use: a missing or mistyped one is a MalformedResponseError naming the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kalshi_bots.ports.errors import MalformedResponseError, NotFoundError, StaleDataError
from kalshi_bots.ports.feeds import ForecastHigh

SERVICE = "nws"
WHOLE = Decimal(1)
TENTH = Decimal("0.1")
# NWS quality-control flags meaning "do not use": X = rejected, B = subjective bad.
REJECTED_QC = frozenset({"X", "B"})


def _bad(where: str, what: str) -> MalformedResponseError:
    return MalformedResponseError(SERVICE, f"{where}: {what}")


def _object(value: Any, name: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, f"{name} is not a JSON object")
    return value


def _properties(body: Any, where: str) -> dict[str, Any]:
    return _object(_object(body, "reply", where).get("properties"), "'properties'", where)


def parse_time(value: Any, field_name: str, where: str) -> datetime:
    """ISO-8601 with an offset -> aware UTC (NWS stamps forecast periods in local clock time)."""
    if not isinstance(value, str):
        raise _bad(where, f"field {field_name!r} is not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad(where, f"field {field_name!r} is not ISO-8601: {value!r}") from exc
    if parsed.tzinfo is None:
        raise _bad(where, f"field {field_name!r} has no UTC offset: {value!r}")
    try:
        parsed.astimezone(UTC)  # 9999-12-31T23:00-05:00 parses but has no UTC instant: say so here
    except OverflowError:
        raise _bad(where, f"field {field_name!r} is out of range: {value!r}") from None
    return parsed


def c_to_f(celsius: Decimal) -> Decimal:
    return celsius * 9 / 5 + 32


def whole_f(fahrenheit: Decimal) -> Decimal:
    """Round to whole °F half away from zero (the arithmetic rounding NWS uses for CLI/ASOS °F)."""
    return fahrenheit.quantize(WHOLE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PointInfo:
    forecast_url: str
    grid_id: str
    time_zone: str


def parse_point(body: Any, where: str) -> PointInfo:
    props = _properties(body, where)
    forecast = props.get("forecast")
    if not isinstance(forecast, str) or not forecast.startswith(("http://", "https://")):
        raise _bad(where, f"field 'forecast' is not a URL: {forecast!r}")
    return PointInfo(
        forecast_url=forecast, grid_id=str(props.get("gridId", "")), time_zone=str(props.get("timeZone", ""))
    )


def _temperature_f(period: dict[str, Any], where: str) -> Decimal:
    """A period's temperature in °F: a plain number + ``temperatureUnit``, or a QuantitativeValue."""
    raw = period.get("temperature")
    unit = period.get("temperatureUnit", "F")
    if isinstance(raw, dict):  # Feature-Flags: forecast_temperature_qv
        unit = "C" if str(raw.get("unitCode", "")).endswith("degC") else "F"
        raw = raw.get("value")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _bad(where, f"period {period.get('name')!r} field 'temperature' is not a number: {raw!r}")
    value = Decimal(str(raw))
    if unit == "C":
        return c_to_f(value).quantize(TENTH, rounding=ROUND_HALF_UP)
    if unit != "F":
        raise _bad(where, f"period {period.get('name')!r} has unknown temperatureUnit {unit!r}")
    return value


def check_fresh(props: dict[str, Any], now: datetime, max_age: timedelta, where: str) -> datetime:
    """Reject a forecast whose ``updateTime`` or ``generatedAt`` is older than ``max_age``.

    Both are checked: an old ``updateTime`` means the office stopped sending grids; an old
    ``generatedAt`` means a cache edge served an old copy with a 200 (weather-gov/api#71).
    Returns ``updateTime`` (when the forecast was issued).
    """
    issued = parse_time(props.get("updateTime"), "updateTime", where)
    stamps = [("updateTime", issued)]
    if props.get("generatedAt") is not None:
        stamps.append(("generatedAt", parse_time(props["generatedAt"], "generatedAt", where)))
    for name, stamp in stamps:
        age = now - stamp
        if age > max_age:
            hours = age.total_seconds() / 3600
            raise StaleDataError(
                SERVICE, f"{where}: {name} {stamp.isoformat()} is {hours:.1f} h old (limit {max_age})"
            )
    return issued.astimezone(UTC)


def parse_forecast_high(
    body: Any, target_date: date, *, now: datetime, max_age: timedelta, where: str
) -> ForecastHigh:
    """The high of the first DAYTIME period starting on ``target_date`` (local date of startTime).

    In the evening ``periods[0]`` is "Tonight" (a low), so never take the first period blindly.
    """
    props = _properties(body, where)
    issued = check_fresh(props, now, max_age, where)
    periods = props.get("periods")
    if not isinstance(periods, list):
        raise _bad(where, "field 'periods' is not a list")
    for index, raw in enumerate(periods):
        period = _object(raw, f"period #{index}", where)
        if period.get("isDaytime") is not True:
            continue
        start = parse_time(period.get("startTime"), f"periods[{index}].startTime", where)
        if start.date() == target_date:  # the local date: startTime carries the local offset
            return ForecastHigh(
                target_date=target_date, high_f=_temperature_f(period, where), issued_at=issued
            )
    raise NotFoundError(SERVICE, f"{where}: no daytime forecast period for {target_date.isoformat()}")


@dataclass(frozen=True, slots=True)
class ObservationReading:
    at: datetime  # aware UTC
    temperature_c: Decimal | None  # None: not reported or rejected by quality control


def parse_observation(feature: Any, where: str) -> ObservationReading:
    props = _properties(feature, where)
    at = parse_time(props.get("timestamp"), "timestamp", where).astimezone(UTC)
    temp = props.get("temperature")
    if temp is None:
        return ObservationReading(at, None)
    temp = _object(temp, "'temperature'", where)
    value, unit = temp.get("value"), str(temp.get("unitCode", ""))
    if value is None or temp.get("qualityControl") in REJECTED_QC:
        return ObservationReading(at, None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(where, f"field 'temperature.value' is not a number: {value!r}")
    celsius = Decimal(str(value))
    if unit.endswith("degF"):
        celsius = (celsius - 32) * 5 / 9
    elif not unit.endswith("degC"):
        raise _bad(where, f"field 'temperature.unitCode' is not degC/degF: {unit!r}")
    return ObservationReading(at, celsius)


def parse_observations(body: Any, where: str) -> list[ObservationReading]:
    features = _object(body, "reply", where).get("features")
    if not isinstance(features, list):
        raise _bad(where, "field 'features' is not a list")
    return [parse_observation(feature, f"{where} feature #{i}") for i, feature in enumerate(features)]


@dataclass(frozen=True, slots=True)
class ProductRef:
    product_id: str
    issued_at: datetime  # aware UTC


def parse_product_listing(body: Any, where: str) -> list[ProductRef]:
    """``@graph`` entries, NEWEST FIRST by ``issuanceTime`` (the wire order is not guaranteed)."""
    graph = _object(body, "reply", where).get("@graph")
    if not isinstance(graph, list):
        raise _bad(where, "field '@graph' is not a list")
    refs = []
    for index, raw in enumerate(graph):
        item = _object(raw, f"@graph[{index}]", where)
        product_id = item.get("id")
        if not isinstance(product_id, str) or not product_id:
            raise _bad(where, f"@graph[{index}] has no 'id'")
        issued = parse_time(item.get("issuanceTime"), f"@graph[{index}].issuanceTime", where)
        refs.append(ProductRef(product_id, issued.astimezone(UTC)))
    return sorted(refs, key=lambda ref: ref.issued_at, reverse=True)


def parse_product_text(body: Any, where: str) -> str:
    text = _object(body, "reply", where).get("productText")
    if not isinstance(text, str) or not text.strip():
        raise _bad(where, "field 'productText' is missing or empty")
    return text
