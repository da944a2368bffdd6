"""A whole UTC day through the schedule table with a manual clock: every job, in-process fakes.

(The over-HTTP version against the sandbox lives with the end-to-end tests; this one pins the job
layer: 1,440 price rows per asset, a fresh VOL/LATEST, 24 hourly decisions, cleanup, two weather runs,
reconcile settling what was traded, and a trade log whose rows all carry the spec's attributes.)
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset, Event, TradeStatus
from kalshi_bots.domain.pricing import prob_no
from kalshi_bots.entrypoints.scheduler import Scheduler

from .fakes import hourly_market, make_world

D = Decimal
DAY = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)  # includes the spring-forward transition (07:00Z)


def price_at(t: datetime) -> Decimal:
    m = (t - DAY).total_seconds() / 60
    return D(100000) + D(
        str(round(400 * math.sin(m / 90) + 35 * math.sin(m * 1.7) + 20 * math.cos(m * 0.9), 2))
    )


def build_events(data: object) -> None:
    for hour in range(24):
        decision = DAY + timedelta(hours=hour, minutes=45)
        target = hourly_target(Asset.BTC, decision)
        spot = price_at(decision)
        markets = []
        base = int(spot / 100) * 100
        for k in range(-5, 10):
            strike = D(base + 100 * k) - D("0.01")
            fair = prob_no(spot, strike, 15.0, 0.35)  # the "market" prices with more vol than we measure
            no_ask = D(str(round(min(0.99, max(0.01, fair)), 2)))
            markets.append(hourly_market(target.event_ticker, str(strike), target.close_time, str(no_ask)))
        data.add_event(Event(target.event_ticker, "KXBTCD", tuple(markets), 2))  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_simulated_day() -> None:
    w = make_world(DAY)
    w.prices.price_at = price_at
    build_events(w.data)
    outcomes: dict[JobName, Counter[str]] = {job: Counter() for job in JobName}
    # The real scheduler decides what fires (its DST rule, its default jobs); the jobs run inline here.
    scheduler = Scheduler(lambda job, at: None, w.clock)
    for minute in range(24 * 60):
        now = DAY + timedelta(minutes=minute)
        w.clock.set(now + timedelta(seconds=4))
        for job in scheduler.due(now):
            result = run_job(w.deps(), job, now)
            outcomes[job][result.outcome.value] += 1
            assert result.outcome is not Outcome.ERROR, result
    assert outcomes[JobName.COLLECT_BTC]["ok"] == 1440 and outcomes[JobName.COLLECT_ETH]["ok"] == 1440
    assert sum(outcomes[JobName.TRADE_BTC].values()) == 24
    assert outcomes[JobName.TRADE_BTC]["ok"] >= 1
    # 20:00 EST on Mar 7 = 01:00Z and 18:00 EDT on Mar 8 = 22:00Z (20:00 EDT is 00:00Z the next day).
    assert sum(outcomes[JobName.WEATHER].values()) == 2
    assert outcomes[JobName.CLEANUP]["ok"] == 24 and outcomes[JobName.RECONCILE]["ok"] == 24
    scheduler.shutdown()

    end = DAY + timedelta(days=1)
    for asset in Asset:
        rows = w.store.prices_between(asset, DAY - timedelta(days=1), end)
        # The last cleanup ran at 23:00 (cutoff 20:00:04): rows 20:01 .. 23:59 remain.
        assert rows[0].at == DAY + timedelta(hours=20, minutes=1) and len(rows) == 239
        snap = w.store.get_volatility(asset)
        assert snap is not None and snap.computed_at == end - timedelta(minutes=1)
        assert all(snap.window(m).sufficient for m in (15, 30, 60, 90, 120))  # type: ignore[union-attr]

    # Settle every traded market, reconcile once more: every row complete and settled.
    for trade in w.store.all_trades():
        w.data.update_market(trade.contract_ticker, status="finalized", result="no")
    w.clock.set(end + timedelta(minutes=5))
    assert run_job(w.deps(), JobName.RECONCILE, end + timedelta(minutes=5)).outcome is Outcome.OK
    trades = w.store.all_trades()
    assert trades and len(w.exchange.orders) == len(trades)
    for t in trades:
        assert t.status is TradeStatus.EXECUTED and t.settlement_result == "no" and t.pnl_dollars is not None
        for attr in ("contract_ticker", "side", "quantity", "price_cents", "btc_price", "strike_price"):
            assert getattr(t, attr) is not None
        assert 0 < t.model_prob <= 1 and 0 < t.market_prob < 1 and t.edge >= 0.03 and t.kelly_fraction > 0
