"""Hourly event tickers across DST, strike selection from structured fields, minutes to close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.markets import (
    hourly_target,
    minutes_until,
    next_top_of_hour,
    select_strike,
    ticker_hour_is_ambiguous,
)
from kalshi_bots.domain.models import Asset, Market, StrikeType


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_spec_example() -> None:
    assert hourly_target(Asset.BTC, utc(2025, 12, 11, 6, 45)).event_ticker == "KXBTCD-25DEC1102"
    assert hourly_target(Asset.ETH, utc(2025, 12, 11, 6, 45)).event_ticker == "KXETHD-25DEC1102"


def test_reference_example_in_summer_time() -> None:
    # KXBTCD-26AUG1317 closes 2026-08-13T21:00Z = 17:00 EDT
    assert hourly_target(Asset.BTC, utc(2026, 8, 13, 20, 45)).event_ticker == "KXBTCD-26AUG1317"


def test_next_top_of_hour() -> None:
    assert next_top_of_hour(utc(2025, 12, 11, 6, 45)) == utc(2025, 12, 11, 7)
    assert next_top_of_hour(utc(2025, 12, 11, 7, 0)) == utc(2025, 12, 11, 8)  # strictly after
    assert next_top_of_hour(utc(2025, 12, 31, 23, 59, 59)) == utc(2026, 1, 1, 0)
    # a non-UTC aware input is converted, not misread
    est = timezone(timedelta(hours=-5))
    assert next_top_of_hour(datetime(2025, 12, 11, 1, 45, tzinfo=est)) == utc(2025, 12, 11, 7)
    with pytest.raises(DomainError, match="timezone-aware"):
        next_top_of_hour(datetime(2025, 12, 11, 6, 45))


def test_midnight_close_uses_the_next_et_date() -> None:
    # 04:45Z Dec 12 = 23:45 EST Dec 11; close 05:00Z = 00:00 EST Dec 12
    assert hourly_target(Asset.BTC, utc(2025, 12, 12, 4, 45)).event_ticker == "KXBTCD-25DEC1200"


@pytest.mark.parametrize(
    ("decision", "ticker"),
    [
        (utc(2026, 3, 8, 5, 45), "KXBTCD-26MAR0801"),  # 00:45 EST -> 01:00 EST
        (utc(2026, 3, 8, 6, 45), "KXBTCD-26MAR0803"),  # 01:45 EST -> 07:00Z = 03:00 EDT (no 02)
        (utc(2026, 3, 8, 7, 45), "KXBTCD-26MAR0804"),  # 03:45 EDT -> 04:00 EDT
        (utc(2026, 3, 8, 16, 45), "KXBTCD-26MAR0813"),  # afternoon: UTC-4 now
        (utc(2026, 3, 7, 16, 45), "KXBTCD-26MAR0712"),  # day before: UTC-5
    ],
)
def test_spring_forward_2026_03_08(decision: datetime, ticker: str) -> None:
    target = hourly_target(Asset.BTC, decision)
    assert target.event_ticker == ticker
    assert not target.ambiguous


def test_fall_back_2026_11_01_reports_the_repeated_hour() -> None:
    first = hourly_target(Asset.BTC, utc(2026, 11, 1, 4, 45))  # 00:45 EDT -> 01:00 EDT (05:00Z)
    second = hourly_target(Asset.BTC, utc(2026, 11, 1, 5, 45))  # 01:45 EDT -> 01:00 EST (06:00Z)
    after = hourly_target(Asset.BTC, utc(2026, 11, 1, 6, 45))  # 01:45 EST -> 02:00 EST
    before = hourly_target(Asset.BTC, utc(2026, 11, 1, 3, 45))
    assert first.event_ticker == second.event_ticker == "KXBTCD-26NOV0101"
    assert (first.close_time, second.close_time) == (utc(2026, 11, 1, 5), utc(2026, 11, 1, 6))
    assert first.ambiguous and second.ambiguous
    assert after.event_ticker == "KXBTCD-26NOV0102" and not after.ambiguous
    assert before.event_ticker == "KXBTCD-26NOV0100" and not before.ambiguous
    assert hourly_target(Asset.BTC, utc(2026, 11, 1, 16, 45)).event_ticker == "KXBTCD-26NOV0112"  # UTC-5
    assert not ticker_hour_is_ambiguous(utc(2026, 3, 8, 7))


def test_minutes_until() -> None:
    assert minutes_until(utc(2025, 1, 1, 7), utc(2025, 1, 1, 6, 45)) == 15.0
    assert minutes_until(utc(2025, 1, 1, 7), utc(2025, 1, 1, 6, 45, 30)) == 14.5
    assert minutes_until(utc(2025, 1, 1, 7), utc(2025, 1, 1, 7, 1)) == -1.0


def mk(
    ticker: str,
    floor: str | None,
    strike_type: StrikeType = StrikeType.GREATER,
    status: str = "active",
) -> Market:
    return Market(
        ticker=ticker,
        event_ticker="KXBTCD-25DEC1102",
        strike_type=strike_type,
        floor_strike=None if floor is None else Decimal(floor),
        cap_strike=None,
        close_time=utc(2025, 12, 11, 7),
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None,
        status=status,
    )


def test_select_strike_first_at_or_above_threshold() -> None:
    spot = Decimal(100_000)  # threshold at 20 bps = 100200
    markets = [
        mk("T100449.99", "100449.99"),
        mk("T100199.99", "100199.99"),  # just below the threshold
        mk("T100200", "100200"),  # exactly at it: allowed (>=)
        mk("T100249.99", "100249.99"),
    ]
    assert select_strike(markets, spot).ticker == "T100200"  # type: ignore[union-attr]
    assert select_strike(markets, spot, min_distance_bps=30).ticker == "T100449.99"  # type: ignore[union-attr]
    assert select_strike(markets, spot, min_distance_bps=100) is None
    assert select_strike([], spot) is None


def test_select_strike_skips_unusable_markets() -> None:
    spot = Decimal(100_000)
    markets = [
        mk("closed", "100300", status="closed"),
        mk("less", "100300", strike_type=StrikeType.LESS),
        mk("unknown", "100300", strike_type=StrikeType.UNKNOWN),
        mk("between", "100300", strike_type=StrikeType.BETWEEN),
        mk("nofloor", None),
        mk("good", "100500"),
    ]
    chosen = select_strike(markets, spot)
    assert chosen is not None and chosen.ticker == "good"


def test_select_strike_rejects_bad_inputs() -> None:
    with pytest.raises(InvalidPriceError):
        select_strike([mk("a", "1")], Decimal(0))
    with pytest.raises(DomainError):
        select_strike([mk("a", "1")], Decimal(1), min_distance_bps=-5)
