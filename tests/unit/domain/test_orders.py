"""Deterministic client order ids and the buy-NO intent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.models import BookSide, Outcome, TimeInForce
from kalshi_bots.domain.orders import (
    buy_no_intent,
    client_order_id,
    is_definitive_rejection,
    trading_slot,
)

WHEN = datetime(2025, 12, 11, 6, 45, tzinfo=UTC)


def test_client_order_id_is_deterministic_valid_uuid() -> None:
    a = client_order_id("btc-hourly", "KXBTCD-25DEC1102-T100249.99", WHEN)
    b = client_order_id("btc-hourly", "KXBTCD-25DEC1102-T100249.99", WHEN, attempt=0)
    assert a == b
    assert str(uuid.UUID(a)) == a
    assert uuid.UUID(a).version == 5
    # pinned: changing the namespace or the canonical form would break idempotency across deploys
    assert a == "3f21a20b-271e-5ef1-aa4e-af77012920b7"


def test_same_instant_in_another_zone_gives_the_same_id() -> None:
    est = timezone(timedelta(hours=-5))
    assert client_order_id("b", "T", WHEN) == client_order_id("b", "T", WHEN.astimezone(est))


def test_every_component_changes_the_id() -> None:
    base = client_order_id("btc-hourly", "T1", WHEN)
    others = {
        client_order_id("eth-hourly", "T1", WHEN),
        client_order_id("btc-hourly", "T2", WHEN),
        client_order_id("btc-hourly", "T1", WHEN + timedelta(hours=1)),
        client_order_id("btc-hourly", "T1", WHEN, attempt=1),
    }
    assert base not in others and len(others) == 4


@given(
    bot=st.text(min_size=1, max_size=20).filter(lambda s: "|" not in s),
    ticker=st.text(min_size=1, max_size=40).filter(lambda s: "|" not in s),
    attempt=st.integers(0, 100),
)
def test_ids_are_stable_under_repetition(bot: str, ticker: str, attempt: int) -> None:
    assert client_order_id(bot, ticker, WHEN, attempt) == client_order_id(bot, ticker, WHEN, attempt)


@pytest.mark.parametrize(
    ("bot", "ticker", "when", "attempt"),
    [
        ("", "T", WHEN, 0),
        ("a|b", "T", WHEN, 0),
        ("b", "", WHEN, 0),
        ("b", "T", WHEN, -1),
        ("b", "T", datetime(2025, 12, 11, 6, 45), 0),
    ],
)
def test_bad_components_are_errors(bot: str, ticker: str, when: datetime, attempt: int) -> None:
    with pytest.raises(DomainError):
        client_order_id(bot, ticker, when, attempt)


def test_buy_no_intent_is_an_ask_at_one_minus_no_ask() -> None:
    coid = client_order_id("btc-hourly", "T", WHEN)
    intent = buy_no_intent("KXBTCD-25DEC1102-T100249.99", Decimal("0.87"), 3, coid, exchange_index=2)
    assert intent.book_side is BookSide.ASK
    assert intent.yes_price == Decimal("0.13")
    assert intent.outcome is Outcome.NO
    assert intent.outcome_price == Decimal("0.87")
    assert intent.count == 3
    assert intent.time_in_force is TimeInForce.IMMEDIATE_OR_CANCEL
    assert intent.exchange_index == 2
    assert intent.client_order_id == coid


@pytest.mark.parametrize("no_ask", [Decimal(0), Decimal(1), Decimal("-0.1"), Decimal("NaN")])
def test_buy_no_intent_rejects_non_quotes(no_ask: Decimal) -> None:
    with pytest.raises(InvalidPriceError):
        buy_no_intent("T", no_ask, 1, client_order_id("b", "T", WHEN))


def test_buy_no_intent_rejects_bad_count_or_id() -> None:
    with pytest.raises(DomainError):
        buy_no_intent("T", Decimal("0.5"), 0, client_order_id("b", "T", WHEN))
    with pytest.raises(DomainError, match="not a UUID"):
        buy_no_intent("T", Decimal("0.5"), 1, "retry-1")


# --- trading slots, rejections, spend -----------------------------------------------------------------


NEW_YORK = ZoneInfo("America/New_York")


def _et(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("run", "slot"),
    [
        ("2026-11-24T18:00", "2026-11-24T18:00"),
        ("2026-11-24T18:01:30", "2026-11-24T18:00"),
        ("2026-11-24T17:56", "2026-11-24T18:00"),  # early by up to 5 minutes: still that slot
        ("2026-11-24T17:54", "2026-11-23T20:00"),
        ("2026-11-24T19:54", "2026-11-24T18:00"),  # a late 18:00 run
        ("2026-11-24T19:56", "2026-11-24T20:00"),  # ...but this close to 20:00 it is the 20:00 run
        ("2026-11-24T20:00", "2026-11-24T20:00"),
        ("2026-11-25T02:00", "2026-11-24T20:00"),
        ("2026-03-08T18:03", "2026-03-08T18:00"),  # the day clocks spring forward
    ],
)
def test_trading_slot_is_the_latest_slot_start(run: str, slot: str) -> None:
    got = trading_slot(_et(run).astimezone(UTC), (20, 18), NEW_YORK)
    assert got == _et(slot) and got.tzinfo is UTC


def test_trading_slot_refuses_impossible_hours() -> None:
    with pytest.raises(DomainError, match=r"0\.\.23"):
        trading_slot(WHEN, (24,), ZoneInfo("UTC"))
    with pytest.raises(DomainError):
        trading_slot(WHEN, (), ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("status", "definitive"),
    [
        (400, True),
        (401, True),
        (403, True),
        (404, True),
        (409, True),
        (422, True),
        (0, True),
        (408, False),
        (425, False),
        (429, False),
        (500, False),
        (504, False),
        (201, False),
    ],
)
def test_only_a_definitive_4xx_means_the_order_does_not_exist(status: int, definitive: bool) -> None:
    assert is_definitive_rejection(status) is definitive
