"""The edge gate in the trading jobs: in live mode the hourly and weather bots place orders only when their
scorecard shows an edge; the override lets them through loudly; paper and demo never ask; a scorecard that
cannot be read means no live order. Every run records its decision either way."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.deps import EdgeParams, JobParams
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.app.weather_job import weather
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, StrikeQuote, Trigger
from kalshi_bots.domain.models import Asset, Bot, Mode, Side, TradeRecord, TradeStatus
from kalshi_bots.ports.errors import StoreError

from .fakes import World
from .test_trade_hourly import SCHED, setup_world
from .test_weather_job import PARAMS as WEATHER_PARAMS
from .test_weather_job import RUN, weather_world

D = Decimal
LIVE = JobParams(mode=Mode.LIVE)


def seed_evidence(
    store: MemoryStore,
    bot: str,
    n: int,
    *,
    before: datetime,
    model_p_no: float = 0.95,
    no_wins: bool = True,
) -> None:
    """``n`` past decisions of ``bot``, each looking at one contract with a 0.78/0.82 NO quote (mid 0.80)
    and settled; with the defaults the model (P(NO) 0.95 on a NO that wins) beats the mid every time."""
    for i in range(n):
        at = before - timedelta(hours=i + 1)
        event = f"EV{bot}{i}"
        close = at + timedelta(minutes=15)
        quote = StrikeQuote(
            f"{event}-T1",
            "greater",
            D(1),
            None,
            None,
            None,
            D("0.78"),
            D("0.82"),
            model_p_no=model_p_no,
            looked_at=True,
        )
        snap = MarketSnapshot(at, at, Trigger.DECISION, bot, "paper", "KXBTCD", event, close, (quote,))
        store.put_snapshot(snap)
        outcome = "no" if no_wins else "yes"
        store.put_event_result(EventResult(event, "KXBTCD", close, ((quote.ticker, outcome),)))


def losing_trade(bot: str, at: datetime) -> TradeRecord:
    return TradeRecord(
        created_at=at,
        client_order_id=f"lost-{bot}",
        bot=bot,
        mode=Mode.PAPER,
        contract_ticker="X-T1",
        side=Side.NO,
        quantity=5,
        price_cents=D(80),
        btc_price=None,
        strike_price=None,
        model_prob=0.95,
        market_prob=0.8,
        edge=0.13,
        kelly_fraction=0.1,
        status=TradeStatus.EXECUTED,
        fill_count=D(5),
        fees_dollars=D("0.05"),
        settlement_result="yes",
        pnl_dollars=D("-4.05"),
    )


def hourly(w: World, params: JobParams, **deps: Any) -> Any:
    return trade_hourly(w.deps(params=params, **({"snapshots": w.store} | deps)), SCHED, asset=Asset.BTC)


def decisions(w: World) -> list[MarketSnapshot]:
    return w.store.snapshots_between(SCHED - timedelta(days=1), SCHED + timedelta(hours=1), Trigger.DECISION)


# --- hourly ---------------------------------------------------------------------------------------
def test_live_without_evidence_refuses_says_why_and_still_records_the_decision() -> None:
    w = setup_world()
    result = hourly(w, LIVE)
    assert result.outcome is Outcome.NO_TRADE and result.reason == "no_edge_evidence"
    assert "btc-hourly: 0 scored decisions" in result.detail and "needs at least 200" in result.detail
    assert w.exchange.orders == [] and w.store.all_trades() == [] and w.store.reservations(SCHED.date()) == []
    [recorded] = [d for d in decisions(w) if d.scheduled_for == SCHED]
    assert (
        recorded.decision == "no-trade" and recorded.reason == "no_edge_evidence" and recorded.mode == "live"
    )
    assert [s.ticker for s in recorded.looked_at] == ["KXBTCD-26NOV2410-T100249.99"]


def test_live_with_evidence_places_the_order() -> None:
    w = setup_world()
    seed_evidence(w.store, Bot.BTC_HOURLY, 200, before=SCHED)
    result = hourly(w, LIVE)
    assert result.outcome is Outcome.OK, result
    assert len(w.exchange.orders) == 1


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        ({"n": 199}, "199 scored decisions"),
        ({"n": 250, "model_p_no": 0.5}, "does not beat the market mid"),  # mid 0.80 on NOs that win
        ({"n": 250, "no_wins": False}, "does not beat the market mid"),  # the model was confidently wrong
    ],
)
def test_live_refuses_when_the_scorecard_does_not_show_an_edge(seed: dict[str, Any], says: str) -> None:
    w = setup_world()
    seed_evidence(w.store, Bot.BTC_HOURLY, before=SCHED, **seed)
    result = hourly(w, LIVE)
    assert result.reason == "no_edge_evidence" and says in result.detail
    assert w.exchange.orders == []


def test_live_refuses_after_losing_money_even_with_a_better_log_loss() -> None:
    w = setup_world()
    seed_evidence(w.store, Bot.BTC_HOURLY, 200, before=SCHED)
    w.store.put_trade(losing_trade(Bot.BTC_HOURLY, SCHED - timedelta(days=2)))
    result = hourly(w, LIVE)
    assert result.reason == "no_edge_evidence" and "realised P&L after fees is negative" in result.detail
    assert "$-4.05" in result.detail and w.exchange.orders == []


def test_another_bots_evidence_does_not_count() -> None:
    w = setup_world()
    seed_evidence(w.store, Bot.WEATHER, 300, before=SCHED)
    assert hourly(w, LIVE).reason == "no_edge_evidence"


def test_the_override_places_without_evidence_and_logs_it_loudly(caplog: pytest.LogCaptureFixture) -> None:
    w = setup_world()
    params = replace(LIVE, edge=EdgeParams(live_without_edge=True))
    with caplog.at_level(logging.WARNING):
        result = hourly(w, params)
    assert result.outcome is Outcome.OK and len(w.exchange.orders) == 1
    [loud] = [r for r in caplog.records if getattr(r, "event", "") == "edge_gate.overridden"]
    assert loud.levelno == logging.WARNING and "WITHOUT EVIDENCE OF AN EDGE" in loud.getMessage()


@pytest.mark.parametrize("mode", [Mode.PAPER, Mode.DEMO])
def test_paper_and_demo_are_unaffected(mode: Mode) -> None:
    w = setup_world()
    assert hourly(w, JobParams(mode=mode)).outcome is Outcome.OK  # no evidence at all
    assert len(w.exchange.orders) == 1
    [recorded] = decisions(w)
    assert recorded.decision == "trade" and recorded.mode == mode.value


def test_paper_needs_no_snapshot_store() -> None:
    w = setup_world()
    assert hourly(w, JobParams(), snapshots=None).outcome is Outcome.OK


class FailingSnapshots:
    """The store's snapshot side failing on reads (the scorecard); writes fail too."""

    def __init__(self, inner: MemoryStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise StoreError(f"{name}: table unreachable")

        return broken


def test_live_fails_closed_when_the_scorecard_cannot_be_read() -> None:
    w = setup_world()
    seed_evidence(w.store, Bot.BTC_HOURLY, 300, before=SCHED)  # the evidence exists but cannot be read
    result = hourly(w, LIVE, snapshots=FailingSnapshots(w.store))
    assert result.outcome is Outcome.NO_TRADE and result.reason == "no_edge_evidence"
    assert "could not be computed (StoreError: store: decisions_between: table unreachable)" in result.detail
    assert w.exchange.orders == []


def test_live_without_a_snapshot_store_places_nothing() -> None:
    w = setup_world()
    result = hourly(w, LIVE, snapshots=None)
    assert result.reason == "no_edge_evidence" and "records no decisions" in result.detail
    assert w.exchange.orders == []


def test_a_failing_decision_record_never_changes_the_trade() -> None:
    w = setup_world()
    result = hourly(w, JobParams(), snapshots=FailingSnapshots(w.store))
    assert result.outcome is Outcome.OK and len(w.exchange.orders) == 1


# --- weather --------------------------------------------------------------------------------------
def run_weather(w: World, params: JobParams) -> Any:
    return weather(w.deps(params=params, snapshots=w.store), RUN)


def test_weather_live_without_evidence_refuses_and_records_what_it_priced() -> None:
    w = weather_world()
    result = run_weather(w, replace(WEATHER_PARAMS, mode=Mode.LIVE))
    assert result.outcome is Outcome.NO_TRADE and result.reason == "no_edge_evidence"
    assert w.exchange.orders == [] and w.store.all_trades() == []
    assert any(
        n["reason"] == "no_edge_evidence" and "weather: 0 scored decisions" in n["detail"]
        for n in result.data["refusals"]
    )
    priced = w.store.snapshots_between(RUN - timedelta(hours=1), RUN + timedelta(hours=1), Trigger.DECISION)
    assert sorted(p.event_ticker for p in priced) == ["KXHIGHNY-26NOV24", "KXHIGHNY-26NOV25"]
    for p in priced:
        assert p.bot == "weather" and p.mode == "live" and p.model == "weather" and p.forecast_sigma_f
        assert p.decision == "no-trade" and p.reason == "no_edge_evidence"
        assert len(p.strikes) == 6 and p.looked_at and all(s.model_p_no is not None for s in p.strikes)
        assert sum(1 - (s.model_p_no or 0) for s in p.strikes) == pytest.approx(1.0, abs=1e-5)


def test_weather_live_with_evidence_trades() -> None:
    w = weather_world()
    seed_evidence(w.store, Bot.WEATHER, 200, before=RUN)
    result = run_weather(w, replace(WEATHER_PARAMS, mode=Mode.LIVE))
    assert result.outcome is Outcome.OK and len(w.exchange.orders) == 2


def test_weather_override_and_paper_trade_without_evidence() -> None:
    for params in (
        replace(WEATHER_PARAMS, mode=Mode.LIVE, edge=EdgeParams(live_without_edge=True)),
        WEATHER_PARAMS,
        replace(WEATHER_PARAMS, mode=Mode.DEMO),
    ):
        w = weather_world()
        assert run_weather(w, params).outcome is Outcome.OK
        assert len(w.exchange.orders) == 2
        traded = w.store.snapshots_between(RUN, RUN + timedelta(minutes=1), Trigger.DECISION)
        assert {p.decision for p in traded} == {"trade"}
