"""Compact binary form of the trailing price window kept in the ``VOL/LATEST`` item.

Why: a collector run reads that one item instead of querying 120 price rows, so the item must stay
under 1 KB (one write unit per put, one read unit per strongly consistent get) even with 121 BTC
prices. As text the window alone is ~1 KB; packed it is ~3 bytes a minute.

Layout (all integers are zigzag varints): version, decimal scale ``s``, time unit in microseconds
``u``, count ``n``, first time (epoch microseconds / ``u``), first price (price * 10**s), then for
each further tick the time step and the price step. Exact: times and prices come back equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.ports.errors import StoreError

_VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = (60_000_000, 1_000_000, 1)  # a minute, a second, a microsecond: the coarsest that fits


def _micros(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError(f"recent price time must be timezone-aware (got {at.isoformat()})")
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _scale(price: Decimal) -> int:
    if not price.is_finite():
        raise ValueError(f"recent price must be finite (got {price!r})")
    exponent = price.as_tuple().exponent
    assert isinstance(exponent, int)  # finite Decimals have an int exponent
    return max(0, -exponent)


def _put(out: bytearray, value: int) -> None:
    zz = value * 2 if value >= 0 else -value * 2 - 1
    while True:
        byte = zz & 0x7F
        zz >>= 7
        if zz:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def pack_ticks(ticks: Sequence[tuple[datetime, Decimal]]) -> bytes:
    if not ticks:
        return b""
    times = [_micros(at) for at, _ in ticks]
    scale = max(_scale(price) for _, price in ticks)
    unit = next(u for u in _UNITS if all(t % u == 0 for t in times))
    values = [int(price.scaleb(scale)) for _, price in ticks]
    out = bytearray()
    for header in (_VERSION, scale, unit, len(ticks), times[0] // unit, values[0]):
        _put(out, header)
    for i in range(1, len(ticks)):
        _put(out, (times[i] - times[i - 1]) // unit)
        _put(out, values[i] - values[i - 1])
    return bytes(out)


class _Reader:
    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.pos, self.where = data, 0, where

    def next(self) -> int:
        zz, shift = 0, 0
        while True:
            if self.pos >= len(self.data):
                raise StoreError(f"{self.where}: recent_prices is truncated")
            byte = self.data[self.pos]
            self.pos += 1
            zz |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return zz >> 1 if zz % 2 == 0 else -(zz >> 1) - 1


def unpack_ticks(data: bytes, where: str) -> list[tuple[datetime, Decimal]]:
    reader = _Reader(bytes(data), where)
    version, scale, unit, count = (reader.next() for _ in range(4))
    if version != _VERSION or unit not in _UNITS or count < 1 or scale < 0:
        raise StoreError(f"{where}: recent_prices has an unknown layout (version {version})")
    time, value = reader.next() * unit, reader.next()
    out: list[tuple[datetime, Decimal]] = []
    for i in range(count):
        if i:
            time += reader.next() * unit
            value += reader.next()
        out.append((_EPOCH + timedelta(microseconds=time), Decimal(value).scaleb(-scale)))
    if reader.pos != len(reader.data):
        raise StoreError(f"{where}: recent_prices has trailing bytes")
    return out
