"""The live scorecard as the dashboard and the daily summary show it: computed from the recorder's store,
failing soft (a store that cannot be read is said, never raised), cached by the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.alert_params import AlertParams
from kalshi_bots.app.alerts import RunWatcher
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.app.scorecard_view import scorecard_view
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, StrikeQuote, Trigger
from kalshi_bots.domain.models import TRADING_BOTS, Bot, BudgetLimits
from kalshi_bots.entrypoints.dashboard_data import DashboardSource
from kalshi_bots.entrypoints.dashboard_page import TradeFilter, render_page
from kalshi_bots.ports.errors import StoreError
from kalshi_bots.ports.notifier import Alert

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 21:00 in New York, the default summary time
D = Decimal


class BrokenSnapshots:
    """The recorder's side of the store failing on every call, counting them."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        def broken(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            raise StoreError(f"{name}: table unreachable")

        return broken


class Sent:
    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.alerts.append(alert)


def record_decision(store: MemoryStore, bot: str, hours_ago: int, p_no: float, outcome: str) -> None:
    at = NOW - timedelta(hours=hours_ago)
    event = f"EV{hours_ago}"
    quote = StrikeQuote(
        f"{event}-T1",
        "greater",
        D(1),
        None,
        None,
        None,
        D("0.78"),
        D("0.82"),
        model_p_no=p_no,
        looked_at=True,
    )
    close = at + timedelta(minutes=15)
    store.put_snapshot(
        MarketSnapshot(at, at, Trigger.DECISION, bot, "paper", "KXBTCD", event, close, (quote,))
    )
    store.put_event_result(EventResult(event, "KXBTCD", close, ((quote.ticker, outcome),)))


def source(store: MemoryStore, snapshots: object, ticks: list[float]) -> DashboardSource:
    return DashboardSource(
        store=store,
        market=None,
        clock=FixedClock(NOW),
        limits=BudgetLimits(D(50), tuple((bot, D(25)) for bot in TRADING_BOTS)),
        jobs=frozenset(),
        mode="paper",
        store_label="memory",
        snapshots=snapshots,  # type: ignore[arg-type]
        monotonic=lambda: ticks[0],
    )


def test_a_failing_store_is_said_not_raised() -> None:
    view = scorecard_view(MemoryStore(), BrokenSnapshots(), now=NOW)  # type: ignore[arg-type]
    assert view.lines == () and "StoreError" in view.problem and "table unreachable" in view.problem
    assert view.words().startswith("Scorecard unavailable (StoreError: ")


def test_words_name_each_bot_with_something_recorded() -> None:
    store = MemoryStore()
    record_decision(store, Bot.BTC_HOURLY, 3, 0.95, "no")
    record_decision(store, Bot.BTC_HOURLY, 4, 0.95, "yes")
    view = scorecard_view(store, store, now=NOW, days=7)
    assert not view.empty and not view.problem
    text = view.words()
    assert text.startswith("Scorecard (last 7 days): btc-hourly 2 scored decisions, log loss model ")
    assert "P&L after fees +$0.00 on 0 settled trades" in text
    assert "weather" not in text and "eth-hourly" not in text  # nothing recorded: not worth a line
    assert scorecard_view(MemoryStore(), None, now=NOW).words().endswith("nothing recorded yet.")


def test_the_daily_summary_carries_the_scorecard_or_why_it_has_none() -> None:
    for snapshots, expected in ((None, "nothing recorded yet"), (BrokenSnapshots(), "Scorecard unavailable")):
        sent = Sent()
        params = AlertParams(summary_at=time(21, 0), no_trade_streak=0, error_streak=0)
        watch = RunWatcher(MemoryStore(), sent, params, now=lambda: NOW, snapshots=snapshots)  # type: ignore[arg-type]
        watch(JobResult(JobName.RECONCILE, NOW, Outcome.OK))
        (daily,) = [a for a in sent.alerts if a.event == "daily.summary"]
        assert expected in daily.text and "Kill switch off." in daily.text  # the rest of the summary is there


def test_the_dashboard_caches_the_scorecard_and_shows_a_failure() -> None:
    broken, ticks = BrokenSnapshots(), [0.0]
    dash = source(MemoryStore(), broken, ticks)
    page = render_page(dash.gather(), csrf="x", selected=TradeFilter())
    assert 'id="scorecard-problem"' in page and "table unreachable" in page
    calls = broken.calls
    ticks[0] = 299.0
    dash.gather()
    assert broken.calls == calls  # within the TTL: not read again
    ticks[0] = 301.0
    dash.gather()
    assert broken.calls > calls
