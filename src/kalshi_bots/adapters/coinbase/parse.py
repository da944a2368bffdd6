"""Pure parsers for Coinbase Exchange replies (kept apart from HTTP so real fixtures test them).

Wire facts (../shared/reference/feeds.md A.2): the ticker's ``price`` is a decimal *string* and
``time`` ISO-8601 with up to nanoseconds; candle rows are ``[time, low, high, open, close, volume]``
arrays of JSON *numbers*, ``time`` the bucket start in UNIX seconds, newest first.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kalshi_bots.domain.models import Asset, PriceTick
from kalshi_bots.ports.errors import MalformedResponseError

SERVICE = "coinbase"
CANDLE_CLOSE_INDEX = 4
MAX_PRICE = Decimal("1e15")
_FRACTION = re.compile(r"(\.\d{6})\d+")


def _bad(where: str, what: str) -> MalformedResponseError:
    return MalformedResponseError(SERVICE, f"{where}: {what}")


def positive_decimal(value: Any, field_name: str, where: str) -> Decimal:
    """A strictly positive finite price from a JSON string or number; anything else is an error."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad(where, f"field {field_name!r} is not a number: {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(where, f"field {field_name!r} is not finite: {value!r}")
    try:
        # str() first: Decimal(float) would carry the binary expansion (6222.01 -> 6222.0100000000002...).
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _bad(where, f"field {field_name!r} is not a number: {value!r}") from exc
    if not number.is_finite() or number <= 0:
        raise _bad(where, f"field {field_name!r} must be a positive price, got {value!r}")
    if number > MAX_PRICE:  # beyond any USD price; as a float (volatility math) it would turn inf
        raise _bad(where, f"field {field_name!r} is not a plausible price: {value!r}")
    return number


def parse_exchange_time(value: Any, field_name: str, where: str) -> datetime:
    """ISO-8601 (``Z`` or offset, any fraction length) -> aware UTC. Nanoseconds are cut to micro."""
    if not isinstance(value, str) or not value:
        raise _bad(where, f"field {field_name!r} is not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad(where, f"field {field_name!r} is not ISO-8601: {value!r}") from exc
    if parsed.tzinfo is None:
        raise _bad(where, f"field {field_name!r} has no time zone: {value!r}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 has no UTC equivalent
        raise _bad(where, f"field {field_name!r} is out of range: {value!r}") from None


def epoch_seconds(value: Any, what: str, where: str) -> datetime:
    """Integer UNIX seconds -> aware UTC; a number no datetime can hold (10**15) is a malformed reply.

    ``what`` names the field in the error, e.g. ``candle #3 field 'time'``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, f"{what} is not integer seconds: {value!r}")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _bad(where, f"{what} is not a time (out of range): {value!r}") from None


def parse_ticker(asset: Asset, body: Any, where: str) -> PriceTick:
    """``/products/{id}/ticker`` -> the last trade's price, stamped with the exchange's own time."""
    if not isinstance(body, dict):
        raise _bad(where, f"expected a JSON object, got {type(body).__name__}")
    if "price" not in body:
        raise _bad(where, "field 'price' is missing")
    if "time" not in body:
        raise _bad(where, "field 'time' is missing")
    price = positive_decimal(body["price"], "price", where)
    at = parse_exchange_time(body["time"], "time", where)
    return PriceTick(asset=asset, at=at, price=price)


def parse_candles(asset: Asset, body: Any, where: str) -> list[PriceTick]:
    """Candle rows -> one tick per minute bucket, ASCENDING, duplicates dropped.

    The tick is the bucket's CLOSE stamped at the bucket's START minute. That is the convention of
    the stored minute series (a row ``at=12:03`` means "the price by the end of minute 12:03"); a
    caller wanting "price as of 12:04:00" reads the 12:03 row. Missing minutes stay missing.
    """
    if not isinstance(body, list):
        raise _bad(where, f"expected a JSON array of candles, got {type(body).__name__}")
    by_time: dict[int, PriceTick] = {}
    for index, row in enumerate(body):
        if not isinstance(row, list) or len(row) <= CANDLE_CLOSE_INDEX:
            raise _bad(where, f"candle #{index} is not a [time, low, high, open, close, ...] array: {row!r}")
        stamp = row[0]
        at = epoch_seconds(stamp, f"candle #{index} field 'time'", where)
        close = positive_decimal(row[CANDLE_CLOSE_INDEX], f"candle #{index} close", where)
        by_time[stamp] = PriceTick(asset=asset, at=at, price=close)
    return [by_time[t] for t in sorted(by_time)]
