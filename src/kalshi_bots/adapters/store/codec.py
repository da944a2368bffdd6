"""Domain objects <-> attribute maps, shared by the SQLite and DynamoDB backends.

An ``Item`` holds plain values: ``str``, ``int``, ``Decimal`` (DynamoDB Number; never float, which
boto3 refuses) and ``bytes`` (Binary). ``None`` is never stored: an absent attribute means "none".
Decoders also accept numbers as text, because SQLite keeps Decimals as TEXT to stay exact.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store.packing import pack_ticks, unpack_ticks
from kalshi_bots.domain.models import (
    Asset,
    Bot,
    Mode,
    PriceTick,
    RunStatus,
    Side,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.ports.errors import StoreError

Value: TypeAlias = str | int | Decimal | bytes
Item: TypeAlias = dict[str, Value]

HUNDRED = Decimal(100)
_VOL_ATTR = re.compile(r"^vol_(\d+)m_samples$")
_METRICS = ("std", "range", "max_move")


def vol_attribute_names(window_minutes: int) -> tuple[str, ...]:
    return tuple(f"vol_{window_minutes}m_{m}" for m in (*_METRICS, "samples"))


# --- numbers ---------------------------------------------------------------------------------
def float_number(value: float, what: str) -> Decimal:
    """A float as the shortest Decimal that reads back as the same float."""
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite (got {value!r})")
    return Decimal(repr(float(value)))


def decimal_number(value: Decimal, what: str) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"{what} must be finite (got {value!r})")
    return value


def _dec(item: Item, name: str, where: str) -> Decimal:
    value = _get(item, name, where)
    if isinstance(value, bytes):
        raise StoreError(f"{where}: attribute {name!r} is binary, expected a number")
    try:
        return value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise StoreError(f"{where}: attribute {name!r} is not a number: {value!r}") from exc


def _opt_dec(item: Item, name: str, where: str) -> Decimal | None:
    return _dec(item, name, where) if name in item else None


def _float(item: Item, name: str, where: str) -> float:
    return float(_dec(item, name, where))


def _str(item: Item, name: str, where: str) -> str:
    value = _get(item, name, where)
    if not isinstance(value, str):
        raise StoreError(f"{where}: attribute {name!r} should be text, got {type(value).__name__}")
    return value


def _opt_str(item: Item, name: str, where: str) -> str | None:
    return _str(item, name, where) if name in item else None


def _get(item: Item, name: str, where: str) -> Value:
    try:
        return item[name]
    except KeyError:
        raise StoreError(f"{where}: attribute {name!r} is missing") from None


def bot_of(text: str, where: str) -> Bot:
    """A stored bot name (trade row, reservation, snapshot key) as the :class:`Bot` it names."""
    try:
        return Bot(text)
    except ValueError:
        raise StoreError(f"{where}: unknown bot {text!r}") from None


def run_status_of(text: str, where: str) -> RunStatus:
    """A job-run row's stored outcome as a :class:`RunStatus`."""
    try:
        return RunStatus(text)
    except ValueError:
        raise StoreError(f"{where}: unknown run outcome {text!r}") from None


def _put_opt(item: Item, name: str, value: Value | None) -> None:
    if value is not None:
        item[name] = value


# --- prices ----------------------------------------------------------------------------------
def pnl_item(bot: Bot, day: date, pnl: Decimal, key: str) -> Item:
    """One settled trade's realized P&L, written once under ``key`` (a second write is ignored)."""
    return {"pk": r.pnl_pk(day), "sk": key, "bot": bot.value, "pnl": decimal_number(pnl, "pnl")}


def price_item(tick: PriceTick, ttl: timedelta = r.PRICE_TTL) -> Item:
    return {
        "pk": r.PRICE_PK,
        "sk": r.price_sk(tick.at),
        "price": decimal_number(tick.price, "price"),
        "expires_at": r.expires_at(tick.at, ttl),
    }


def item_to_price(asset: Asset, item: Item) -> PriceTick:
    sk = _str(item, "sk", f"{asset} price row")
    where = f"{asset} price row {sk}"
    return PriceTick(asset, r.parse_iso(sk, where), _dec(item, "price", where))


# --- VOL / LATEST ----------------------------------------------------------------------------
def vol_item(snap: VolatilitySnapshot) -> Item:
    item: Item = {
        "pk": r.VOL_PK,
        "sk": r.VOL_SK,
        "computed_at": r.iso_micro(snap.computed_at, "computed_at"),
    }
    for w in snap.windows:
        std, rng, move, samples = vol_attribute_names(w.window_minutes)
        item[samples] = int(w.samples)
        for name, value in ((std, w.std_pct), (rng, w.range_pct), (move, w.max_move_pct)):
            _put_opt(item, name, None if value is None else float_number(value, name))
    if snap.last_price is not None:
        item["last_price"] = decimal_number(snap.last_price, "last_price")
    for tick in snap.recent_prices:
        if tick.asset is not snap.asset:
            raise ValueError(f"recent_prices of the {snap.asset} snapshot contain a {tick.asset} tick")
    if snap.recent_prices:
        item["recent_prices"] = pack_ticks([(t.at, t.price) for t in snap.recent_prices])
    return item


def item_to_vol(asset: Asset, item: Item) -> VolatilitySnapshot:
    where = f"{asset} VOL/LATEST"
    windows: list[WindowVolatility] = []
    for name in item:
        match = _VOL_ATTR.match(name)
        if match is None:
            continue
        minutes = int(match.group(1))
        std, rng, move, samples = vol_attribute_names(minutes)
        windows.append(
            WindowVolatility(
                window_minutes=minutes,
                samples=int(_dec(item, samples, where)),
                std_pct=_opt_float(item, std, where),
                range_pct=_opt_float(item, rng, where),
                max_move_pct=_opt_float(item, move, where),
            )
        )
    windows.sort(key=lambda w: w.window_minutes)
    packed = item.get("recent_prices")
    if packed is not None and not isinstance(packed, bytes):
        raise StoreError(f"{where}: recent_prices should be binary, got {type(packed).__name__}")
    recent = unpack_ticks(packed, where) if packed else []
    return VolatilitySnapshot(
        asset=asset,
        computed_at=r.parse_iso(_str(item, "computed_at", where), where),
        windows=tuple(windows),
        last_price=_opt_dec(item, "last_price", where),
        recent_prices=tuple(PriceTick(asset, at, price) for at, price in recent),
    )


def _opt_float(item: Item, name: str, where: str) -> float | None:
    return _float(item, name, where) if name in item else None


# --- BTCTradeLog -----------------------------------------------------------------------------
def trade_item(t: TradeRecord) -> Item:
    """The spec's attributes (``edge`` in percentage points, as the spec documents it) plus ours."""
    item: Item = {
        "pk": r.TRADE_PK,
        "sk": r.trade_sk(t.created_at, t.client_order_id),
        "contract_ticker": t.contract_ticker,
        "side": t.side.value,
        "quantity": int(t.quantity),
        "price_cents": decimal_number(t.price_cents, "price_cents"),
        "model_prob": float_number(t.model_prob, "model_prob"),
        "market_prob": float_number(t.market_prob, "market_prob"),
        "edge": float_number(t.edge, "edge") * HUNDRED,
        "kelly_fraction": float_number(t.kelly_fraction, "kelly_fraction"),
        "status": t.status.value,
        "client_order_id": t.client_order_id,
        "fill_count": decimal_number(t.fill_count, "fill_count"),
        "fees": decimal_number(t.fees_dollars, "fees"),
        "mode": t.mode.value,
        "bot": t.bot.value,
        "reason": str(t.reason),
    }
    _put_opt(item, "btc_price", None if t.btc_price is None else decimal_number(t.btc_price, "btc_price"))
    strike = t.strike_price
    _put_opt(item, "strike_price", None if strike is None else decimal_number(strike, "strike_price"))
    _put_opt(item, "order_id", t.order_id)
    _put_opt(item, "settlement_result", t.settlement_result)
    _put_opt(item, "pnl", None if t.pnl_dollars is None else decimal_number(t.pnl_dollars, "pnl"))
    if t.scheduled_for is not None:
        item["scheduled_for"] = r.iso_micro(t.scheduled_for, "scheduled_for")
    return item


def item_to_trade(item: Item) -> TradeRecord:
    sk = _str(item, "sk", "trade row")
    w = f"trade {sk}"
    scheduled = _opt_str(item, "scheduled_for", w)
    try:
        side, status, mode = (
            Side(_str(item, "side", w)),
            TradeStatus(_str(item, "status", w)),
            Mode(_str(item, "mode", w)),
        )
    except ValueError as exc:
        raise StoreError(f"{w}: {exc}") from exc
    return TradeRecord(
        created_at=r.created_at_from_sk(sk),
        client_order_id=_str(item, "client_order_id", w),
        bot=bot_of(_str(item, "bot", w), w),
        mode=mode,
        contract_ticker=_str(item, "contract_ticker", w),
        side=side,
        quantity=int(_dec(item, "quantity", w)),
        price_cents=_dec(item, "price_cents", w),
        btc_price=_opt_dec(item, "btc_price", w),
        strike_price=_opt_dec(item, "strike_price", w),
        model_prob=_float(item, "model_prob", w),
        market_prob=_float(item, "market_prob", w),
        edge=float(_dec(item, "edge", w) / HUNDRED),
        kelly_fraction=_float(item, "kelly_fraction", w),
        status=status,
        order_id=_opt_str(item, "order_id", w),
        fill_count=_dec(item, "fill_count", w),
        fees_dollars=_dec(item, "fees", w),
        settlement_result=_opt_str(item, "settlement_result", w),
        pnl_dollars=_opt_dec(item, "pnl", w),
        reason=_str(item, "reason", w),
        scheduled_for=None if scheduled is None else r.parse_iso(scheduled, w),
    )


# --- sizes (what DynamoDB bills) ------------------------------------------------------------
def item_size(item: Item) -> int:
    """DynamoDB's documented item size: attribute names plus values (Number ~ digits/2 + 1)."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        if isinstance(value, str):
            total += len(value.encode())
        elif isinstance(value, bytes):
            total += len(value)
        else:
            digits = len(Decimal(value).normalize().as_tuple().digits)
            total += (digits + 1) // 2 + 1
    return total
