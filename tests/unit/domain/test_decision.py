"""The shared hourly decision: a trade when everything lines up, a named refusal otherwise."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.domain.decision import HourlyDecision, HourlyTrade, NoTradeReason, Refusal, decide_hourly
from kalshi_bots.domain.models import Event, FeeSchedule, FeeType, Market, StrikeType

NOW = datetime(2025, 12, 11, 6, 45, tzinfo=UTC)
CLOSE = datetime(2025, 12, 11, 7, 0, tzinfo=UTC)
SPOT = Decimal(100_000)
QUAD = FeeSchedule(FeeType.QUADRATIC)


def market(floor: str, no_ask: str | None, **changes: Any) -> Market:
    m = Market(
        ticker=f"KXBTCD-25DEC1102-T{floor}",
        event_ticker="KXBTCD-25DEC1102",
        strike_type=StrikeType.GREATER,
        floor_strike=Decimal(floor),
        cap_strike=None,
        close_time=CLOSE,
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None if no_ask is None else Decimal(no_ask),
        exchange_index=2,
    )
    return replace(m, **changes)


def event(*markets: Market) -> Event:
    return Event(event_ticker="KXBTCD-25DEC1102", series_ticker="KXBTCD", markets=markets)


def decide(**overrides: Any) -> HourlyDecision:
    args: dict[str, Any] = {
        "spot": SPOT,
        "vol_15m_std_pct": 0.2,
        "now": NOW,
        "event": event(market("100099.99", "0.50"), market("100299.99", "0.80"), market("100499.99", "0.90")),
        "fee_schedule": QUAD,
        "bankroll": Decimal(100),
    }
    args.update(overrides)
    return decide_hourly(**args)


def test_trade_with_every_number_explained() -> None:
    d = decide()
    assert d.trade and d.reason is None
    assert d.market is not None and d.market.ticker.endswith("T100299.99")  # 100099.99 is < 20 bps away
    assert d.strike == Decimal("100299.99")
    assert d.minutes_left == 15.0
    assert d.sigma_scaled_pct == pytest.approx(0.2)
    z = (100299.99 - 100_000) / 100_000 * 100 / 0.2
    assert d.p_no == pytest.approx(NormalDist().cdf(z))
    assert d.no_ask == Decimal("0.80") and d.market_prob == 0.80
    # 5 contracts at 0.80: fee ceil(0.07*5*0.16) = 0.06 -> 0.012 per contract
    assert d.contracts == 5
    assert d.fee_per_contract == Decimal("0.012")
    assert d.p_no is not None and d.edge == pytest.approx(d.p_no - 0.812)
    assert d.kelly_raw is not None and d.kelly_applied == pytest.approx(min(0.25 * d.kelly_raw, 0.25))


def test_fee_turns_a_spec_edge_into_no_trade() -> None:
    # Without fees edge = p_no - ask would pass 0.03; the 1-contract fee (0.01) pushes it under.
    target_p = NormalDist().cdf((100299.99 - 100_000) / 100_000 * 100 / 0.2)
    ask = (Decimal(repr(target_p)) - Decimal("0.035")).quantize(Decimal("0.01"))
    d = decide(event=event(market("100299.99", str(ask))))
    if d.p_no is not None and d.p_no - float(ask) >= 0.03 and d.p_no - float(ask) - 0.01 < 0.03:
        assert d.reason is NoTradeReason.EDGE_TOO_SMALL
        assert d.fee_per_contract == Decimal("0.01")  # ceil(0.07 * 0.9 * 0.1) for one contract
    else:  # pragma: no cover - guards the setup itself
        pytest.fail(f"test setup does not isolate the fee: p_no={d.p_no}, ask={ask}")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"vol_15m_std_pct": None}, NoTradeReason.VOL_INSUFFICIENT),
        ({"vol_15m_std_pct": 0.0}, NoTradeReason.VOL_INSUFFICIENT),
        ({"vol_15m_std_pct": -0.1}, NoTradeReason.INVALID_INPUT),
        ({"vol_15m_std_pct": math.nan}, NoTradeReason.INVALID_INPUT),
        ({"spot": Decimal(0)}, NoTradeReason.INVALID_INPUT),
        ({"spot": Decimal("NaN")}, NoTradeReason.INVALID_INPUT),
        ({"bankroll": Decimal(-1)}, NoTradeReason.INVALID_INPUT),
        ({"now": datetime(2025, 12, 11, 6, 45)}, NoTradeReason.INVALID_INPUT),
        ({"strike_distance_bps": -1}, NoTradeReason.INVALID_INPUT),
        ({"max_contracts": -1}, NoTradeReason.INVALID_INPUT),
        ({"event": None}, NoTradeReason.EVENT_MISSING),
        ({"event": event()}, NoTradeReason.EVENT_MISSING),
        ({"event": event(market("100099.99", "0.5"))}, NoTradeReason.NO_QUALIFYING_STRIKE),
        ({"event": event(market("100299.99", "0.8", status="closed"))}, NoTradeReason.NO_QUALIFYING_STRIKE),
        (
            {"event": event(market("100299.99", "0.8", strike_type=StrikeType.UNKNOWN))},
            NoTradeReason.NO_QUALIFYING_STRIKE,
        ),
        ({"event": event(market("100299.99", None))}, NoTradeReason.NO_QUOTE),
        ({"event": event(market("100299.99", "1"))}, NoTradeReason.NO_QUOTE),
        ({"event": event(market("100299.99", "0"))}, NoTradeReason.NO_QUOTE),
        ({"fee_schedule": FeeSchedule(FeeType.UNKNOWN)}, NoTradeReason.FEE_TYPE_UNKNOWN),
        ({"fee_schedule": FeeSchedule(FeeType.FLAT)}, NoTradeReason.FEE_TYPE_UNKNOWN),
        ({"event": event(market("100299.99", "0.95"))}, NoTradeReason.EDGE_TOO_SMALL),
        ({"min_edge": 0.5}, NoTradeReason.EDGE_TOO_SMALL),
        ({"bankroll": Decimal(1)}, NoTradeReason.SIZE_ZERO),
        ({"max_contracts": 0}, NoTradeReason.SIZE_ZERO),
        (
            {"event": event(market("100299.99", "0.8", close_time=CLOSE + timedelta(hours=1)))},
            NoTradeReason.CLOSE_TIME_MISMATCH,
        ),
        ({"now": CLOSE}, NoTradeReason.CLOSE_TIME_MISMATCH),  # at 07:00 the target is the 08:00 event
    ],
)
def test_refusals_name_their_reason(overrides: dict[str, Any], reason: NoTradeReason) -> None:
    d = decide(**overrides)
    assert not d.trade
    assert d.reason is reason, d.detail
    assert d.contracts == 0
    assert d.detail


def test_refusal_keeps_the_numbers_computed_so_far() -> None:
    d = decide(min_edge=0.5)
    assert (
        d.p_no is not None and d.edge is not None and d.fee_per_contract == Decimal("0.02")
    )  # ceil(0.07*0.16)
    assert d.kelly_raw is None  # sizing was not reached


def test_fall_back_night_close_time_guard() -> None:
    # At 05:45Z on 2026-11-01 the target is 06:00Z (01:00 EST); the ticker KXBTCD-26NOV0101 is shared
    # with 05:00Z. If the listed event is the 05:00Z one, we refuse rather than trade the wrong hour.
    now = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)
    wrong = market("100299.99", "0.8", close_time=datetime(2026, 11, 1, 5, tzinfo=UTC))
    right = market("100299.99", "0.8", close_time=datetime(2026, 11, 1, 6, tzinfo=UTC))
    assert decide(now=now, event=event(wrong)).reason is NoTradeReason.CLOSE_TIME_MISMATCH
    assert decide(now=now, event=event(right)).trade


def test_expected_close_override() -> None:
    later = market("100299.99", "0.8", close_time=CLOSE + timedelta(hours=1))
    d = decide(event=event(later), expected_close=CLOSE + timedelta(hours=1))
    assert d.minutes_left == 75.0


def test_reason_values_are_stable_strings() -> None:
    assert str(NoTradeReason.EDGE_TOO_SMALL) == "edge_too_small"
    assert len({r.value for r in NoTradeReason}) == len(NoTradeReason)


@given(
    vol=st.floats(0.01, 2.0),
    ask=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2),
    bankroll=st.decimals(min_value=0, max_value=10_000, places=2),
    minute=st.integers(0, 59),
)
def test_any_trade_respects_edge_size_and_bankroll(
    vol: float, ask: Decimal, bankroll: Decimal, minute: int
) -> None:
    now = CLOSE - timedelta(minutes=60 - minute) if minute else CLOSE - timedelta(minutes=59, seconds=30)
    d = decide(vol_15m_std_pct=vol, event=event(market("100299.99", str(ask))), bankroll=bankroll, now=now)
    if d.trade:
        assert d.edge is not None and d.edge >= 0.03
        assert 1 <= d.contracts <= 5
        assert d.fee_per_contract is not None
        assert d.contracts * (ask + d.fee_per_contract) <= bankroll
    else:
        assert d.reason is not None and d.contracts == 0


def test_fat_tails_move_weight_to_the_centre_and_the_far_tail() -> None:
    """A variance-matched t is more peaked and has fatter far tails than the normal: NO at a strike
    1.5 sigma away is surer, NO at a strike 3 sigma away is less sure."""
    near_normal, near_fat = decide(), decide(tail_nu=5.0)  # z = 1.5
    far_normal, far_fat = decide(vol_15m_std_pct=0.1), decide(vol_15m_std_pct=0.1, tail_nu=5.0)  # z = 3
    assert near_normal.p_no is not None and near_fat.p_no is not None
    assert far_normal.p_no is not None and far_fat.p_no is not None
    assert near_fat.p_no > near_normal.p_no
    assert far_fat.p_no < far_normal.p_no
    assert near_fat.strike == near_normal.strike  # the law changes the price, never the strike rule


def test_fat_tails_match_the_student_t_law_exactly() -> None:
    """The issue's formula at 15 minutes: P(NO) = T5(ln(K / spot) / (s * sqrt(3 / 5)))."""
    from kalshi_bots.domain.vol_models import student_t_cdf

    d = decide(tail_nu=5.0)
    s = 0.2 / 100  # vol_15m_std_pct = 0.2 %
    assert d.p_no == pytest.approx(
        student_t_cdf(math.log(100299.99 / 100_000) / (s * math.sqrt(3 / 5)), 5), abs=1e-12
    )


def test_the_settlement_average_shortens_the_t_horizon_by_two_thirds_of_a_minute() -> None:
    """With 15 minutes left and a 60 s average the variance is scaled by (15 - 2/3) / 15."""
    from kalshi_bots.domain.vol_models import student_t_cdf

    d = decide(tail_nu=5.0, settlement_average_s=60.0)
    s = 0.2 / 100 * math.sqrt((15 - 2 / 3) / 15)
    assert d.p_no == pytest.approx(
        student_t_cdf(math.log(100299.99 / 100_000) / (s * math.sqrt(3 / 5)), 5), abs=1e-12
    )


def test_a_decision_is_a_value_a_trade_with_every_number_or_a_refusal() -> None:
    trade = decide().verdict()
    assert isinstance(trade, HourlyTrade)
    assert (trade.market.ticker, trade.strike, trade.no_ask) == (
        "KXBTCD-25DEC1102-T100299.99",
        Decimal("100299.99"),
        Decimal("0.80"),
    )
    assert trade.contracts == 5 and trade.fee_per_contract == Decimal("0.012")
    refused = decide(event=event(market("100299.99", None))).verdict()
    assert isinstance(refused, Refusal) and refused.reason is NoTradeReason.NO_QUOTE
    # A trade flag without its numbers (never produced by decide_hourly) still fails closed.
    broken = replace(decide(), no_ask=None).verdict()
    assert isinstance(broken, Refusal) and broken.reason is NoTradeReason.INVALID_INPUT
