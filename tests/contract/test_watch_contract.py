"""The operator console's reads on every backend (memory, SQLite, DynamoDB Local): the positions/P&L
read model, the alert watcher's state and the dashboard's page, from the same Store port."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.app.alert_params import AlertParams
from kalshi_bots.app.alerts import RunWatcher, read_streaks
from kalshi_bots.app.portfolio_view import load_portfolio
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.models import BudgetLimits, Mode, TradeRecord, TradeStatus
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.entrypoints.dashboard_data import DashboardSource
from kalshi_bots.entrypoints.dashboard_page import TradeFilter, render_page
from kalshi_bots.ports.notifier import Alert

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
BASE = TradeRecord(
    created_at=NOW - timedelta(hours=3),
    client_order_id="c1",
    bot="btc-hourly",
    mode=Mode.PAPER,
    contract_ticker="KXBTCD-26MAR1015-T96499.99",
    side=Side.NO,
    quantity=5,
    price_cents=Decimal(81),
    btc_price=Decimal(96000),
    strike_price=Decimal("96499.99"),
    model_prob=0.86,
    market_prob=0.81,
    edge=0.039,
    kelly_fraction=0.1,
    status=TradeStatus.EXECUTED,
    fill_count=Decimal(5),
    fees_dollars=Decimal("0.06"),
)


class Sent:
    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.alerts.append(alert)


def test_read_model_watcher_state_and_page_on_every_backend(store):
    store.put_trade(replace(BASE, settlement_result="yes", pnl_dollars=Decimal("-4.11")))
    store.put_trade(
        replace(BASE, client_order_id="c2", created_at=NOW - timedelta(hours=1), contract_ticker="KXBTCD-T2")
    )
    portfolio = load_portfolio(store, None)
    assert portfolio.pnl.total.net == Decimal("-4.11") and len(portfolio.positions) == 1

    sent = Sent()
    watch = RunWatcher(store, sent, AlertParams(summary_at=None, error_streak=2), now=lambda: NOW)
    for minute in (0, 1):
        watch(JobResult("reconcile", NOW + timedelta(minutes=minute), Outcome.ERROR, "partial"))
    assert [a.event for a in sent.alerts] == ["job.error", "job.error_streak"]
    assert read_streaks(store)["reconcile"].count == 2

    source = DashboardSource(
        store=store,
        market=None,
        clock=FixedClock(NOW),
        limits=BudgetLimits(Decimal(50), (("btc-hourly", Decimal(25)),)),
        jobs=frozenset({JobName.RECONCILE}),
        mode="paper",
        store_label=type(store).__name__,
    )
    data = source.gather()
    assert data.portfolio.pnl.total.net == Decimal("-4.11")
    assert [(j.job, j.streak.count) for j in data.jobs] == [("reconcile", 2)]
    page = render_page(data, csrf="x", selected=TradeFilter())
    assert 'id="pnl-all-net">−$4.11<' in page and 'data-coid="c2"' in page and "2 error" in page


def test_a_stored_scorecard_is_shown_and_its_absence_said(store):
    import json

    from kalshi_bots.app.scorecard_view import DOC_KEY, DOC_KIND, latest_scorecard

    assert latest_scorecard(store) is None
    rows = [{"label": "btc-hourly", "model": 0.302, "market": 0.306, "n": 412}]
    store.put_doc(DOC_KIND, DOC_KEY, json.dumps({"generated_at": "2026-03-10T21:00:00+00:00", "rows": rows,
                                                 "metric": "log loss (lower is better)"}))  # fmt: skip
    card = latest_scorecard(store)
    assert card is not None and card.rows == tuple(rows) and card.metric.startswith("log loss")
