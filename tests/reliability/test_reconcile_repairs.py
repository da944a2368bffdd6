"""Issue 10, defect 3: an order the exchange accepted is never left as "rejected"/"failed" in the log.

Unknown outcome is the default (any POST failure but a definitive 4xx); reconcile repairs failed,
rejected and pending records from the exchange by client_order_id at any age, re-reserves their spend
and books their P&L toward the daily loss limit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps, JobParams
from kalshi_bots.app.reconcile import reconcile
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.domain.models import Asset, BudgetReservation, OrderResult, TradeRecord, TradeStatus

from .money_world import (
    HOURLY_SCHED,
    TRADED_TICKER,
    MoneyWorld,
    StaticPrices,
    StaticWeather,
    hourly_order_id,
    list_hourly_event,
    make_store,
    money_world,
)

D = Decimal
COST = D("1.32")  # 5 NO at 0.25 + 0.07 fee: what the exchange takes for the hour's order


def _reservation_of(trade: TradeRecord) -> BudgetReservation:
    """The key the order path reserved the trade's budget under (its client_order_id, ET day)."""
    return BudgetReservation(trade.bot, risk.trading_day(trade.created_at), D(0), trade.client_order_id)


def _trade(world: MoneyWorld) -> Any:
    return trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)


def _reconcile_at(world: MoneyWorld, minutes_after_the_order: int) -> Any:
    world.clock.set(HOURLY_SCHED + timedelta(minutes=minutes_after_the_order))
    result = reconcile(world.deps(), world.clock.now())
    assert result.outcome is Outcome.OK, result
    return result


def test_a_408_after_the_exchange_accepted_the_order_is_an_executed_trade(tmp_path: Path) -> None:
    with money_world(HOURLY_SCHED, store=make_store("sqlite", tmp_path)) as world:
        list_hourly_event(world)
        world.fake.crash_after_accept(mode="408")
        result = _trade(world)
        assert len(world.fake.orders) == 1
        trade = world.trade(hourly_order_id())
        # The client looked the order up instead of calling a 408 a rejection.
        assert trade.status is TradeStatus.EXECUTED, (result, trade)
        assert trade.fill_count == 5 and trade.order_id == world.fake.orders[0]["order_id"]
        assert world.spent() == world.exchange_cost() == COST


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_an_order_that_shows_up_after_the_grace_is_repaired_booked_and_counted_toward_the_loss_limit(
    tmp_path: Path, store_kind: str
) -> None:
    with money_world(HOURLY_SCHED, store=make_store(store_kind, tmp_path), daily_loss_limit=D(1)) as world:
        list_hourly_event(world)
        world.fake.hide_new_orders(timedelta(minutes=15))  # a lagging orders list on the exchange
        world.fake.crash_after_accept(mode="408")
        placed = _trade(world)
        assert placed.outcome is Outcome.ERROR and placed.reason == "order_outcome_unknown", placed
        coid = hourly_order_id()
        assert world.trade(coid).status is TradeStatus.PENDING
        assert world.spent() == COST  # the whole reservation is held while the outcome is unknown

        _reconcile_at(world, 11)  # past the 10-minute grace, still invisible: the POST "never arrived"
        assert world.trade(coid).status is TradeStatus.FAILED and world.spent() == 0

        repaired = _reconcile_at(world, 20)  # the order is visible now
        trade = world.trade(coid)
        assert trade.status is TradeStatus.EXECUTED, (repaired, trade)
        assert trade.fill_count == 5 and trade.fees_dollars == D("0.07") and trade.price_cents == 25
        assert world.spent() == world.exchange_cost() == COST  # its spend is reserved again

        world.fake.settle(TRADED_TICKER, "yes")  # NO loses: -1.32
        _reconcile_at(world, 25)
        day = risk.trading_day(world.clock.now())
        assert world.raw_store.realized_pnl(day) == -COST
        assert world.trade(coid).pnl_dollars == -COST
        # The loss reaches the daily loss limit ($1): the next hour refuses.
        next_hour = HOURLY_SCHED + timedelta(hours=1)
        world.clock.set(next_hour)
        refused = trade_hourly(world.deps(), next_hour, asset=Asset.BTC)
        assert refused.reason == "loss_limit", refused


def test_a_rejected_record_left_by_an_older_version_is_repaired_when_the_order_exists(
    tmp_path: Path,
) -> None:
    """Before the fix a 408 was logged as ``rejected`` and its budget released: reconcile now finds the
    order by client_order_id and turns the record into the executed trade it is."""
    with money_world(HOURLY_SCHED, store=make_store("sqlite", tmp_path)) as world:
        list_hourly_event(world)
        assert _trade(world).outcome is Outcome.OK
        coid = hourly_order_id()
        executed = world.trade(coid)
        as_older_versions_left_it = replace(
            executed,
            status=TradeStatus.REJECTED,
            order_id=None,
            fill_count=D(0),
            fees_dollars=D(0),
            price_cents=D(25),
            reason="order_rejected: request_timeout: HTTP 408",
        )
        world.raw_store.update_trade(as_older_versions_left_it)
        world.raw_store.release_budget(_reservation_of(executed), COST)
        assert world.spent() == 0

        result = _reconcile_at(world, 30)
        trade = world.trade(coid)
        assert trade.status is TradeStatus.EXECUTED and trade.fill_count == 5
        assert trade.order_id == world.fake.orders[0]["order_id"]
        assert world.spent() == world.exchange_cost() == COST
        assert result.data["repaired"] == 1


class LaggingOrderList:
    """The paper exchange, except that looking an order up by client_order_id finds nothing yet (the
    orders list lags) while its fills are already visible: only the fills can repair the record."""

    def __init__(self, inner: PaperExchange) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def find_order(self, client_order_id: str, ticker: str) -> OrderResult | None:
        return None


def test_fills_for_a_client_order_id_already_in_the_log_are_applied_not_skipped() -> None:
    with money_world(HOURLY_SCHED) as world:
        list_hourly_event(world)
        clock = ManualClock(HOURLY_SCHED + timedelta(seconds=5))
        store = MemoryStore()
        paper = PaperExchange(world.client, store, clock)
        deps = Deps(clock, store, LaggingOrderList(paper), StaticPrices(clock), StaticWeather(), JobParams())
        snapshot = world.raw_store.get_volatility(Asset.BTC)
        assert snapshot is not None
        store.put_volatility(snapshot)
        placed = trade_hourly(deps, HOURLY_SCHED, asset=Asset.BTC)
        assert placed.outcome is Outcome.OK, placed
        coid = hourly_order_id()
        filled = store.get_trade(coid)
        assert filled is not None and filled.fill_count == 5
        # The record as a lost reply plus the grace expiry leave it: failed, no order id, budget freed.
        store.update_trade(
            replace(
                filled,
                status=TradeStatus.FAILED,
                order_id=None,
                fill_count=D(0),
                fees_dollars=D(0),
                reason="order_not_found",
            )
        )
        store.release_budget(_reservation_of(filled), COST)

        clock.advance(timedelta(minutes=30))
        result = reconcile(deps, clock.now())
        assert result.outcome is Outcome.OK, result
        repaired = store.get_trade(coid)
        assert repaired is not None and repaired.status is TradeStatus.EXECUTED
        assert repaired.fill_count == 5 and repaired.fees_dollars == filled.fees_dollars
        assert result.data["discovered"] == 0
        day = risk.trading_day(clock.now())
        assert store.budget_state("btc-hourly", day, JobParams().budget).spent == COST


def test_a_definitive_rejection_stays_rejected_and_holds_nothing(tmp_path: Path) -> None:
    with money_world(HOURLY_SCHED, store=make_store("sqlite", tmp_path)) as world:
        list_hourly_event(world)
        world.fake.fail_next(400, path="^/portfolio/events/orders$", method="POST")
        result = _trade(world)
        assert result.reason == "order_rejected", result
        trade = world.trade(hourly_order_id())
        assert trade.status is TradeStatus.REJECTED and world.spent() == 0
        _reconcile_at(world, 30)
        assert world.trade(hourly_order_id()).status is TradeStatus.REJECTED
