"""Typed documents: each shelf writes exactly the text earlier versions wrote (stores in use keep
loading), and an add is first-write-wins."""

from __future__ import annotations

from decimal import Decimal

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.alert_state import Announced, Streak, streak_shelf
from kalshi_bots.app.claims import claim_shelf
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.shelves import Shelf
from kalshi_bots.domain.reasons import ErrorReason


def test_documents_written_by_earlier_versions_read_back_and_are_written_the_same() -> None:
    store = MemoryStore()
    # As the code before the shelves wrote them (json.dumps of plain dicts).
    store.put_doc("alert-sent", "ord-1", '{"filled": "3", "settled": true}')
    store.put_doc("alert-sent", "ord-2", '{"filled": "0"}')
    store.put_doc("position-claim", "KXHIGHNY-26NOV24#0", '{"client_order_id": "ord-1"}')
    store.put_doc(
        "alert-streak", "reconcile", '{"kind": "error", "count": 2, "reason": "partial", "since": "x"}'
    )

    sent = Shelf(store, "alert-sent", Announced.to_json, Announced.from_json)
    assert sent.get("ord-1") == Announced(Decimal(3), settled=True)
    assert sent.get("ord-2") == Announced(Decimal(0))
    assert claim_shelf(store).get("KXHIGHNY-26NOV24#0") == "ord-1"
    assert streak_shelf(store).get("reconcile") == Streak(Outcome.ERROR, 2, ErrorReason.PARTIAL, "x")

    assert Announced(Decimal(3), settled=True).to_json() == '{"filled": "3", "settled": true}'
    assert Announced(Decimal(0)).to_json() == '{"filled": "0"}'
    claim_shelf(store).put("G#0", "ord-9")
    assert store.get_doc("position-claim", "G#0") == '{"client_order_id": "ord-9"}'


def test_an_add_is_first_write_wins_and_items_come_in_key_order() -> None:
    shelf = claim_shelf(MemoryStore())
    assert shelf.add("G#1", "second") and shelf.add("G#0", "first")
    assert not shelf.add("G#0", "late")
    assert shelf.get("G#0") == "first"
    assert shelf.items() == [("G#0", "first"), ("G#1", "second")]
    assert shelf.get("G#2") is None
