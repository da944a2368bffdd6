"""In-memory store for unit tests. Same contract as SQLite and DynamoDB (the contract suite runs it).

One lock guards everything, so concurrent reservations and claims behave like the conditional
writes of the real backends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.adapters.store import records as r
from kalshi_bots.domain.models import (
    Asset,
    BudgetLimits,
    BudgetReservation,
    BudgetState,
    JobRun,
    PriceTick,
    TradeRecord,
    VolatilitySnapshot,
)
from kalshi_bots.ports.errors import ConflictError, StoreError


@dataclass(slots=True)
class _Reservation:
    bot: str
    amount: Decimal  # everything ever held under the id
    released: Decimal  # everything given back
    at: datetime | None = None

    @property
    def held(self) -> Decimal:
        return self.amount - self.released


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._prices: dict[Asset, dict[datetime, Decimal]] = {a: {} for a in Asset}
        self._vol: dict[Asset, VolatilitySnapshot] = {}
        self._trades: dict[str, tuple[str, TradeRecord]] = {}  # client_order_id -> (sk, record)
        self._bot_spend: dict[tuple[date, str], Decimal] = {}
        self._global_spend: dict[date, Decimal] = {}
        self._reservations: dict[tuple[date, str], _Reservation] = {}
        self._pnl: dict[date, dict[str, Decimal]] = {}
        self._flags: dict[str, str] = {}
        self._runs: dict[tuple[str, datetime], JobRun] = {}
        self._docs: dict[str, dict[str, str]] = {}

    def init_schema(self) -> None:
        """Nothing to create."""

    # --- prices ---------------------------------------------------------------------------
    def put_price(self, tick: PriceTick) -> bool:
        minute = r.to_minute(tick.at)
        with self._lock:
            rows = self._prices[tick.asset]
            if minute in rows:
                return False
            rows[minute] = tick.price
            return True

    def prices_between(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        lo, hi = r.as_utc(start, "start"), r.as_utc(end, "end")
        with self._lock:
            rows = sorted(self._prices[asset].items())
        return [PriceTick(asset, at, price) for at, price in rows if lo <= at < hi]

    def latest_price(self, asset: Asset) -> PriceTick | None:
        with self._lock:
            rows = self._prices[asset]
            if not rows:
                return None
            at = max(rows)
            return PriceTick(asset, at, rows[at])

    def put_volatility(self, snapshot: VolatilitySnapshot) -> None:
        r.as_utc(snapshot.computed_at, "computed_at")
        with self._lock:
            self._vol[snapshot.asset] = snapshot

    def get_volatility(self, asset: Asset) -> VolatilitySnapshot | None:
        with self._lock:
            return self._vol.get(asset)

    def delete_prices_before(self, asset: Asset, cutoff: datetime) -> int:
        limit = r.as_utc(cutoff, "cutoff")
        with self._lock:
            rows = self._prices[asset]
            old = [at for at in rows if at < limit]
            for at in old:
                del rows[at]
            return len(old)

    # --- trades ---------------------------------------------------------------------------
    def put_trade(self, trade: TradeRecord) -> bool:
        sk = r.trade_sk(trade.created_at, trade.client_order_id)
        with self._lock:
            if trade.client_order_id in self._trades:
                return False
            self._trades[trade.client_order_id] = (sk, self._normalised(trade))
            return True

    def update_trade(self, trade: TradeRecord) -> None:
        with self._lock:
            found = self._trades.get(trade.client_order_id)
            if found is None:
                raise StoreError(f"update_trade: no trade with client_order_id {trade.client_order_id!r}")
            sk, old = found
            if r.as_utc(trade.created_at, "created_at") != old.created_at:
                raise ValueError(
                    f"update_trade: created_at is the sort key and cannot change "
                    f"({old.created_at.isoformat()} -> {trade.created_at.isoformat()})"
                )
            self._trades[trade.client_order_id] = (sk, self._normalised(trade))

    def get_trade(self, client_order_id: str) -> TradeRecord | None:
        with self._lock:
            found = self._trades.get(client_order_id)
        return None if found is None else found[1]

    def trades_on(self, day: date) -> list[TradeRecord]:
        prefix = r.day_prefix(day)
        return [t for sk, t in self._sorted_trades() if sk.startswith(prefix)]

    def all_trades(self) -> list[TradeRecord]:
        return [t for _, t in self._sorted_trades()]

    def open_trades(self) -> list[TradeRecord]:
        return [t for _, t in self._sorted_trades() if r.is_open(t.status.value, t.settlement_result)]

    def _sorted_trades(self) -> list[tuple[str, TradeRecord]]:
        with self._lock:
            return sorted(self._trades.values(), key=lambda pair: pair[0])

    @staticmethod
    def _normalised(trade: TradeRecord) -> TradeRecord:
        sched = trade.scheduled_for
        return replace(
            trade,
            created_at=r.as_utc(trade.created_at, "created_at"),
            scheduled_for=None if sched is None else r.as_utc(sched, "scheduled_for"),
        )

    # --- budget ---------------------------------------------------------------------------
    def reserve_budget(self, reservation: BudgetReservation, limits: BudgetLimits) -> bool:
        r.check_positive(reservation.amount, "reservation amount")
        day, bot = reservation.day, reservation.bot
        with self._lock:
            held = self._reservations.get((day, reservation.reservation_id))
            more = reservation.amount - (held.held if held is not None else Decimal(0))
            if more <= 0:
                return True
            owner = held.bot if held is not None else bot
            bot_spent = self._bot_spend.get((day, owner), Decimal(0)) + more
            all_spent = self._global_spend.get(day, Decimal(0)) + more
            if bot_spent > limits.limit_for(owner) or all_spent > limits.global_limit:
                return False
            self._move(day, reservation, more)
            return True

    def release_budget(self, reservation: BudgetReservation, amount: Decimal) -> Decimal:
        r.check_positive(amount, "released amount")
        with self._lock:
            held = self._reservations.get((reservation.day, reservation.reservation_id))
            if held is None:
                raise StoreError(
                    f"release_budget: unknown reservation {reservation.reservation_id!r} on {reservation.day}"
                )
            given = min(amount, held.held)
            if given > 0:
                self._move(reservation.day, replace(reservation, at=held.at), -given)
            return given

    def settle_budget(self, reservation: BudgetReservation) -> Decimal:
        r.check_not_negative(reservation.amount, "settled amount")
        with self._lock:
            held = self._reservations.get((reservation.day, reservation.reservation_id))
            change = reservation.amount - (held.held if held is not None else Decimal(0))
            if change != 0:
                self._move(reservation.day, reservation, change)
            return change

    def _move(self, day: date, reservation: BudgetReservation, change: Decimal) -> None:
        """Hold ``change`` more (or give back ``-change``) under the reservation; caller holds the lock."""
        key = (day, reservation.reservation_id)
        held = self._reservations.setdefault(key, _Reservation(reservation.bot, Decimal(0), Decimal(0)))
        if change >= 0:
            held.amount += change
        else:
            held.released -= change
        if reservation.at is not None:
            held.at = r.as_utc(reservation.at, "reservation time")
        self._bot_spend[(day, held.bot)] = self._bot_spend.get((day, held.bot), Decimal(0)) + change
        self._global_spend[day] = self._global_spend.get(day, Decimal(0)) + change

    def reservations(self, day: date) -> list[BudgetReservation]:
        with self._lock:
            found = [(rid, h) for (d, rid), h in self._reservations.items() if d == day]
        return [BudgetReservation(h.bot, day, h.held, rid, h.at) for rid, h in sorted(found)]

    def budget_state(self, bot: str, day: date, limits: BudgetLimits) -> BudgetState:
        with self._lock:
            spent = self._bot_spend.get((day, bot), Decimal(0))
        return BudgetState(bot=bot, day=day, limit=limits.limit_for(bot), spent=spent)

    def record_realized_pnl(self, bot: str, day: date, pnl: Decimal, key: str) -> None:
        with self._lock:
            self._pnl.setdefault(day, {}).setdefault(key, pnl)

    def realized_pnl(self, day: date) -> Decimal:
        with self._lock:
            return sum(self._pnl.get(day, {}).values(), Decimal(0))

    def get_flag(self, name: str) -> str | None:
        with self._lock:
            return self._flags.get(name)

    def set_flag(self, name: str, value: str | None) -> None:
        with self._lock:
            if value is None:
                self._flags.pop(name, None)
            else:
                self._flags[name] = value

    # --- job runs -------------------------------------------------------------------------
    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        key = (job, r.as_utc(scheduled_for, "scheduled_for"))
        at = r.as_utc(now, "now")
        with self._lock:
            held = self._runs.get(key)
            if held is not None and not r.claimable(held.outcome, held.lease_until, at):
                return False
            self._runs[key] = JobRun(job, key[1], owner, at + timedelta(seconds=lease_seconds))
            return True

    def finish_run(self, job: str, scheduled_for: datetime, owner: str, outcome: str, detail: str) -> None:
        key = (job, r.as_utc(scheduled_for, "scheduled_for"))
        with self._lock:
            held = self._runs.get(key)
            if held is None or held.owner != owner:
                raise ConflictError(f"finish_run: {job} at {key[1].isoformat()} is not held by {owner!r}")
            self._runs[key] = replace(held, outcome=outcome, detail=detail)

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        with self._lock:
            return self._runs.get((job, r.as_utc(scheduled_for, "scheduled_for")))

    def last_runs(self) -> list[JobRun]:
        latest: dict[str, JobRun] = {}
        with self._lock:
            for (job, sched), run in self._runs.items():
                if job not in latest or sched > latest[job].scheduled_for:
                    latest[job] = run
        return [latest[job] for job in sorted(latest)]

    # --- documents ------------------------------------------------------------------------
    def put_doc(self, kind: str, key: str, body: str, *, only_if_absent: bool = False) -> bool:
        with self._lock:
            docs = self._docs.setdefault(kind, {})
            if only_if_absent and key in docs:
                return False
            docs[key] = body
            return True

    def get_doc(self, kind: str, key: str) -> str | None:
        with self._lock:
            return self._docs.get(kind, {}).get(key)

    def list_docs(self, kind: str) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._docs.get(kind, {}).items())
