"""cleanup, risk gates (fail closed), clocks and the structured-log helpers."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.clock import AcceleratedClock, FixedClock, ManualClock, SystemClock
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app import risk
from kalshi_bots.app.cleanup import cleanup
from kalshi_bots.app.deps import JobParams
from kalshi_bots.app.logs import json_safe
from kalshi_bots.app.results import Outcome
from kalshi_bots.domain.models import Asset, BudgetLimits, PriceTick

from .fakes import BrokenStore, make_world

D = Decimal
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_cleanup_deletes_rows_older_than_the_retention_for_both_assets() -> None:
    w = make_world(T0)
    for asset in Asset:
        for m in range(300):
            w.store.put_price(PriceTick(asset, T0 - timedelta(minutes=m), D(100)))
    result = cleanup(w.deps(), T0)
    assert result.outcome is Outcome.OK
    assert result.data["deleted"] == {"BTC": 119, "ETH": 119}  # minutes 181..299; 180 is kept
    for asset in Asset:
        rows = w.store.prices_between(asset, T0 - timedelta(days=1), T0 + timedelta(minutes=1))
        assert rows[0].at == T0 - timedelta(minutes=180) and len(rows) == 181


def test_cleanup_refuses_a_retention_inside_the_longest_window() -> None:
    w = make_world(T0)
    result = cleanup(w.deps(params=JobParams(price_retention_minutes=60)), T0)
    assert result.outcome is Outcome.ERROR and result.reason == "invalid_config"


def test_risk_gates_fail_closed_when_the_store_is_unreadable() -> None:
    limits = BudgetLimits(global_limit=D(10), daily_loss_limit=D(5))
    broken = BrokenStore(MemoryStore())
    assert risk.gate_refusal(broken, date(2026, 11, 24), limits) == risk.STORE_UNAVAILABLE  # type: ignore[arg-type]


def test_risk_gates_kill_switch_and_loss_limit() -> None:
    store = MemoryStore()
    day = date(2026, 11, 24)
    limits = BudgetLimits(global_limit=D(10), daily_loss_limit=D(5))
    assert risk.gate_refusal(store, day, limits) is None
    store.record_realized_pnl("btc-hourly", day, D(-4.99), "a")
    assert risk.gate_refusal(store, day, limits) is None
    store.record_realized_pnl("btc-hourly", day, D(-0.01), "b")
    assert risk.gate_refusal(store, day, limits) == "loss_limit"
    assert risk.gate_refusal(store, day, BudgetLimits(global_limit=D(10))) is None  # 0 = no loss halt
    risk.halt(store, "  ")
    assert store.get_flag("halt") == "halted"
    assert risk.gate_refusal(store, day, limits) == "kill_switch"
    risk.resume(store)
    assert store.get_flag("halt") is None


def test_trading_day_is_the_new_york_date() -> None:
    assert risk.trading_day(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == date(2026, 11, 24)  # 22:00 EST
    assert risk.trading_day(datetime(2026, 7, 1, 4, 30, tzinfo=UTC)) == date(2026, 7, 1)  # 00:30 EDT


def test_clocks() -> None:
    assert SystemClock().now().tzinfo is UTC
    assert FixedClock(T0).now() == T0
    manual = ManualClock(T0)
    assert manual.advance(timedelta(minutes=2)) == T0 + timedelta(minutes=2)
    with pytest.raises(ValueError, match="non-negative"):
        manual.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="naive"):
        ManualClock(datetime(2026, 1, 1))
    fast = AcceleratedClock(T0, speed=3600)
    assert T0 <= fast.now() < T0 + timedelta(hours=1)
    with pytest.raises(ValueError, match="speed"):
        AcceleratedClock(T0, speed=0)


def test_json_safe_keeps_money_exact_and_drops_non_finite_floats() -> None:
    out = json_safe({"a": D("0.1000"), "t": T0, "n": math.nan, "l": (Asset.BTC, 1.5)})
    assert out == {"a": "0.1000", "t": T0.isoformat(), "n": None, "l": ["BTC", 1.5]}
