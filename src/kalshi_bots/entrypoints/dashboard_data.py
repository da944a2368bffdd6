"""What the dashboard shows, gathered from the store port (SQLite or DynamoDB) and public quotes.

Everything money-related comes from the one read model (:mod:`kalshi_bots.app.portfolio_view`), so the
page and ``kalshi-bots pnl --json`` cannot disagree. Quotes are cached for ``quote_ttl_s`` (a failure
too), so reloading the page does not hammer Kalshi, and an offline laptop waits for one timeout per
half minute at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from kalshi_bots.app import risk
from kalshi_bots.app.alert_state import Streak, read_streaks
from kalshi_bots.app.portfolio_view import Portfolio, QuoteBook, build_portfolio, fetch_quotes, open_tickers
from kalshi_bots.app.schedule import JobName
from kalshi_bots.app.scorecard import DEFAULT_DAYS
from kalshi_bots.app.scorecard_view import ScorecardView, scorecard_view
from kalshi_bots.domain.models import TRADING_BOTS, Asset, Bot, BudgetLimits, JobRun, VolatilitySnapshot
from kalshi_bots.entrypoints.next_runs import next_runs
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.exchange import MarketData
from kalshi_bots.ports.notifier import Notifier
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import Store


@dataclass(frozen=True, slots=True)
class BudgetRow:
    bot: str
    limit: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return max(Decimal(0), self.limit - self.spent)


@dataclass(frozen=True, slots=True)
class JobRow:
    job: str
    last: JobRun | None
    next_run: datetime | None
    streak: Streak


@dataclass(frozen=True, slots=True)
class VolRow:
    asset: Asset
    snapshot: VolatilitySnapshot | None
    age_s: float | None


@dataclass(frozen=True, slots=True)
class DashboardData:
    now: datetime
    mode: str
    store_label: str
    kill_switch: str | None
    portfolio: Portfolio
    budgets: tuple[BudgetRow, ...]
    global_budget: BudgetRow
    realized_today: Decimal
    jobs: tuple[JobRow, ...]
    vols: tuple[VolRow, ...]
    scorecard: ScorecardView


@dataclass
class DashboardSource:
    """The dashboard's view of one deployment: its store, public quotes, clock and limits."""

    store: Store
    market: MarketData | None
    clock: Clock
    limits: BudgetLimits
    jobs: frozenset[JobName]
    mode: str
    store_label: str
    notifier: Notifier | None = None
    # The recorder's store (the live scorecard's decisions); None = the trades only.
    snapshots: SnapshotStore | None = None
    scorecard_days: int = DEFAULT_DAYS
    quote_ttl_s: float = 30.0
    # The scorecard moves with decisions and settlements (hourly at most): recomputing it for every page
    # load would cost a month of reads each time on DynamoDB.
    scorecard_ttl_s: float = 300.0
    monotonic: Callable[[], float] = time.monotonic
    _quotes: tuple[float, tuple[str, ...], QuoteBook] | None = None
    _scorecard: tuple[float, ScorecardView] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def quotes(self, tickers: list[str]) -> QuoteBook:
        key = tuple(sorted(tickers))
        with self._lock:
            cached = self._quotes
            if cached is not None and cached[1] == key and self.monotonic() - cached[0] < self.quote_ttl_s:
                return cached[2]
        book = fetch_quotes(self.market, list(key))
        with self._lock:
            self._quotes = (self.monotonic(), key, book)
        return book

    def scorecard(self, now: datetime) -> ScorecardView:
        """The live scorecard up to ``now``, cached for ``scorecard_ttl_s`` (a failure too: the view
        says what went wrong, and the page is not slowed by retrying it on every load)."""
        with self._lock:
            cached = self._scorecard
            if cached is not None and self.monotonic() - cached[0] < self.scorecard_ttl_s:
                return cached[1]
        view = scorecard_view(self.store, self.snapshots, now=now, days=self.scorecard_days)
        with self._lock:
            self._scorecard = (self.monotonic(), view)
        return view

    def gather(self) -> DashboardData:
        now = self.clock.now()
        day = risk.trading_day(now)
        trades = sorted(self.store.all_trades(), key=lambda t: t.created_at)
        portfolio = build_portfolio(trades, self.quotes(open_tickers(trades)))
        budgets = tuple(self._budget(bot, day) for bot in TRADING_BOTS)
        spent = sum((b.spent for b in budgets), Decimal(0))
        return DashboardData(
            now=now,
            mode=self.mode,
            store_label=self.store_label,
            kill_switch=self.store.get_flag(risk.HALT_FLAG),
            portfolio=portfolio,
            budgets=budgets,
            global_budget=BudgetRow("all bots", self.limits.global_limit, spent),
            realized_today=self.store.realized_pnl(day),
            jobs=self._jobs(now),
            vols=tuple(self._vol(asset, now) for asset in Asset),
            scorecard=self.scorecard(now),
        )

    def _budget(self, bot: Bot, day: date) -> BudgetRow:
        state = self.store.budget_state(bot, day, self.limits)
        return BudgetRow(bot, state.limit, state.spent)

    def _jobs(self, now: datetime) -> tuple[JobRow, ...]:
        last = {run.job: run for run in self.store.last_runs()}
        streaks = read_streaks(self.store)
        upcoming = next_runs(self.jobs, now)
        names = sorted({j.value for j in self.jobs} | set(last))
        return tuple(
            JobRow(
                job=name,
                last=last.get(name),
                next_run=upcoming.get(JobName(name)) if name in JobName._value2member_map_ else None,
                streak=streaks.get(name, Streak()),
            )
            for name in names
        )

    def _vol(self, asset: Asset, now: datetime) -> VolRow:
        snapshot = self.store.get_volatility(asset)
        age = None if snapshot is None else (now - snapshot.computed_at).total_seconds()
        return VolRow(asset, snapshot, age)
