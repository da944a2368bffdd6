"""Market snapshots: the ladder as the recorder keeps it, priced as the decision prices, exported as v1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.domain.decision import decide_hourly
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_model import ModelInput
from kalshi_bots.domain.market_snapshot import (
    EventResult,
    LadderInputs,
    MarketSnapshot,
    StrikeQuote,
    Trigger,
    event_result_of,
    export_rows,
    hourly_snapshot,
)
from kalshi_bots.domain.models import Asset, Bot, Event, FeeSchedule, FeeType, Market, PriceTick, StrikeType
from kalshi_bots.domain.snapshot_export import decode, encode

D = Decimal
NOW = datetime(2026, 11, 24, 14, 45, 5, tzinfo=UTC)
CLOSE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"
SPOT = PriceTick(Asset.BTC, NOW - timedelta(seconds=2), D(100000))
MODEL = ModelInput("ewma-t", 0.2, 5.0, 60.0, 120)


def market(strike: str, no_ask: str | None, **extra: object) -> Market:
    na = None if no_ask is None else D(no_ask)
    return Market(
        ticker=f"{EVENT}-T{strike}",
        event_ticker=EVENT,
        strike_type=StrikeType.GREATER,
        floor_strike=D(strike),
        cap_strike=None,
        close_time=CLOSE,
        yes_bid=None if na is None else 1 - na,
        yes_ask=None if na is None else 1 - na + D("0.02"),
        no_bid=None if na is None else na - D("0.02"),
        no_ask=na,
        yes_bid_size=D("35.5"),
        yes_ask_size=D(12),
        **extra,  # type: ignore[arg-type]
    )


EVENT_OBJ = Event(
    EVENT,
    "KXBTCD",
    (market("100499.99", "0.95"), market("99999.99", "0.40"), market("100249.99", "0.80")),
    exchange_index=2,
)


def snapshot(**inputs: object) -> MarketSnapshot:
    return hourly_snapshot(
        EVENT_OBJ,
        CLOSE,
        scheduled_for=NOW.replace(second=0),
        at=NOW,
        trigger=Trigger.DECISION,
        bot=Bot.BTC_HOURLY,
        mode="paper",
        inputs=LadderInputs(SPOT, MODEL, **inputs),  # type: ignore[arg-type]
        looked_at=(f"{EVENT}-T100249.99",),
        decision="trade",
    )


def test_the_ladder_is_ordered_by_strike_and_priced_exactly_as_the_decision_prices() -> None:
    snap = snapshot()
    assert [s.floor_strike for s in snap.strikes] == [D("99999.99"), D("100249.99"), D("100499.99")]
    decision = decide_hourly(
        spot=SPOT.price,
        vol_15m_std_pct=MODEL.vol_15m_std_pct,
        now=NOW,
        event=EVENT_OBJ,
        fee_schedule=FeeSchedule(FeeType.QUADRATIC),
        bankroll=D(1000),
        expected_close=CLOSE,
        tail_nu=MODEL.tail_nu,
        settlement_average_s=MODEL.settlement_average_s,
    )
    assert decision.market is not None and decision.p_no is not None
    [looked] = snap.looked_at
    assert looked.ticker == decision.market.ticker
    assert looked.model_p_no == round(decision.p_no, 6)
    assert all(s.model_p_no is not None and 0 <= s.model_p_no <= 1 for s in snap.strikes)
    assert snap.spot == SPOT.price and snap.spot_time == SPOT.at and snap.vol_returns == 120


def test_inputs_that_failed_a_sanity_rule_leave_the_ladder_unpriced_but_recorded() -> None:
    snap = snapshot(priced=False)
    assert len(snap.strikes) == 3 and all(s.model_p_no is None for s in snap.strikes)
    assert snap.spot == SPOT.price  # what was seen is kept


def test_no_volatility_means_no_model_price() -> None:
    snap = hourly_snapshot(
        EVENT_OBJ,
        CLOSE,
        scheduled_for=NOW,
        at=NOW,
        trigger=Trigger.MINUTE,
        bot=Bot.BTC_HOURLY,
        mode="",
        inputs=LadderInputs(SPOT, ModelInput("ewma-t", None, 5.0, 60.0, 12, "too few")),
    )
    assert all(s.model_p_no is None for s in snap.strikes) and snap.vol_returns == 12


def test_mid_prefers_the_no_side_and_needs_two_sides() -> None:
    s = StrikeQuote("t", "greater", D(1), None, D("0.10"), D("0.14"), D("0.86"), D("0.90"))
    assert s.market_mid_no == pytest.approx(0.88)
    assert StrikeQuote("t", "greater", D(1), None, D("0.10"), D("0.14"), None, None).market_mid_no == (
        pytest.approx(0.88)
    )
    assert StrikeQuote("t", "greater", D(1), None, None, D("0.14"), None, D("0.9")).market_mid_no is None


def test_a_result_exists_only_once_every_market_has_one() -> None:
    assert event_result_of(EVENT_OBJ, CLOSE) is None
    settled = Event(
        EVENT, "KXBTCD", tuple(market(k, "0.5", result=r) for k, r in (("1", "yes"), ("2", "NO")))
    )
    result = event_result_of(settled, CLOSE)
    assert result == EventResult(EVENT, "KXBTCD", CLOSE, ((f"{EVENT}-T1", "yes"), (f"{EVENT}-T2", "no")))
    half = Event(EVENT, "KXBTCD", (market("1", "0.5", result="yes"), market("2", "0.5")))
    assert event_result_of(half, CLOSE) is None
    odd = EventResult(EVENT, "KXBTCD", CLOSE, (("a", "scalar"),))
    assert odd.outcome("a") == "" and odd.outcome("missing") == ""


def test_export_rows_are_schema_v1_with_no_sizes_from_the_one_book_and_results_joined() -> None:
    snap = snapshot()
    result = EventResult(EVENT, "KXBTCD", CLOSE, tuple((s.ticker, "no") for s in snap.strikes))
    rows = export_rows(snap, result)
    assert len(rows) == 3
    row = rows[1]
    assert row.market_ticker == f"{EVENT}-T100249.99" and row.result == "no"
    assert row.yes_bid.size == 35 and row.yes_ask.size == 12  # whole contracts
    assert row.no_ask.size == 35 and row.no_bid.size == 12  # NO ask rests against the YES bid
    assert row.trigger == "decision" and row.mode == "paper" and row.vol_model == "ewma-t"
    assert row.seconds_left == pytest.approx(895.0)
    assert decode(encode(row)) == row  # exactly the v1 columns the quotes backtest reads
    assert all(r.result == "" for r in export_rows(snap, None))


def test_bad_snapshots_are_refused_with_what_is_wrong() -> None:
    good = snapshot()
    with pytest.raises(DomainError, match="timezone-aware"):
        MarketSnapshot(**{**_fields(good), "at": NOW.replace(tzinfo=None)})
    with pytest.raises(
        DomainError, match="without '#'"
    ):  # part of the key; the bot is a Bot, never free text
        MarketSnapshot(**{**_fields(good), "event_ticker": "KXBTCD#1"})
    bad = StrikeQuote("t", "greater", D(1), None, None, None, None, None, model_p_no=1.5)
    with pytest.raises(DomainError, match="P\\(NO\\)"):
        MarketSnapshot(**{**_fields(good), "strikes": (bad,)})


def _fields(s: MarketSnapshot) -> dict[str, object]:
    return {name: getattr(s, name) for name in MarketSnapshot.__dataclass_fields__}
