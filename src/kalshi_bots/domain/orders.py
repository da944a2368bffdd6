"""Order intents, deterministic client order ids, trading slots and what an order cost.

A re-run of the same scheduled decision must produce the same ``client_order_id`` so the exchange (and
our reconcile step) can tell a retry from a new order. The id is a UUIDv5 over a fixed project
namespace and the canonical string ``bot|ticker|scheduled_for (UTC ISO)|attempt``. Jobs pass the
*decision's* time there (hourly: the target hour; weather: the trading slot), never the minute a run
happened to be triggered, so a retry, a late run and an overlapping run share the id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.markets import require_aware
from kalshi_bots.domain.models import BookSide, Bot, OrderIntent, Side, TimeInForce, TradeRecord

# HTTP statuses that mean "the exchange refused this order; it does not exist". Any other failure of an
# order POST (408, 425, 429, 5xx, a dropped connection, an unreadable reply) is an *unknown outcome*:
# the order may exist, so it is looked up and, failing that, left pending for reconcile.
DEFINITIVE_REJECTION_STATUSES = frozenset({400, 401, 403, 404, 409, 422})

# A run triggered up to this long before a slot belongs to that slot (clock skew, ``--at 17:58``).
SLOT_EARLY_TOLERANCE = timedelta(minutes=5)

# Fixed forever: changing it would change every id and break idempotency across a deploy.
CLIENT_ORDER_NAMESPACE = uuid.UUID("6f1c2a8e-4b7d-5e93-9a41-0d2c6b8f7e15")


ORDER_PRICE_QUANTUM = Decimal("0.0001")  # order prices accept at most 4 decimals (reference §3)


def intent_problem(intent: OrderIntent) -> str | None:
    """Why ``intent`` cannot be sent as it is (price, count, id), or None. The order path checks this
    before it reserves or writes anything; the exchange adapters refuse to build such a request."""
    price = intent.yes_price
    if not price.is_finite() or not (0 < price < 1):
        return f"order {intent.client_order_id}: YES price must be strictly between 0 and 1, got {price}"
    if price != price.quantize(ORDER_PRICE_QUANTUM):
        return f"order {intent.client_order_id}: price {price} has more than 4 decimals"
    if intent.count < 1:
        return f"order {intent.client_order_id}: count must be >= 1, got {intent.count}"
    if not intent.client_order_id:
        return "order without client_order_id: it could not be reconciled, refusing to send"
    return None


def client_order_id(bot: Bot, ticker: str, scheduled_for: datetime, attempt: int = 0) -> str:
    """Deterministic UUID string for (bot, market ticker, scheduled time, attempt); the bot's stored
    value (``btc-hourly``) is part of the name, so ids made before the Bot enum are the same."""
    if not ticker or "|" in ticker:
        raise DomainError(f"ticker must be non-empty without '|', got {ticker!r}")
    if attempt < 0:
        raise DomainError(f"attempt must be >= 0, got {attempt}")
    when = require_aware(scheduled_for, "scheduled_for").isoformat()
    return str(uuid.uuid5(CLIENT_ORDER_NAMESPACE, f"{bot.value}|{ticker}|{when}|{attempt}"))


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


def buy_intent(
    ticker: str,
    side: Side,
    price: Decimal,
    count: int,
    client_order_id: str,
    *,
    exchange_index: int | None = None,
) -> OrderIntent:
    """Buy ``count`` contracts of ``side`` at up to ``price``, immediate-or-cancel: YES is a bid on the YES
    book at ``price``; NO is :func:`buy_no_intent`."""
    if side is Side.NO:
        return buy_no_intent(ticker, price, count, client_order_id, exchange_index)
    return OrderIntent(
        ticker, BookSide.BID, price, count, client_order_id, TimeInForce.IMMEDIATE_OR_CANCEL, exchange_index
    )


def is_definitive_rejection(http_status: int) -> bool:
    """Whether an order POST refused with ``http_status`` certainly placed nothing.

    ``0`` means no HTTP was involved (an in-process exchange such as paper refused it): definitive."""
    return http_status == 0 or http_status in DEFINITIVE_REJECTION_STATUSES


def trading_slot(when: datetime, hours: Iterable[int], zone: ZoneInfo) -> datetime:
    """The trading slot a run at ``when`` belongs to: the latest ``HH:00`` (in ``zone``, ``hours``) at or
    before ``when`` (plus :data:`SLOT_EARLY_TOLERANCE`), in UTC.

    With slots at 18 and 20: 18:00, 18:01, a retry at 18:07 and a late run at 19:40 are all the 18:00
    slot; 20:00 and 23:59 the 20:00 slot; 01:00 the previous day's 20:00 slot."""
    slot_hours = sorted(set(hours))
    if not slot_hours or any(not 0 <= h <= 23 for h in slot_hours):
        raise DomainError(f"slot hours must be 0..23, got {slot_hours}")
    local = (require_aware(when, "when") + SLOT_EARLY_TOLERANCE).astimezone(zone)
    for days_back in range(2):
        day = local.date() - timedelta(days=days_back)
        for hour in reversed(slot_hours):
            start = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            if start <= local:
                return start.astimezone(UTC)
    raise AssertionError("unreachable: a slot exists within any two days")


def outcome_spend(fill_count: Decimal, outcome_price: Decimal, fees: Decimal) -> Decimal:
    """Dollars an order took from the account: contracts filled x price paid per contract + fees."""
    return fill_count * outcome_price + fees


def trade_spend(trade: TradeRecord) -> Decimal:
    """What a logged trade cost (0 for one that never filled): the amount its budget should hold."""
    return outcome_spend(trade.fill_count, trade.price_cents / 100, trade.fees_dollars)
