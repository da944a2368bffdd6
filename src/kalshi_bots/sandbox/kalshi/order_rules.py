"""Validation of the fake's CreateOrderV2 requests, strict like the exchange (400 with a code otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_TIF = ("good_till_canceled", "immediate_or_cancel", "fill_or_kill")
_STP = ("taker_at_cross", "maker")
ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


class FakeReject(Exception):  # noqa: N818 - carries an HTTP answer, like Kalshi's error body
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def validated_order(body: Any) -> dict[str, Any]:
    """The CreateOrderV2Request fields we use, checked like the exchange would (400 otherwise)."""
    if not isinstance(body, dict):
        raise FakeReject(400, "invalid_parameters", "body must be a JSON object")
    missing = [
        k
        for k in ("ticker", "side", "count", "price", "time_in_force", "self_trade_prevention_type")
        if k not in body
    ]
    if missing:
        raise FakeReject(400, "invalid_parameters", f"missing required fields: {', '.join(missing)}")
    for legacy in ("yes_price", "no_price", "action", "buy_max_cost"):
        if legacy in body:
            raise FakeReject(400, "invalid_parameters", f"{legacy} is not a V2 field")
    if body["side"] not in ("bid", "ask"):
        raise FakeReject(400, "invalid_parameters", f"side must be bid or ask, got {body['side']!r}")
    if body["time_in_force"] not in _TIF:
        raise FakeReject(400, "invalid_parameters", f"bad time_in_force {body['time_in_force']!r}")
    if body["self_trade_prevention_type"] not in _STP:
        raise FakeReject(400, "invalid_parameters", "bad self_trade_prevention_type")
    price = _decimal_str(body["price"], "price", max_places=4)
    if not (ZERO < price < ONE) or price != price.quantize(CENT):
        raise FakeReject(400, "invalid_price", f"price {body['price']} is off the 0.01 grid of (0, 1)")
    count = _decimal_str(body["count"], "count", max_places=2)
    if count <= 0:
        raise FakeReject(400, "invalid_order_size", f"count must be positive, got {body['count']}")
    return {
        "ticker": str(body["ticker"]),
        "side": body["side"],
        "price": price,
        "count": count,
        "time_in_force": body["time_in_force"],
        "self_trade_prevention_type": body["self_trade_prevention_type"],
        "client_order_id": str(body.get("client_order_id") or ""),
        "cancel_order_on_pause": bool(body.get("cancel_order_on_pause", False)),
    }


def _decimal_str(raw: Any, name: str, *, max_places: int) -> Decimal:
    if not isinstance(raw, str):
        raise FakeReject(400, "invalid_parameters", f"{name} must be a string, got {type(raw).__name__}")
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise FakeReject(400, "invalid_parameters", f"{name} {raw!r} is not a number") from None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or (isinstance(exponent, int) and -exponent > max_places):
        raise FakeReject(400, "invalid_parameters", f"{name} {raw!r} has more than {max_places} decimals")
    return value
