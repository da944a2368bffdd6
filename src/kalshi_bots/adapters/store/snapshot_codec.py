"""Market snapshots and event results <-> store items (shared by the SQLite and DynamoDB backends).

Keys (budget table, next to the job runs and documents; see :mod:`.records`):

``SNAP#decision`` / ``SNAP#minute``, sk ``<scheduled minute>#<event_ticker>#<bot>``
    one item per snapshot: ``data`` (the whole ladder, compressed) and ``expires_at`` (TTL).
``SNAPEVENT``, sk ``<close_time>#<event_ticker>``
    one item per recorded event: ``data`` (series, close and, once settled, each market's result) and
    ``expires_at``. Events without ``settled`` are the recorder's to-do list.

Why one compressed attribute: a ladder is 20-100 strikes of the same few fields, and DynamoDB bills
writes per KB. As compact JSON and zlib a 100-strike snapshot is ~1.5 KB (2 write units) instead of
~11 KB; ``bench/bench_recorder_cost.py`` measures it. Exact: Decimals travel as text, floats as their
shortest repr, times as ISO-8601 with microseconds.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.codec import Item
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.market_snapshot import (
    EventResult,
    MarketSnapshot,
    RecordedEvent,
    StrikeQuote,
    Trigger,
)
from kalshi_bots.ports.errors import StoreError

VERSION = 1
SNAPSHOT_TTL = timedelta(days=60)  # KALSHI_BOTS_RECORDER_TTL_DAYS's default
_FIELDS = (
    "ticker",
    "strike_type",
    "floor_strike",
    "cap_strike",
    "yes_bid",
    "yes_ask",
    "no_bid",
    "no_ask",
    "yes_bid_size",
    "yes_ask_size",
    "model_p_no",
    "looked_at",
)


def _dec(value: Decimal | None) -> str | None:
    if value is None:
        return None
    if not value.is_finite():
        raise ValueError(f"snapshot: {value!r} is not a finite number")
    return str(value)


def _time(value: datetime | None) -> str | None:
    return None if value is None else r.iso_micro(value, "snapshot time")


def _pack(body: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(body, separators=(",", ":"), allow_nan=False).encode(), 9)


def _unpack(data: object, where: str) -> dict[str, Any]:
    if not isinstance(data, bytes):
        raise StoreError(f"{where}: data should be binary, got {type(data).__name__}")
    try:
        body = json.loads(zlib.decompress(data))
    except (zlib.error, ValueError) as exc:
        raise StoreError(f"{where}: data is not a packed snapshot ({exc})") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise StoreError(f"{where}: unknown snapshot layout (version {body.get('v')!r})")
    return body


# --- snapshots -----------------------------------------------------------------------------------
def snapshot_pk(trigger: Trigger) -> str:
    return f"{r.SNAP_PK_PREFIX}{trigger.value}"


def snapshot_sk(snapshot: MarketSnapshot) -> str:
    return f"{r.iso_micro(snapshot.scheduled_for, 'scheduled_for')}#{snapshot.event_ticker}#{snapshot.bot}"


def _strike_row(s: StrikeQuote) -> list[Any]:
    return [
        s.ticker,
        s.strike_type,
        _dec(s.floor_strike),
        _dec(s.cap_strike),
        _dec(s.yes_bid),
        _dec(s.yes_ask),
        _dec(s.no_bid),
        _dec(s.no_ask),
        _dec(s.yes_bid_size),
        _dec(s.yes_ask_size),
        s.model_p_no,
        1 if s.looked_at else 0,
    ]


def snapshot_item(snapshot: MarketSnapshot, ttl: timedelta = SNAPSHOT_TTL) -> Item:
    body = {
        "v": VERSION,
        "at": _time(snapshot.at),
        "trigger": snapshot.trigger.value,
        "bot": snapshot.bot,
        "mode": snapshot.mode,
        "series": snapshot.series_ticker,
        "event": snapshot.event_ticker,
        "close": _time(snapshot.close_time),
        "spot": _dec(snapshot.spot),
        "spot_time": _time(snapshot.spot_time),
        "model": snapshot.model,
        "vol": snapshot.vol_15m_std_pct,
        "nu": snapshot.tail_nu,
        "avg": snapshot.settlement_average_s,
        "returns": snapshot.vol_returns,
        "mean_f": snapshot.forecast_mean_f,
        "sigma_f": snapshot.forecast_sigma_f,
        "observed_f": snapshot.observed_max_f,
        "decision": snapshot.decision,
        "reason": snapshot.reason,
        "fields": list(_FIELDS),
        "strikes": [_strike_row(s) for s in snapshot.strikes],
    }
    return {
        "pk": snapshot_pk(snapshot.trigger),
        "sk": snapshot_sk(snapshot),
        "data": _pack(body),
        "expires_at": int((r.as_utc(snapshot.scheduled_for, "scheduled_for") + ttl).timestamp()),
    }


class _Body:
    """Typed reads of an unpacked body; errors name the item."""

    def __init__(self, body: dict[str, Any], where: str) -> None:
        self.body, self.where = body, where

    def text(self, name: str) -> str:
        value = self.body.get(name)
        if not isinstance(value, str):
            raise StoreError(f"{self.where}: {name} should be text, got {value!r}")
        return value

    def time(self, name: str) -> datetime:
        return r.parse_iso(self.text(name), f"{self.where} {name}")

    def opt_time(self, name: str) -> datetime | None:
        return None if self.body.get(name) is None else self.time(name)

    def opt_float(self, name: str) -> float | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise StoreError(f"{self.where}: {name} should be a number, got {value!r}")
        return float(value)

    def opt_int(self, name: str) -> int | None:
        value = self.opt_float(name)
        return None if value is None else int(value)


def _opt_dec(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise StoreError(f"{where}: {value!r} is not a number") from None


def _strike(row: object, fields: list[str], where: str) -> StrikeQuote:
    if not isinstance(row, list) or len(row) != len(fields):
        raise StoreError(f"{where}: a strike row has the wrong shape")
    cell = dict(zip(fields, row, strict=True))
    p = cell.get("model_p_no")
    return StrikeQuote(
        ticker=str(cell["ticker"]),
        strike_type=str(cell["strike_type"]),
        floor_strike=_opt_dec(cell["floor_strike"], where),
        cap_strike=_opt_dec(cell["cap_strike"], where),
        yes_bid=_opt_dec(cell["yes_bid"], where),
        yes_ask=_opt_dec(cell["yes_ask"], where),
        no_bid=_opt_dec(cell["no_bid"], where),
        no_ask=_opt_dec(cell["no_ask"], where),
        yes_bid_size=_opt_dec(cell["yes_bid_size"], where),
        yes_ask_size=_opt_dec(cell["yes_ask_size"], where),
        model_p_no=None if p is None else float(p),
        looked_at=bool(cell["looked_at"]),
    )


def item_to_snapshot(item: Item) -> MarketSnapshot:
    sk = str(item.get("sk", ""))
    where = f"snapshot {item.get('pk')!s}/{sk}"
    b = _Body(_unpack(item.get("data"), where), where)
    fields = b.body.get("fields")
    rows = b.body.get("strikes")
    if not isinstance(fields, list) or not isinstance(rows, list):
        raise StoreError(f"{where}: strikes are missing")
    try:
        trigger = Trigger(b.text("trigger"))
        return MarketSnapshot(
            scheduled_for=r.parse_iso(sk.split("#", 1)[0], where),
            at=b.time("at"),
            trigger=trigger,
            bot=b.text("bot"),
            mode=b.text("mode"),
            series_ticker=b.text("series"),
            event_ticker=b.text("event"),
            close_time=b.time("close"),
            strikes=tuple(_strike(row, [str(f) for f in fields], where) for row in rows),
            spot=_opt_dec(b.body.get("spot"), where),
            spot_time=b.opt_time("spot_time"),
            model=b.text("model"),
            vol_15m_std_pct=b.opt_float("vol"),
            tail_nu=b.opt_float("nu"),
            settlement_average_s=b.opt_float("avg"),
            vol_returns=b.opt_int("returns"),
            forecast_mean_f=b.opt_float("mean_f"),
            forecast_sigma_f=b.opt_float("sigma_f"),
            observed_max_f=b.opt_float("observed_f"),
            decision=b.text("decision"),
            reason=b.text("reason"),
        )
    except (ValueError, KeyError, DomainError) as exc:
        raise StoreError(f"{where}: {exc}") from None


# --- events --------------------------------------------------------------------------------------
def event_sk(close_time: datetime, event_ticker: str) -> str:
    return f"{r.iso_micro(close_time, 'close_time')}#{event_ticker}"


def event_item(
    event: RecordedEvent, result: EventResult | None = None, ttl: timedelta = SNAPSHOT_TTL
) -> Item:
    body: dict[str, Any] = {"v": VERSION, "series": event.series_ticker}
    if result is not None:
        body["outcomes"] = [list(pair) for pair in result.outcomes]
    item: Item = {
        "pk": r.SNAPEVENT_PK,
        "sk": event_sk(event.close_time, event.event_ticker),
        "data": _pack(body),
        "expires_at": int((r.as_utc(event.close_time, "close_time") + ttl).timestamp()),
    }
    if result is not None:
        item["settled"] = 1
    return item


def item_to_event(item: Item) -> tuple[RecordedEvent, EventResult | None]:
    sk = str(item.get("sk", ""))
    where = f"recorded event {sk}"
    close_text, _, ticker = sk.partition("#")
    body = _Body(_unpack(item.get("data"), where), where)
    event = RecordedEvent(ticker, body.text("series"), r.parse_iso(close_text, where))
    outcomes = body.body.get("outcomes")
    if outcomes is None:
        return event, None
    if not isinstance(outcomes, list) or any(not isinstance(p, list) or len(p) != 2 for p in outcomes):
        raise StoreError(f"{where}: outcomes have the wrong shape")
    pairs = tuple((str(t), str(res)) for t, res in outcomes)
    return event, EventResult(ticker, event.series_ticker, event.close_time, pairs)


def recorded_event(snapshot: MarketSnapshot) -> RecordedEvent:
    return RecordedEvent(snapshot.event_ticker, snapshot.series_ticker, snapshot.close_time)


def time_bounds(start: datetime, end: datetime) -> tuple[str, str]:
    """sk bounds of the items keyed ``<time>#...`` with ``start <= time < end`` for ``BETWEEN``:
    ``"<end>#..."`` sorts after ``"<end>"``, so an item at exactly ``end`` falls outside."""
    return r.iso_micro(start, "start"), r.iso_micro(end, "end")
