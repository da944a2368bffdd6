"""Order intents and deterministic client order ids.

A re-run of the same scheduled decision must produce the same ``client_order_id`` so the exchange (and
our reconcile step) can tell a retry from a new order. The id is a UUIDv5 over a fixed project
namespace and the canonical string ``bot|ticker|scheduled_for (UTC ISO)|attempt``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.markets import require_aware
from kalshi_bots.domain.models import BookSide, OrderIntent, TimeInForce

# Fixed forever: changing it would change every id and break idempotency across a deploy.
CLIENT_ORDER_NAMESPACE = uuid.UUID("6f1c2a8e-4b7d-5e93-9a41-0d2c6b8f7e15")


def client_order_id(bot: str, ticker: str, scheduled_for: datetime, attempt: int = 0) -> str:
    """Deterministic UUID string for (bot, market ticker, scheduled time, attempt)."""
    if not bot or "|" in bot:
        raise DomainError(f"bot name must be non-empty without '|', got {bot!r}")
    if not ticker or "|" in ticker:
        raise DomainError(f"ticker must be non-empty without '|', got {ticker!r}")
    if attempt < 0:
        raise DomainError(f"attempt must be >= 0, got {attempt}")
    when = require_aware(scheduled_for, "scheduled_for").isoformat()
    return str(uuid.uuid5(CLIENT_ORDER_NAMESPACE, f"{bot}|{ticker}|{when}|{attempt}"))


def buy_no_intent(
    ticker: str,
    no_ask: Decimal,
    count: int,
    client_order_id: str,
    exchange_index: int | None = None,
) -> OrderIntent:
    """Buy ``count`` NO at up to ``no_ask``: in V2 that is an ``ask`` on the YES book at ``1 - no_ask``.

    Immediate-or-cancel, so nothing rests if the quote moved: the limit never pays more than ``no_ask``.
    """
    if not no_ask.is_finite() or not (0 < no_ask < 1):
        raise InvalidPriceError(f"no_ask for {ticker} must be strictly between 0 and 1, got {no_ask}")
    if count <= 0:
        raise DomainError(f"order count for {ticker} must be positive, got {count}")
    try:
        uuid.UUID(client_order_id)
    except ValueError as exc:
        raise DomainError(f"client_order_id for {ticker} is not a UUID: {client_order_id!r}") from exc
    return OrderIntent(
        ticker=ticker,
        book_side=BookSide.ASK,
        yes_price=Decimal(1) - no_ask,
        count=count,
        client_order_id=client_order_id,
        time_in_force=TimeInForce.IMMEDIATE_OR_CANCEL,
        exchange_index=exchange_index,
    )
