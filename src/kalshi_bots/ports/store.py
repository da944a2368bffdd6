"""The storage port: the spec's four tables, as operations the jobs need.

One protocol per concern (prices, the trade log, the budget book, flags, job runs, documents), so
each job and helper names exactly the part of the store it uses (``risk.halt(store: FlagStore, ...)``,
``cleanup`` a :class:`PriceStore`): a reader sees what a function can touch, and a test can hand it a
small fake. :class:`Store` is their union: what the
adapters implement and what ``Deps.store`` holds.

Both backends (SQLite, DynamoDB) and the in-memory fake pass the same contract suite
(``tests/contract/test_store_contract.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from kalshi_bots.domain.models import (
    Asset,
    Bot,
    BudgetLimits,
    BudgetReservation,
    BudgetState,
    JobRun,
    PriceTick,
    RunStatus,
    TradeRecord,
    VolatilitySnapshot,
)


class PriceStore(Protocol):
    """BTCPriceHistory / ETHPriceHistory: the minute prices and each asset's VOL/LATEST."""

    def put_price(self, tick: PriceTick) -> bool:
        """Store the minute's price; the sk is ``tick.at`` truncated to the minute.

        Idempotent per minute: returns False (and changes nothing) if that minute is stored."""
        ...

    def prices_between(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        """Rows with start <= at < end, ascending, every page read."""
        ...

    def latest_price(self, asset: Asset) -> PriceTick | None: ...

    def put_volatility(self, snapshot: VolatilitySnapshot) -> None: ...

    def get_volatility(self, asset: Asset) -> VolatilitySnapshot | None: ...

    def delete_prices_before(self, asset: Asset, cutoff: datetime) -> int:
        """Delete price rows strictly older than ``cutoff``; returns how many."""
        ...


class TradeLog(Protocol):
    """BTCTradeLog: one row per order, keyed by its client_order_id."""

    def put_trade(self, trade: TradeRecord) -> bool:
        """Insert keyed by client_order_id. Returns False if that id is already logged."""
        ...

    def update_trade(self, trade: TradeRecord) -> None:
        """Replace the row with the same client_order_id (must exist)."""
        ...

    def get_trade(self, client_order_id: str) -> TradeRecord | None: ...

    def trades_on(self, day: date) -> list[TradeRecord]:
        """Trades whose sk starts with the UTC date (the spec's begins_with(sk, date))."""
        ...

    def all_trades(self) -> list[TradeRecord]: ...

    def open_trades(self) -> list[TradeRecord]:
        """Trades not yet settled (pending, or executed without a settlement result)."""
        ...


class BudgetBook(Protocol):
    """KalshiTradingBudget: each bot's daily spend (as reservations) and the day's realized P&L.

    A reservation is identified by its id *and* amount; what it holds moves the bot's and the global
    spend of its day one for one. Every method is atomic against concurrent callers."""

    def reserve_budget(self, reservation: BudgetReservation, limits: BudgetLimits) -> bool:
        """Make the reservation hold at least ``amount``. False = refused, nothing changed.

        New id: hold ``amount`` if the bot's and the global spend stay within their limits. Existing
        id holding H: ``amount <= H`` -> True, nothing changes (a smaller ask never shrinks what is
        held); ``amount > H`` -> hold only the difference more, under the same limits. ``amount`` must
        be positive. ``at`` (if given) is kept as the reservation's latest time."""
        ...

    def release_budget(self, reservation: BudgetReservation, amount: Decimal) -> Decimal:
        """Give back up to ``amount`` (> 0) of what the reservation still holds and return what was
        given back: never more than it holds, so spend cannot drop below the other reservations.
        StoreError if the reservation does not exist."""
        ...

    def settle_budget(self, reservation: BudgetReservation) -> Decimal:
        """Make the reservation hold exactly ``amount`` (>= 0): what the exchange says the order spent.

        Creates it if missing. No limit check: it records money already spent, which refusing would
        only hide. Returns the change in spend (positive: held more; negative: given back)."""
        ...

    def reservations(self, day: date) -> list[BudgetReservation]:
        """The day's reservations, ``amount`` = what each holds now, ordered by reservation_id."""
        ...

    def budget_state(self, bot: Bot, day: date, limits: BudgetLimits) -> BudgetState: ...

    def record_realized_pnl(self, bot: Bot, day: date, pnl: Decimal, key: str) -> None:
        """Add realized P&L for the day, idempotent per ``key`` (e.g. the settled ticker)."""
        ...

    def realized_pnl(self, day: date) -> Decimal:
        """Total realized P&L of all bots for the day (negative = loss)."""
        ...


class FlagStore(Protocol):
    """Control flags (the kill switch ``halt``), kept in the budget table."""

    def get_flag(self, name: str) -> str | None: ...

    def set_flag(self, name: str, value: str | None) -> None: ...


class RunLog(Protocol):
    """Job runs (kept in the budget table as pk=JOBRUN): the claim that makes a run happen once."""

    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        """Claim a scheduled run. False if another owner holds an unexpired lease or it finished.

        Exception: a run finished with outcome :attr:`RunStatus.ERROR_TRANSIENT` (``error-transient``:
        it failed on a timeout/5xx/store hiccup before doing anything irreversible) may be claimed again,
        so a platform retry of the same scheduled run can proceed. Every other outcome is final."""
        ...

    def finish_run(
        self, job: str, scheduled_for: datetime, owner: str, outcome: RunStatus, detail: str
    ) -> None: ...

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        """One scheduled run's record (None if it was never claimed): tells a refused claim whether the
        run is in progress, done, or failed (a platform retry of a failed run must fail again)."""
        ...

    def last_runs(self) -> list[JobRun]:
        """The most recent run of each job."""
        ...


class DocStore(Protocol):
    """Small JSON documents by (kind, key): the paper exchange's wallet and orders, the sandbox's clock,
    and the app's typed shelves (:mod:`kalshi_bots.app.shelves`: position claims, alert state)."""

    def put_doc(self, kind: str, key: str, body: str, *, only_if_absent: bool = False) -> bool:
        """Store a JSON text under (kind, key). With ``only_if_absent``, False if it exists."""
        ...

    def get_doc(self, kind: str, key: str) -> str | None: ...

    def list_docs(self, kind: str) -> list[tuple[str, str]]:
        """All (key, body) of a kind, ordered by key."""
        ...


class Store(PriceStore, TradeLog, BudgetBook, FlagStore, RunLog, DocStore, Protocol):
    """The whole store: every backend implements it; ``Deps.store`` is one."""

    def init_schema(self) -> None:
        """Create tables if missing. Idempotent."""
        ...
