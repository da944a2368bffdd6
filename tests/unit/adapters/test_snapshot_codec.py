"""The recorder's item codec: compact, exact, and a damaged item is a StoreError that names it."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.domain.market_snapshot import MarketSnapshot, StrikeQuote, Trigger
from kalshi_bots.domain.models import Bot
from kalshi_bots.ports.errors import StoreError

D = Decimal
T0 = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"


def ladder_snapshot(strikes: int) -> MarketSnapshot:
    quotes = tuple(
        StrikeQuote(
            f"{EVENT}-T{95000 + 100 * i - D('0.01')}",
            "greater",
            95000 + 100 * i - D("0.01"),
            None,
            D("0.41"),
            D("0.43"),
            D("0.57"),
            D("0.59"),
            D(100 + 37 * i % 900),
            D(50 + 91 * i % 700),
            model_p_no=round(i / strikes, 6),
        )
        for i in range(strikes)
    )
    return MarketSnapshot(
        T0, T0, Trigger.MINUTE, Bot.BTC_HOURLY, "", "KXBTCD", EVENT, T0 + timedelta(minutes=15), quotes
    )


def test_a_100_strike_ladder_fits_two_write_units_and_round_trips() -> None:
    snap = ladder_snapshot(100)
    item = sc.snapshot_item(snap)
    assert codec.item_size(item) <= 2048
    assert sc.item_to_snapshot(item) == snap


def test_a_decision_also_writes_its_reduced_copy_first() -> None:
    snap = ladder_snapshot(30)
    quotes = list(snap.strikes)
    quotes[7] = StrikeQuote(
        **{**{f: getattr(quotes[7], f) for f in StrikeQuote.__dataclass_fields__}, "looked_at": True}
    )
    decision = MarketSnapshot(
        **{
            **{f: getattr(snap, f) for f in MarketSnapshot.__dataclass_fields__},
            "trigger": Trigger.DECISION,
            "strikes": tuple(quotes),
        }
    )
    reduced, full = sc.snapshot_items(decision)
    assert reduced["pk"] == "SNAP#looked" and full["pk"] == "SNAP#decision" and reduced["sk"] == full["sk"]
    assert sc.item_to_snapshot(reduced).strikes == (quotes[7],)
    assert [i["pk"] for i in sc.snapshot_items(snap)] == ["SNAP#minute"]


def damaged(body: object) -> codec.Item:
    item = sc.snapshot_item(ladder_snapshot(3))
    item["data"] = zlib.compress(json.dumps(body).encode())
    return item


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ({**sc.snapshot_item(ladder_snapshot(3)), "data": b"not zlib"}, "not a packed snapshot"),
        ({**sc.snapshot_item(ladder_snapshot(3)), "data": "text"}, "should be binary"),
        (damaged({"v": 99}), "unknown snapshot layout"),
        (damaged({"v": 1, "trigger": "minute"}), "should be text"),
    ],
)
def test_a_damaged_item_is_a_store_error_naming_it(item: codec.Item, says: str) -> None:
    with pytest.raises(StoreError, match=says) as caught:
        sc.item_to_snapshot(item)
    assert f"SNAP#minute/{sc.snapshot_sk(ladder_snapshot(3))}" in str(caught.value)


def test_columns_of_different_lengths_are_refused() -> None:
    item = sc.snapshot_item(ladder_snapshot(3))
    body = json.loads(zlib.decompress(item["data"]))  # type: ignore[arg-type]
    body["strikes"]["model_p_no"] = body["strikes"]["model_p_no"][:2]
    item["data"] = zlib.compress(json.dumps(body).encode())
    with pytest.raises(StoreError, match="different lengths"):
        sc.item_to_snapshot(item)
