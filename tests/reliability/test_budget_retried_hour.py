"""Issue 10, defect 1: a retried hour at a changed price never spends past the budget.

The repro: hourly budget $1.50; the first run reserves 5 x (0.25 + fee) = $1.32, then its trade-record
write fails (or the process dies); the NO ask moves to 0.45; the same ``--at`` is retried, as Lambda's
retries do. Before the fix the retry's reservation "succeeded" because the id existed, the order cost
$2.34 against a $1.50 limit, and a partial fill crashed with ``ValueError`` releasing more than held.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.app.results import Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.domain.models import Asset, TradeStatus

from .money_world import (
    HOURLY_SCHED,
    MoneyWorld,
    ProcessDiedError,
    hourly_order_id,
    list_hourly_event,
    make_store,
    money_world,
    quote_no,
)

D = Decimal
LIMIT = D("1.50")


def _store_write_fails(world: MoneyWorld) -> None:
    world.store.fail_next("put_trade")
    result = trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)
    assert (result.outcome, result.reason) == (Outcome.ERROR, "store_unavailable"), result


def _process_dies_after_reserving(world: MoneyWorld) -> None:
    world.store.die_after("reserve_budget")
    with pytest.raises(ProcessDiedError):
        trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)


FIRST_RUN_CRASHES: dict[str, Callable[[MoneyWorld], None]] = {
    "trade-write-fails": _store_write_fails,
    "process-dies": _process_dies_after_reserving,
}


@pytest.mark.parametrize("depth", [D(100), D(1)], ids=["full-fill", "partial-fill"])
@pytest.mark.parametrize("crash", sorted(FIRST_RUN_CRASHES))
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_a_retried_hour_at_a_higher_price_is_refused_within_the_budget(
    tmp_path: Path, store_kind: str, crash: str, depth: Decimal
) -> None:
    with money_world(HOURLY_SCHED, store=make_store(store_kind, tmp_path), hourly_budget=LIMIT) as world:
        list_hourly_event(world, no_ask=D("0.25"))
        FIRST_RUN_CRASHES[crash](world)
        assert world.fake.orders == []
        assert world.spent() == D("1.32")  # 5 x (0.25 + 0.014): the crashed run's reservation

        quote_no(world, D("0.45"), size=depth)
        retry = trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)  # must not raise either

        # 5 x (0.45 + 0.018) = 2.34 would exceed 1.50: the retry holds only the difference, so it is refused.
        assert (retry.outcome, retry.reason) == (Outcome.NO_TRADE, "budget_exceeded"), retry
        assert world.fake.orders == []
        assert world.exchange_cost() == 0
        assert world.spent() <= LIMIT


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_a_retry_that_fits_holds_only_the_difference_and_books_what_filled(
    tmp_path: Path, store_kind: str
) -> None:
    with money_world(HOURLY_SCHED, store=make_store(store_kind, tmp_path), hourly_budget=LIMIT) as world:
        list_hourly_event(world, no_ask=D("0.25"))
        _store_write_fails(world)
        quote_no(world, D("0.27"), size=D(2))  # 5 x (0.27 + 0.014) = 1.42 fits; only 2 contracts there
        retry = trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)
        assert retry.outcome is Outcome.OK, retry
        [order] = world.fake.orders
        trade = world.trade(hourly_order_id())
        assert trade.status is TradeStatus.EXECUTED and trade.fill_count == 2
        # The budget holds exactly what the exchange took: 2 x 0.27 + fee 0.03, the rest given back.
        assert world.exchange_cost() == D("0.57")
        assert world.spent() == D("0.57")
        assert order["client_order_id"] == hourly_order_id()
