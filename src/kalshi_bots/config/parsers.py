"""Parsers for setting values: ``str -> value``, raising :class:`BadValueError` with what is allowed."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class BadValueError(ValueError):
    """Raised by a parser with the 'what is allowed' half of the message."""


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise BadValueError(f"expected one of {', '.join(allowed)}")
        return value

    return parse


def yes_no(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise BadValueError("expected yes/no (also true/false, 1/0, on/off)")


def int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise BadValueError(f"expected a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise BadValueError(f"expected a whole number from {low} to {high}")
        return value

    return parse


def float_range(low: float, high: float, *, low_open: bool = False) -> Callable[[str], float]:
    bound = f"greater than {low}" if low_open else f"at least {low}"

    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise BadValueError(f"expected a number {bound} and at most {high}") from None
        too_low = value <= low if low_open else value < low
        if not math.isfinite(value) or too_low or value > high:
            raise BadValueError(f"expected a number {bound} and at most {high}")
        return value

    return parse


def tail_nu(raw: str) -> float:
    """Student-t degrees of freedom: 0 turns fat tails off; otherwise > 2 (finite variance)."""
    value = float_range(0, 1000)(raw)
    if 0 < value <= 2:
        raise BadValueError("expected 0 (normal law) or a number greater than 2 and at most 1000")
    return value


def dollars(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise BadValueError("expected an amount in dollars, e.g. 25 or 12.50") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise BadValueError(
            "expected a non-negative amount in dollars with at most 2 decimals, e.g. 25 or 12.50"
        )
    return value


def url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadValueError("expected an http(s) URL such as https://example.com/path")
    return value


def contact(raw: str) -> str:
    value = raw.strip()
    if "@" not in value and "://" not in value:
        raise BadValueError("expected an e-mail address or a URL (https://...) where NWS can reach you")
    if any(c in value for c in "()\r\n"):
        raise BadValueError("expected an e-mail address or URL without parentheses or line breaks")
    return value


def text(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise BadValueError("expected a non-empty value")
    return value


def table(raw: str) -> str:
    value = raw.strip()
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    if not 3 <= len(value) <= 255 or not set(value) <= allowed:
        raise BadValueError("expected a DynamoDB table name: 3-255 characters of letters, digits, _ . -")
    return value


def file_path(raw: str) -> Path:
    if not raw.strip():
        raise BadValueError("expected a file path")
    return Path(raw.strip()).expanduser()


def secret(raw: str) -> SecretStr:
    if not raw.strip():
        raise BadValueError("expected a non-empty value")
    return SecretStr(raw.strip())


def cities(raw: str) -> tuple[str, ...]:
    items = tuple(part.strip().upper() for part in raw.split(",") if part.strip())
    if not items or any(not (c.startswith("KXHIGH") and c.isalnum() and len(c) > 6) for c in items):
        raise BadValueError("expected comma-separated KXHIGH* series tickers, e.g. KXHIGHNY,KXHIGHCHI")
    return items


def log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise BadValueError(f"expected one of {', '.join(LOG_LEVELS)}")
    return value


def webhook_urls(raw: str) -> SecretStr:
    """Comma-separated http(s) URLs. Webhook URLs carry their own tokens, so the value is a secret and
    errors name the item's position, never its text."""
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise BadValueError("expected comma-separated webhook URLs (https://...)")
    for number, item in enumerate(items, start=1):
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadValueError(f"item {number} is not an http(s) URL; expected https://host/path,...")
    return SecretStr(",".join(items))


def time_or_off(raw: str) -> time | None:
    """``HH:MM`` (24-hour clock) or ``off``."""
    value = raw.strip().lower()
    if value in ("off", "no", "none"):
        return None
    try:
        hour, minute = (int(part) for part in value.split(":"))
        return time(hour, minute)
    except ValueError:
        raise BadValueError("expected a time HH:MM on the 24-hour clock (e.g. 21:00), or off") from None
