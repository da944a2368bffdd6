"""The paper exchange's document codec: exact round trips, and documents of earlier versions still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kalshi_bots.adapters import paper_docs
from kalshi_bots.domain.models import BookSide, Fill, OrderResult, Settlement

AT = datetime(2026, 11, 24, 14, 45, 3, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "obj",
    [
        OrderResult(
            "o1", "c1", "KXBTCD-26NOV2410-T100249.99", Decimal("5.00"), Decimal(0), None, Decimal("0.06")
        ),
        OrderResult(
            "o2", "c2", "T", Decimal(3), Decimal(2), Decimal("0.2000"), Decimal("0.0123"), "canceled"
        ),
        Fill("o1", "T", Decimal(5), Decimal("0.20"), BookSide.ASK, Decimal("0.06"), AT, "c1"),
        Fill("o3", "T", Decimal(1), Decimal("0.5"), BookSide.BID, Decimal(0), AT, None),
        Settlement("T", "no", Decimal(0), Decimal(5), Decimal("5.00"), Decimal(0), AT),
    ],
)
def test_round_trip_is_exact(obj: object) -> None:
    assert paper_docs.loads(type(obj), paper_docs.dumps(obj)) == obj


def test_extra_context_is_stored_and_ignored_on_read() -> None:
    result = OrderResult("o1", "c1", "T", Decimal(5), Decimal(0), Decimal("0.2"), Decimal("0.06"))
    text = paper_docs.dumps(result, book_side=BookSide.ASK, limit_yes_price=Decimal("0.20"), created_at=AT)
    assert json.loads(text)["limit_yes_price"] == "0.20" and json.loads(text)["book_side"] == "ask"
    assert paper_docs.loads(OrderResult, text) == result


def test_a_fill_document_written_by_the_earlier_hand_codec_still_reads() -> None:
    old = (
        '{"order_id": "o1", "ticker": "T", "count": "5", "yes_price": "0.20", "book_side": "ask", '
        '"fee": "0.06", "created_at": "2026-11-24T14:45:03.123456+00:00", "client_order_id": "c1"}'
    )
    assert paper_docs.loads(Fill, old) == Fill(
        "o1", "T", Decimal(5), Decimal("0.20"), BookSide.ASK, Decimal("0.06"), AT, "c1"
    )


def test_only_dataclass_instances_are_documents() -> None:
    with pytest.raises(TypeError, match="dataclass instance"):
        paper_docs.dumps({"not": "a dataclass"})
