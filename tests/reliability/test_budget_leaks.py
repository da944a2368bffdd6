"""Issue 10, item 9 (third point): a reservation leaked by a crash is given back by reconcile.

A run that dies between reserving and writing its trade record never sent an order (orders go out only
after the record exists), so the exchange shows no spend for that client_order_id: the next reconcile
releases the reservation once it is old enough that no run can still be using it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.app.reconcile import reconcile
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.domain.models import Asset

from .money_world import HOURLY_SCHED, ProcessDiedError, list_hourly_event, make_store, money_world

D = Decimal


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_reconcile_releases_a_reservation_a_crash_left_without_a_trade(
    tmp_path: Path, store_kind: str
) -> None:
    with money_world(HOURLY_SCHED, store=make_store(store_kind, tmp_path)) as world:
        list_hourly_event(world, no_ask=D("0.25"))
        world.store.die_after("reserve_budget")
        with pytest.raises(ProcessDiedError):
            trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC)
        assert world.spent() == D("1.32")

        # Five minutes on, a run could still be between its reservation and its record: kept.
        world.clock.advance(timedelta(minutes=5))
        assert reconcile(world.deps(), world.clock.now()).outcome is Outcome.OK
        assert world.spent() == D("1.32")

        world.clock.advance(timedelta(minutes=6))
        result = reconcile(world.deps(), world.clock.now())
        assert result.outcome is Outcome.OK, result
        assert world.spent() == 0
        assert world.fake.orders == []
        assert result.data["leaks_released"] == 1

        # Idempotent: a second pass finds nothing to do.
        again = reconcile(world.deps(), world.clock.now())
        assert again.data["leaks_released"] == 0 and world.spent() == 0


def test_a_reservation_whose_trade_filled_is_set_to_what_the_exchange_took(tmp_path: Path) -> None:
    """The true-up also repairs a reservation the order path could not book (store down right then)."""
    with money_world(HOURLY_SCHED, store=make_store("sqlite", tmp_path)) as world:
        list_hourly_event(world, no_ask=D("0.25"), size=D(3))
        world.store.fail_next("settle_budget")  # the order filled 3 of 5; booking its cost fails
        assert trade_hourly(world.deps(), HOURLY_SCHED, asset=Asset.BTC).outcome is Outcome.OK
        assert world.spent() == D("1.32")  # the whole reservation is still held: the safe direction
        world.clock.advance(timedelta(minutes=20))
        result = reconcile(world.deps(), world.clock.now())
        assert result.outcome is Outcome.OK, result
        assert world.exchange_cost() == D("0.79")  # 3 x 0.25 + fee 0.04
        assert world.spent() == D("0.79")
