"""Market snapshots and event results <-> store items (shared by the SQLite and DynamoDB backends).

Keys (budget table, next to the job runs and documents; see :mod:`.records`):

``SNAP#decision`` / ``SNAP#minute``, sk ``<scheduled minute>#<event_ticker>#<bot>``
    one item per snapshot: ``data`` (the whole ladder, compressed) and ``expires_at`` (TTL).
``SNAP#looked``, same sk
    a decision snapshot reduced to the contracts it looked at (~300 bytes instead of ~2 KB): the
    scorecard, which the edge gate reads before a live order, never pays for whole ladders.
``SNAPEVENT``, sk ``<close_time>#<event_ticker>``
    one item per recorded event: ``data`` (series, close and, once settled, each market's result) and
    ``expires_at``. Events without ``settled`` are the recorder's to-do list.

Why one compressed attribute: a ladder is 20-200 strikes of the same few fields, and DynamoDB bills
writes (and keeps storage) per KB. The strikes are stored by column: tickers without the event prefix,
Decimals as integers at one scale per column (strikes as differences: an even ladder is a run of equal
small numbers), P(NO) in millionths; then compact JSON and zlib. A 100-strike snapshot is about 1.1 KB
(2 write units), a quarter of the row-by-row JSON; ``bench/bench_recorder_cost.py`` measures it.
Exact: every value comes back equal (times as ISO-8601 with microseconds).
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
    TradeDecision,
    Trigger,
)
from kalshi_bots.domain.models import Bot
from kalshi_bots.ports.errors import StoreError

VERSION = 1
SNAPSHOT_TTL = timedelta(days=30)  # KALSHI_BOTS_RECORDER_TTL_DAYS's default


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
LOOKED = "looked"  # the partition of reduced decision snapshots


def snapshot_pk(trigger: Trigger | str) -> str:
    return f"{r.SNAP_PK_PREFIX}{trigger if isinstance(trigger, str) else trigger.value}"


def snapshot_items(snapshot: MarketSnapshot, ttl: timedelta = SNAPSHOT_TTL) -> list[Item]:
    """What one snapshot writes, in order: a decision's reduced copy first, then the snapshot itself,
    so a run retried after a crash between the two still ends with both (each put is conditional)."""
    full = snapshot_item(snapshot, ttl)
    if snapshot.trigger is not Trigger.DECISION:
        return [full]
    reduced = snapshot_item(snapshot.reduced(), ttl)
    reduced["pk"] = snapshot_pk(LOOKED)
    return [reduced, full]


def snapshot_sk(snapshot: MarketSnapshot) -> str:
    return f"{r.iso_micro(snapshot.scheduled_for, 'scheduled_for')}#{snapshot.event_ticker}#{snapshot.bot}"


DECIMAL_COLUMNS = (
    "floor_strike",
    "cap_strike",
    "yes_bid",
    "yes_ask",
    "no_bid",
    "no_ask",
    "yes_bid_size",
    "yes_ask_size",
)
_MICRO = 1_000_000


def _scale(values: list[Decimal | None]) -> int:
    exponents = [v.as_tuple().exponent for v in values if v is not None]
    return max([0, *(-e for e in exponents if isinstance(e, int))])


def _decimal_column(values: list[Decimal | None], *, delta: bool) -> dict[str, Any]:
    """Decimals as integers at one scale (``{"s": 2, "v": [...]}``), optionally as differences from the
    previous value (strikes climb in even steps: small numbers that compress well). Exact."""
    for v in values:
        if v is not None and not v.is_finite():
            raise ValueError(f"snapshot: {v!r} is not a finite number")
    scale = _scale(values)
    ints: list[int | None] = [None if v is None else int(v.scaleb(scale)) for v in values]
    if delta:
        previous = 0
        for i, whole in enumerate(ints):
            if whole is not None:
                ints[i], previous = whole - previous, whole
    return {"s": scale, "d": int(delta), "v": ints}


def _p_cell(p: float | None) -> int | float | None:
    """P(NO) in millionths when that is exact (the recorder keeps 6 decimals), else the float itself."""
    if p is None:
        return None
    micros = round(p * _MICRO)
    return micros if micros / _MICRO == p else p


def _ticker_cell(ticker: str, event_ticker: str) -> str:
    prefix = event_ticker + "-"
    return ticker[len(prefix) :] if ticker.startswith(prefix) else "=" + ticker


def _columns(snapshot: MarketSnapshot) -> dict[str, Any]:
    q = snapshot.strikes
    cols: dict[str, Any] = {
        "ticker": [_ticker_cell(x.ticker, snapshot.event_ticker) for x in q],
        "strike_type": [x.strike_type for x in q],
        "model_p_no": [_p_cell(x.model_p_no) for x in q],
        "looked_at": [i for i, x in enumerate(q) if x.looked_at],
    }
    for name in DECIMAL_COLUMNS:
        cols[name] = _decimal_column([getattr(x, name) for x in q], delta=name == "floor_strike")
    return cols


def snapshot_item(snapshot: MarketSnapshot, ttl: timedelta = SNAPSHOT_TTL) -> Item:
    body = {
        "v": VERSION,
        "at": _time(snapshot.at),
        "trigger": snapshot.trigger.value,
        "bot": snapshot.bot.value,
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
        "decision": "" if snapshot.decision is None else snapshot.decision.value,
        "reason": snapshot.reason,
        "strikes": _columns(snapshot),
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


def _decimals(column: object, n: int, where: str) -> list[Decimal | None]:
    if not isinstance(column, dict) or not isinstance(column.get("v"), list) or len(column["v"]) != n:
        raise StoreError(f"{where}: a strike column has the wrong shape")
    scale, delta, previous = int(column["s"]), bool(column["d"]), 0
    out: list[Decimal | None] = []
    for cell in column["v"]:
        if cell is None:
            out.append(None)
            continue
        value = int(cell) + (previous if delta else 0)
        previous = value
        out.append(Decimal(value).scaleb(-scale))
    return out


def _p_value(cell: object) -> float | None:
    if cell is None:
        return None
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell / _MICRO
    if isinstance(cell, float):
        return cell
    raise StoreError(f"a P(NO) cell is not a number: {cell!r}")


def _strikes(cols: object, event_ticker: str, where: str) -> tuple[StrikeQuote, ...]:
    if not isinstance(cols, dict) or not isinstance(cols.get("ticker"), list):
        raise StoreError(f"{where}: strikes are missing")
    tickers = [str(t) for t in cols["ticker"]]
    n = len(tickers)
    types, ps, looked = cols.get("strike_type"), cols.get("model_p_no"), cols.get("looked_at")
    if not (isinstance(types, list) and isinstance(ps, list) and isinstance(looked, list)) or (
        len(types) != n or len(ps) != n
    ):
        raise StoreError(f"{where}: strike columns have different lengths")
    dec = {name: _decimals(cols.get(name), n, where) for name in DECIMAL_COLUMNS}
    marked = {int(i) for i in looked}
    return tuple(
        StrikeQuote(
            ticker=t[1:] if t.startswith("=") else f"{event_ticker}-{t}",
            strike_type=str(types[i]),
            model_p_no=_p_value(ps[i]),
            looked_at=i in marked,
            **{name: dec[name][i] for name in DECIMAL_COLUMNS},
        )
        for i, t in enumerate(tickers)
    )


def item_to_snapshot(item: Item) -> MarketSnapshot:
    sk = str(item.get("sk", ""))
    where = f"snapshot {item.get('pk')!s}/{sk}"
    b = _Body(_unpack(item.get("data"), where), where)
    try:
        trigger = Trigger(b.text("trigger"))
        return MarketSnapshot(
            scheduled_for=r.parse_iso(sk.split("#", 1)[0], where),
            at=b.time("at"),
            trigger=trigger,
            bot=Bot(b.text("bot")),
            mode=b.text("mode"),
            series_ticker=b.text("series"),
            event_ticker=b.text("event"),
            close_time=b.time("close"),
            strikes=_strikes(b.body.get("strikes"), b.text("event"), where),
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
            decision=TradeDecision(b.text("decision")) if b.text("decision") else None,
            reason=b.text("reason"),
        )
    except (ValueError, KeyError, TypeError, DomainError) as exc:
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
