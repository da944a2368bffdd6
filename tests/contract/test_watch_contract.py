"""The operator console's reads on every backend (memory, SQLite, DynamoDB Local): the positions/P&L
read model, the alert watcher's state, the dashboard's page and the live scorecard it shows, from the
same Store port (and the recorder's SnapshotStore port beside it)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.app.alert_params import AlertParams
from kalshi_bots.app.alert_state import read_streaks
from kalshi_bots.app.alerts import RunWatcher
from kalshi_bots.app.portfolio_view import load_portfolio
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.domain.market_snapshot import (
    EventResult,
    MarketSnapshot,
    StrikeQuote,
    TradeDecision,
    Trigger,
)
from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import TRADING_BOTS, Bot, BudgetLimits, Mode, Side, TradeRecord, TradeStatus
from kalshi_bots.domain.reasons import ErrorReason
from kalshi_bots.entrypoints.dashboard_data import DashboardSource
from kalshi_bots.entrypoints.dashboard_page import TradeFilter, render_page
from kalshi_bots.ports.notifier import Alert

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
BASE = TradeRecord(
    created_at=NOW - timedelta(hours=3),
    client_order_id="c1",
    bot=Bot.BTC_HOURLY,
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
        watch(
            JobResult(JobName.RECONCILE, NOW + timedelta(minutes=minute), Outcome.ERROR, ErrorReason.PARTIAL)
        )
    assert [a.event for a in sent.alerts] == ["job.error", "job.error_streak"]
    assert read_streaks(store)["reconcile"].count == 2

    source = DashboardSource(
        store=store,
        market=None,
        clock=FixedClock(NOW),
        limits=BudgetLimits(Decimal(50), tuple((bot, Decimal(25)) for bot in TRADING_BOTS)),
        jobs=frozenset({JobName.RECONCILE}),
        mode="paper",
        store_label=type(store).__name__,
    )
    data = source.gather()
    assert data.portfolio.pnl.total.net == Decimal("-4.11")
    assert [(j.job, j.streak.count) for j in data.jobs] == [("reconcile", 2)]
    page = render_page(data, csrf="x", selected=TradeFilter())
    assert 'id="pnl-all-net">−$4.11<' in page and 'data-coid="c2"' in page and "2 error" in page


def test_the_live_scorecard_on_the_page_and_in_the_daily_summary(store):
    """The dashboard's "Model vs market" card and the daily summary read the real scorecard
    (app/scorecard.py) from each backend: empty says so; a settled decision and trade show up."""
    sent = Sent()
    summary = AlertParams(summary_at=NOW.astimezone(NEW_YORK).time(), no_trade_streak=0, error_streak=0)
    source = DashboardSource(
        store=store,
        market=None,
        clock=FixedClock(NOW),
        limits=BudgetLimits(Decimal(50), tuple((bot, Decimal(25)) for bot in TRADING_BOTS)),
        jobs=frozenset(),
        mode="paper",
        store_label=type(store).__name__,
        snapshots=store,
        scorecard_ttl_s=0.0,  # recomputed on every gather here
    )
    empty = source.gather()
    assert empty.scorecard.empty and not empty.scorecard.problem
    assert 'id="scorecard-empty"' in render_page(empty, csrf="x", selected=TradeFilter())

    decided = NOW - timedelta(hours=3, minutes=15)
    close = decided + timedelta(minutes=15)
    looked = StrikeQuote(
        "KXBTCD-26MAR1015-T96499.99", "greater", Decimal("96499.99"), None,
        Decimal("0.18"), Decimal("0.20"), Decimal("0.80"), Decimal("0.82"),
        model_p_no=0.86, looked_at=True,
    )  # fmt: skip
    store.put_snapshot(
        MarketSnapshot(
            decided, decided, Trigger.DECISION, Bot.BTC_HOURLY, "paper", "KXBTCD", "KXBTCD-26MAR1015", close,
            (looked,), decision=TradeDecision.TRADE,
        )
    )  # fmt: skip
    store.put_event_result(EventResult("KXBTCD-26MAR1015", "KXBTCD", close, ((looked.ticker, "no"),)))
    store.put_trade(replace(BASE, settlement_result="no", pnl_dollars=Decimal("0.89")))

    data = source.gather()
    (btc,) = [line for line in data.scorecard.lines if line.bot == "btc-hourly"]
    assert (btc.decisions, btc.contracts, btc.trades) == (1, 1, 1)
    assert btc.model_log_loss == pytest.approx(-math.log(0.86))
    assert btc.market_log_loss == pytest.approx(-math.log(0.81))  # the NO bid-ask mid
    assert btc.realized_pnl == Decimal("0.89")
    page = render_page(data, csrf="x", selected=TradeFilter())
    assert 'id="scorecard-empty"' not in page
    table = re.search(r'<table id="scorecard">.*?</table>', page)
    assert table is not None
    row = re.search(r'<tr data-bot="btc-hourly">.*?</tr>', table.group(0))
    assert row is not None
    assert 'data-col="decisions">1/1<' in row.group(0) and 'data-col="pnl">+$0.89<' in row.group(0)

    watch = RunWatcher(store, sent, summary, now=lambda: NOW, snapshots=store)
    watch(JobResult(JobName.RECONCILE, NOW, Outcome.OK))
    (daily,) = [a for a in sent.alerts if a.event == "daily.summary"]
    assert "Scorecard (last 30 days): btc-hourly 1 scored decisions, log loss model 0.1508" in daily.text
    assert daily.fields["scorecard"]["bots"][0]["decisions"] == 1
