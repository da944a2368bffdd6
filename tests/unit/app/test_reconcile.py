"""reconcile: pending orders resolved or expired, lost orders discovered, settlements booked once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from kalshi_bots.app import risk
from kalshi_bots.app.deps import JobParams
from kalshi_bots.app.reconcile import reconcile
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.domain.models import Asset, Bot, OrderIntent, OrderResult, TradeStatus
from kalshi_bots.domain.orders import buy_no_intent
from kalshi_bots.ports.errors import TransientError

from .fakes import CrashAfterPostExchange, World
from .test_trade_hourly import EVENT, SCHED, setup_world

D = Decimal
TICKER = f"{EVENT}-T100249.99"


class NeverArrives(CrashAfterPostExchange):
    def create_order(self, intent: OrderIntent) -> OrderResult:
        self.orders_sent += 1
        raise TransientError("kalshi", "connection refused")


class Down:
    """Every exchange call fails transiently."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object, **kwargs: object) -> object:
            raise TransientError("kalshi", f"{name}: 503")

        return fail


def traded_world() -> World:
    w = setup_world()
    assert trade_hourly(w.deps(), SCHED, asset=Asset.BTC).outcome is Outcome.OK
    return w


def test_settlement_books_realized_pnl_once() -> None:
    w = traded_world()
    w.data.update_market(TICKER, status="finalized", result="no")
    w.clock.advance(timedelta(hours=1))
    day = risk.trading_day(w.clock.now())
    for _ in range(2):
        result = reconcile(w.deps(), w.clock.now())
        assert result.outcome is Outcome.OK, result
    [trade] = w.store.all_trades()
    assert trade.settlement_result == "no"
    assert trade.pnl_dollars == D(5) - D("4.00") - D("0.06")
    assert w.store.realized_pnl(day) == D("0.94")
    assert w.store.open_trades() == []
    assert w.paper.balance() == D(1000) - D("4.06") + D(5)


def test_a_settled_loss_can_trip_the_daily_loss_halt() -> None:
    w = traded_world()
    w.data.update_market(TICKER, status="finalized", result="yes")
    w.clock.advance(timedelta(minutes=20))
    reconcile(w.deps(), w.clock.now())
    [trade] = w.store.all_trades()
    assert trade.pnl_dollars == D("-4.06")
    params = JobParams()
    params = replace(params, budget=replace(params.budget, daily_loss_limit=D(4)))
    # Next hour's run: refused on the loss limit before anything else is looked at.
    nxt = SCHED + timedelta(hours=1)
    w.clock.set(nxt)
    result = trade_hourly(w.deps(params=params), nxt, asset=Asset.BTC)
    assert result.reason == "loss_limit"


def test_a_pending_trade_whose_order_never_arrived_expires_and_releases_its_budget() -> None:
    w = setup_world()
    never = NeverArrives(w.paper)  # the POST never reached the exchange (connection refused)
    trade_hourly(w.deps(exchange=never), SCHED, asset=Asset.BTC)
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.PENDING
    budget = JobParams().budget
    day = risk.trading_day(w.clock.now())
    assert w.store.budget_state(Bot.BTC_HOURLY, day, budget).spent > 0
    w.clock.advance(timedelta(minutes=3))
    reconcile(w.deps(), w.clock.now())
    assert w.store.all_trades()[0].status is TradeStatus.PENDING  # still within the grace period
    w.clock.advance(timedelta(minutes=10))
    reconcile(w.deps(), w.clock.now())
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.FAILED and trade.reason == "order_not_found"
    assert w.store.budget_state(Bot.BTC_HOURLY, day, budget).spent == 0
    assert w.exchange.orders == []  # reconcile never sends


def test_an_order_on_the_exchange_missing_from_the_log_is_recorded_not_resent() -> None:
    w = setup_world()
    intent = buy_no_intent(TICKER, D("0.80"), 2, "7a1c9a52-3f0e-5b6c-8d2e-1f3a4b5c6d7e", 2)
    w.paper.create_order(intent)  # placed, but its record was lost
    w.clock.advance(timedelta(minutes=5))
    result = reconcile(w.deps(), w.clock.now())
    assert result.data["discovered"] == 1
    [trade] = w.store.all_trades()
    assert trade.client_order_id == intent.client_order_id and trade.status is TradeStatus.EXECUTED
    assert trade.fill_count == 2 and trade.price_cents == D("80.00") and trade.bot == "discovered"
    assert w.exchange.orders == []
    again = reconcile(w.deps(), w.clock.now())
    assert again.data["discovered"] == 0 and len(w.store.all_trades()) == 1


def test_exchange_failures_are_reported_and_retried_next_run() -> None:
    w = traded_world()
    result = reconcile(w.deps(exchange=Down()), w.clock.now())
    assert result.outcome is Outcome.ERROR and result.transient
    assert result.data["errors"]
