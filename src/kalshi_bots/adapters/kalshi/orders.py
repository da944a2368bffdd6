"""The order-write rules of the Kalshi client: the V2 request body and unknown-outcome resolution.

Kept apart from the client so the one place where money can be double-spent is small and readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kalshi_bots.adapters.http import RetryPolicy, pause
from kalshi_bots.domain.models import OrderIntent, OrderResult
from kalshi_bots.domain.orders import ORDER_PRICE_QUANTUM, intent_problem
from kalshi_bots.ports.errors import ExternalServiceError, OrderOutcomeUnknownError

SERVICE = "kalshi"


def create_order_body(intent: OrderIntent) -> dict[str, Any]:
    """``POST /portfolio/events/orders`` body (reference §3.7): YES-book side and YES dollar price.

    Buying NO at q is ``side="ask"`` at ``1 - q``; :class:`OrderIntent` already holds the YES price.
    """
    problem = intent_problem(intent)
    if problem is not None:
        raise ValueError(problem)
    price = intent.yes_price
    body: dict[str, Any] = {
        "ticker": intent.ticker,
        "client_order_id": intent.client_order_id,
        "side": intent.book_side.value,
        "price": f"{price.quantize(ORDER_PRICE_QUANTUM)}",
        "count": f"{intent.count}.00",
        "time_in_force": intent.time_in_force.value,
        # taker_at_cross cancels our incoming order rather than a resting one of ours.
        "self_trade_prevention_type": "taker_at_cross",
        # Never leave an order resting through the weekly pause or an incident.
        "cancel_order_on_pause": True,
    }
    if intent.exchange_index is not None:
        body["exchange_index"] = intent.exchange_index
    return body


def resolve_unknown_outcome(
    lookup: Callable[[], OrderResult | None],
    *,
    client_order_id: str,
    why: str,
    attempts: int,
    policy: RetryPolicy,
) -> OrderResult:
    """Look the order up a few times (it may take a moment to appear); never resend it.

    Returns the order if found; otherwise raises :class:`OrderOutcomeUnknownError` so the caller
    records it as pending and reconciliation settles it later.
    """
    problems: list[str] = []
    for attempt in range(1, max(1, attempts) + 1):
        try:
            found = lookup()
        except ExternalServiceError as exc:
            problems.append(f"lookup {attempt}: {exc}")
        else:
            if found is not None:
                return found
            problems.append(f"lookup {attempt}: not found")
        if attempt < attempts and not pause(policy, policy.delay(attempt)):
            break  # the next lookup would cross the run deadline: reconcile resolves it
    raise OrderOutcomeUnknownError(
        SERVICE,
        f"order {client_order_id}: {why}; looked it up by client_order_id and could not tell "
        f"({'; '.join(problems)}). Not resent.",
        client_order_id,
    )
