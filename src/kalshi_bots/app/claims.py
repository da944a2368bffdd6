"""Exclusive claims: at most one live order or position per group (weather: per event).

A trade record keyed by client_order_id stops a second order on one market in one slot, but two runs
(a retry, a late run, 18:00 and 18:01) can each pick a *different* market of the same event, and both
see "no open position" when they look at the same moment. The order path therefore takes the
group's claim after writing its record and before the POST, and the loser sends nothing.

Claims are insert-only documents ``<group>#0``, ``<group>#1``, ...: the next number may be taken only
once the holder of the previous one ended without a position (its order failed, was rejected or was
never sent). Taking a number is a conditional insert, so of any number of concurrent runs exactly one
wins it, on every store backend, with no delete or compare-and-swap needed.

Known gap: a holder whose row said "failed" (order not found after reconcile's grace) and whose order
turns up later is repaired to executed by reconcile, after a later run may already have taken the
next number: two positions in one event are then possible. That needs an order invisible to the
exchange's own order list for over ten minutes.
"""

from __future__ import annotations

import json
from typing import Protocol

from kalshi_bots.app.shelves import Shelf
from kalshi_bots.domain.models import TradeRecord, TradeStatus
from kalshi_bots.ports.store import DocStore, TradeLog

CLAIM_KIND = "position-claim"
MAX_CLAIMS = 50  # numbers per group; one IOC per run and slot keeps real groups far below this


class ClaimStore(DocStore, TradeLog, Protocol):
    """Claims are documents; whether a holder still counts is in its trade record."""


def claim_shelf(store: DocStore) -> Shelf[str]:
    """Claim number -> the client_order_id holding it (stored as ``{"client_order_id": ...}``)."""
    return Shelf(store, CLAIM_KIND, _encode_holder, _decode_holder)


def _encode_holder(client_order_id: str) -> str:
    return json.dumps({"client_order_id": client_order_id})


def _decode_holder(text: str) -> str:
    return str(json.loads(text)["client_order_id"])


def claim_group(store: ClaimStore, group: str, client_order_id: str) -> bool:
    """Take ``group``'s claim for ``client_order_id``; False if another order holds it.

    Raises StoreError when the store fails (callers send nothing)."""
    claims = claim_shelf(store)
    for number in range(MAX_CLAIMS):
        key = f"{group}#{number}"
        holder = claims.get(key)
        if holder is None:
            if claims.add(key, client_order_id):
                return True
            holder = claims.get(key)  # lost the insert race: see who won
            if holder is None:
                return False
        if holder == client_order_id:
            return True  # this order already holds it (a re-run of the same decision)
        if holds_position(store.get_trade(holder)):
            return False
    return False


def holds_position(trade: TradeRecord | None) -> bool:
    """Whether a claim's holder still counts: its order may be live or it filled. A holder without a
    record cannot happen (records are written before claims), so it counts, to fail closed."""
    if trade is None or trade.fill_count > 0:
        return True
    return trade.status in (TradeStatus.PENDING, TradeStatus.EXECUTED)
