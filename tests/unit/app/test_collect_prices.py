"""collect-prices: backfill on an empty store, gap backfill, rejections, one VOL read per run."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.app.collect_prices import collect_prices
from kalshi_bots.app.results import Outcome
from kalshi_bots.domain.models import Asset
from kalshi_bots.domain.volatility import compute_snapshot

from .fakes import CountingStore, World, make_world

D = Decimal
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def wavy(t: datetime) -> Decimal:
    """A deterministic price path with real minute-to-minute moves."""
    minutes = (t - T0).total_seconds() / 60
    return D(100000) + D(str(round(150 * math.sin(minutes / 7) + 40 * math.sin(minutes * 1.3), 2)))


def world_at(t: datetime) -> World:
    w = make_world(t + timedelta(seconds=3))
    w.prices.price_at = wavy
    return w


def run(w: World, sched: datetime) -> object:
    w.clock.set(sched + timedelta(seconds=3))
    return collect_prices(w.deps(), sched, asset=Asset.BTC)


def test_first_run_on_an_empty_store_backfills_120_minutes_so_volatility_is_ready() -> None:
    w = world_at(T0)
    result = run(w, T0)
    assert result.outcome is Outcome.OK, result
    rows = w.store.prices_between(Asset.BTC, T0 - timedelta(hours=3), T0 + timedelta(minutes=1))
    assert len(rows) == 121  # 120 backfilled minutes + the current one
    assert rows[0].at == T0 - timedelta(minutes=120) and rows[-1].at == T0
    assert w.prices.candle_calls == [(T0 - timedelta(minutes=120), T0)]
    snap = w.store.get_volatility(Asset.BTC)
    assert snap is not None and snap.computed_at == T0
    for minutes in (15, 30, 60, 90, 120):
        window = snap.window(minutes)
        assert window is not None and window.sufficient
    # Same numbers as computing from the stored rows directly.
    expected = compute_snapshot(Asset.BTC, rows, T0)
    assert snap.windows == expected.windows


def test_steady_runs_make_one_vol_read_no_price_query_and_no_candles() -> None:
    w = world_at(T0)
    run(w, T0)
    counting = CountingStore(w.store)
    w.prices.candle_calls.clear()
    for minute in range(1, 11):
        sched = T0 + timedelta(minutes=minute)
        w.clock.set(sched + timedelta(seconds=3))
        result = collect_prices(w.deps(store=counting), sched, asset=Asset.BTC)
        assert result.outcome is Outcome.OK
    assert counting.counts["get_volatility"] == 10  # one per run
    assert "prices_between" not in counting.counts and "latest_price" not in counting.counts
    assert counting.counts["put_price"] == 10 and counting.counts["put_volatility"] == 10
    assert w.prices.candle_calls == []
    snap = w.store.get_volatility(Asset.BTC)
    rows = w.store.prices_between(Asset.BTC, T0 - timedelta(hours=3), T0 + timedelta(minutes=11))
    assert snap is not None and snap.windows == compute_snapshot(Asset.BTC, rows, snap.computed_at).windows
    assert len(snap.recent_prices) == 122  # [now - 121 min, now]


def test_downtime_gap_is_backfilled_from_candles() -> None:
    w = world_at(T0)
    run(w, T0)
    w.prices.candle_calls.clear()
    later = T0 + timedelta(minutes=37)
    result = run(w, later)
    assert result.outcome is Outcome.OK
    assert w.prices.candle_calls == [(T0 + timedelta(minutes=1), later)]
    rows = w.store.prices_between(Asset.BTC, T0, later + timedelta(minutes=1))
    assert [r.at for r in rows] == [T0 + timedelta(minutes=m) for m in range(38)]


def test_failed_backfill_still_stores_the_current_price_and_reports_it() -> None:
    w = world_at(T0)
    w.prices.fail_candles = True
    result = run(w, T0)
    assert result.outcome is Outcome.OK
    assert result.data["backfill_error"]
    assert len(w.store.prices_between(Asset.BTC, T0 - timedelta(hours=3), T0 + timedelta(minutes=1))) == 1
    snap = w.store.get_volatility(Asset.BTC)
    assert snap is not None and not snap.window(15).sufficient  # type: ignore[union-attr]


def test_a_wild_jump_is_rejected_logged_and_not_stored(caplog: object) -> None:
    w = world_at(T0)
    run(w, T0)
    w.prices.override = D(150000)  # +50 % in a minute
    sched = T0 + timedelta(minutes=1)
    result = run(w, sched)
    assert result.outcome is Outcome.ERROR and result.reason == "price_jump"
    assert w.store.prices_between(Asset.BTC, sched, sched + timedelta(minutes=1)) == []
    snap = w.store.get_volatility(Asset.BTC)
    assert snap is not None and snap.last_price == wavy(T0)


def test_non_positive_and_non_finite_prices_are_rejected() -> None:
    for bad in (D(0), D(-5), D("NaN"), D("Infinity")):
        w = world_at(T0)
        w.prices.override = bad
        result = run(w, T0)
        assert result.outcome is Outcome.ERROR and result.reason == "price_invalid", bad
        assert w.store.latest_price(Asset.BTC) is not None  # the backfill itself was fine
        assert w.store.prices_between(Asset.BTC, T0, T0 + timedelta(minutes=1)) == []


def test_a_stale_ticker_is_rejected() -> None:
    w = world_at(T0)
    w.prices.lag = timedelta(minutes=5)
    result = run(w, T0)
    assert result.reason == "price_stale"
    assert w.store.prices_between(Asset.BTC, T0, T0 + timedelta(minutes=1)) == []


def test_rerunning_a_minute_keeps_the_first_price() -> None:
    w = world_at(T0)
    run(w, T0)
    w.prices.override = wavy(T0) + 1
    again = run(w, T0)
    assert again.outcome is Outcome.OK and again.data["rows_stored"] == 0
    assert w.store.latest_price(Asset.BTC).price == wavy(T0)  # type: ignore[union-attr]
    assert w.store.get_volatility(Asset.BTC).last_price == wavy(T0)  # type: ignore[union-attr]


def test_a_late_run_never_moves_vol_latest_back_in_time() -> None:
    w = world_at(T0)
    run(w, T0 + timedelta(minutes=5))
    # A platform retry of the 12:04 run arriving at 12:05:30, after the 12:05 run finished.
    w.clock.set(T0 + timedelta(minutes=5, seconds=30))
    result = collect_prices(w.deps(), T0 + timedelta(minutes=4), asset=Asset.BTC)
    assert result.outcome is Outcome.SKIPPED
    assert w.store.get_volatility(Asset.BTC).computed_at == T0 + timedelta(minutes=5)  # type: ignore[union-attr]
