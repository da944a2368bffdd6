"""decide_hour: the hourly bot's gates and decision as one pure function of its gathered inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kalshi_bots.domain.decision import HourlyTrade, Refusal
from kalshi_bots.domain.hourly_decision import HourlyInputs, Needs, decide_hour
from kalshi_bots.domain.hourly_model import ModelInput
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import (
    Asset,
    Event,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    Market,
    PriceTick,
    StrikeType,
    VolatilitySnapshot,
)
from kalshi_bots.domain.params import HourlyParams
from kalshi_bots.domain.reasons import NoTradeReason

D = Decimal
NOW = datetime(2026, 11, 24, 14, 45, 5, tzinfo=UTC)
TARGET = hourly_target(Asset.BTC, NOW)
SPOT = D(100000)
PARAMS = HourlyParams()
JUMP = 10.0


def _market(strike: str, no_ask: str | None) -> Market:
    return Market(
        ticker=f"{TARGET.event_ticker}-T{strike}",
        event_ticker=TARGET.event_ticker,
        strike_type=StrikeType.GREATER,
        floor_strike=D(strike),
        cap_strike=None,
        close_time=TARGET.close_time,
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None if no_ask is None else D(no_ask),
    )


def inputs(no_ask: str = "0.80", **changes: object) -> HourlyInputs:
    """Every input present and good: the 100249.99 strike's NO at ``no_ask`` (P(NO) ~0.9)."""
    event = Event(
        TARGET.event_ticker,
        "KXBTCD",
        (_market("99999.99", "0.30"), _market("100249.99", no_ask), _market("100499.99", "0.95")),
        2,
    )
    recent = tuple(PriceTick(Asset.BTC, NOW - timedelta(minutes=k), SPOT) for k in (2, 1))
    full = HourlyInputs(
        now=NOW,
        target=TARGET,
        event=event,
        status=ExchangeStatus(True, True),
        snapshot=VolatilitySnapshot(Asset.BTC, NOW - timedelta(seconds=30), (), SPOT, recent),
        model_input=ModelInput("test", 0.2, 5.0, 60.0, 120),
        tick=PriceTick(Asset.BTC, NOW - timedelta(seconds=2), SPOT),
        series_fees=FeeSchedule(FeeType.QUADRATIC),
        bankroll=D(1000),
    )
    return replace(full, **changes)  # type: ignore[arg-type]


def test_inputs_are_asked_for_in_order_and_the_full_set_trades() -> None:
    assert decide_hour(inputs(tick=None, series_fees=None), PARAMS, JUMP).outcome is Needs.PRICE
    assert decide_hour(inputs(series_fees=None), PARAMS, JUMP).outcome is Needs.TERMS
    assert decide_hour(inputs(bankroll=None), PARAMS, JUMP).outcome is Needs.TERMS
    verdict = decide_hour(inputs(), PARAMS, JUMP)
    assert isinstance(verdict.outcome, HourlyTrade) and verdict.decision is not None
    assert verdict.outcome.market.ticker.endswith("T100249.99") and verdict.outcome.contracts == 5
    assert verdict.decision.p_no == verdict.outcome.p_no


def test_a_refusal_comes_before_asking_for_what_it_does_not_need() -> None:
    stale_vol = inputs(
        snapshot=replace(inputs().snapshot, computed_at=NOW - timedelta(seconds=181)), tick=None
    )
    assert _reason(stale_vol) is NoTradeReason.VOL_STALE
    no_estimate = inputs(model_input=ModelInput("test", None, 5.0, 60.0, 3, "3 returns"), tick=None)
    refusal = decide_hour(no_estimate, PARAMS, JUMP).outcome
    assert isinstance(refusal, Refusal) and refusal.reason is NoTradeReason.VOL_INSUFFICIENT
    assert refusal.detail == "test: 3 returns"
    closed = inputs(status=ExchangeStatus(True, True, ((2, False),)), tick=None)
    assert _reason(closed) is NoTradeReason.SHARD_CLOSED
    old_tick = inputs(tick=PriceTick(Asset.BTC, NOW - timedelta(seconds=91), SPOT), series_fees=None)
    assert _reason(old_tick) is NoTradeReason.PRICE_STALE
    jumped = inputs(tick=PriceTick(Asset.BTC, NOW, SPOT * 2), series_fees=None)
    assert _reason(jumped) is NoTradeReason.SPOT_DISAGREES


def test_the_decision_and_the_last_look_come_last() -> None:
    assert _reason(inputs(no_ask="0.90")) is NoTradeReason.EDGE_TOO_SMALL
    assert _reason(inputs(bankroll=D(0))) is NoTradeReason.SIZE_ZERO
    assert _reason(inputs(no_ask="0.80001")) is NoTradeReason.PRICE_OFF_TICK
    refused = decide_hour(inputs(no_ask="0.90"), PARAMS, JUMP)
    assert refused.decision is not None and refused.decision.edge is not None  # the numbers, for the log


def _reason(i: HourlyInputs) -> NoTradeReason:
    outcome = decide_hour(i, PARAMS, JUMP).outcome
    assert isinstance(outcome, Refusal), outcome
    return outcome.reason


@settings(max_examples=200, deadline=None)
@given(
    vol_age=st.integers(-20, 400),
    tick_age=st.integers(-20, 200),
    spot=st.decimals(D(80000), D(130000), places=2),
    no_ask=st.sampled_from(["0.50", "0.80", "0.88", "0.95", "0.99"]),
    bankroll=st.decimals(D(0), D(500), places=2),
)
def test_filling_inputs_as_asked_gives_the_verdict_of_having_them_all(
    vol_age: int, tick_age: int, spot: Decimal, no_ask: str, bankroll: Decimal
) -> None:
    """The job's way (start without price and terms, fetch what is asked) and the backtest's way (every
    input at once) reach the same verdict; with every input there is never a Needs."""
    full = inputs(
        no_ask,
        snapshot=replace(inputs().snapshot, computed_at=NOW - timedelta(seconds=vol_age)),
        tick=PriceTick(Asset.BTC, NOW - timedelta(seconds=tick_age), spot),
        bankroll=bankroll,
    )
    at_once = decide_hour(full, PARAMS, JUMP)
    assert not isinstance(at_once.outcome, Needs)
    step = replace(full, tick=None, series_fees=None, bankroll=None)
    asked: list[Needs] = []
    verdict = decide_hour(step, PARAMS, JUMP)
    while isinstance(verdict.outcome, Needs):
        asked.append(verdict.outcome)
        if verdict.outcome is Needs.PRICE:
            step = replace(step, tick=full.tick)
        else:
            step = replace(step, series_fees=full.series_fees, bankroll=full.bankroll)
        verdict = decide_hour(step, PARAMS, JUMP)
    assert verdict == at_once
    assert asked in ([], [Needs.PRICE], [Needs.PRICE, Needs.TERMS])
