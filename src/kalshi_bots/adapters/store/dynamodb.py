"""DynamoDB backend: the spec's four tables (key layout in :mod:`.records`).

Costs were designed in (see ``bench/bench_store_costs.py``): a collector run reads one item (VOL,
< 1 KB, packed window) and writes two (PRICE + VOL); old prices and job-run rows expire by TTL;
``BTCTradeLog`` holds trades only, idempotency and the open-trade index live in the budget table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.dynamodb_io import (
    CapacityMeter,
    ConditionFailedError,
    DynamoIO,
    key,
    to_wire,
    values,
)
from kalshi_bots.adapters.store.dynamodb_tables import init_tables
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, RecordedEvent, Trigger
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
    TradeStatus,
    VolatilitySnapshot,
)
from kalshi_bots.ports.errors import ConflictError, StoreError

NOT_EXISTS = "attribute_not_exists(pk)"
RESERVATION_TRIES = 20  # optimistic retries when concurrent calls keep changing one reservation
MARKED_EVENTS_KEPT = 256  # recorded-event markers this process remembers having written


def _decimal(item: codec.Item, name: str) -> Decimal:
    return Decimal(str(item[name]))


def _held(item: codec.Item | None) -> Decimal:
    """What a reservation item holds now (nothing if there is no item)."""
    return Decimal(0) if item is None else _decimal(item, "amount") - _decimal(item, "released")


class DynamoStore:
    def __init__(
        self,
        *,
        client: Any = None,
        tables: TableNames | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        page_size: int | None = None,
        price_ttl: timedelta = r.PRICE_TTL,
        jobrun_ttl: timedelta = r.JOBRUN_TTL,
        snapshot_ttl: timedelta = sc.SNAPSHOT_TTL,
        meter: CapacityMeter | None = None,
    ) -> None:
        if client is None:
            # Imported here, not at module load, so the SQLite path never pays for botocore.
            # endpoint_url None lets botocore honour AWS_ENDPOINT_URL_DYNAMODB itself.
            from kalshi_bots.adapters.aws_session import aws_client

            client = aws_client("dynamodb", region=region, endpoint_url=endpoint_url)
        self.tables = tables or TableNames()
        # TTLs count from the row's own time (price minute, scheduled run). Tests that write fixed
        # past dates pass long TTLs: DynamoDB Local really does expire items within seconds.
        self.price_ttl = price_ttl
        self.jobrun_ttl = jobrun_ttl
        self.snapshot_ttl = snapshot_ttl
        self.io = DynamoIO(client, page_size=page_size, meter=meter)
        # Event markers already written by this process (a warm Lambda container records the same
        # event 15 times an hour): skipping the repeat saves one write unit per snapshot.
        self._marked: dict[str, None] = {}

    def init_schema(self) -> None:
        init_tables(self.io, self.tables)

    # --- prices ---------------------------------------------------------------------------
    def put_price(self, tick: PriceTick) -> bool:
        return self.io.put(self.tables.prices(tick.asset), codec.price_item(tick, self.price_ttl), NOT_EXISTS)

    def prices_between(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        bounds = r.price_sk_range(start, end)
        if bounds is None:
            return []
        rows = self.io.query(
            self.tables.prices(asset),
            "pk = :pk AND sk BETWEEN :a AND :b",
            pk=r.PRICE_PK,
            a=bounds[0],
            b=bounds[1],
        )
        return [codec.item_to_price(asset, item) for item in rows]

    def latest_price(self, asset: Asset) -> PriceTick | None:
        rows = self.io.query(self.tables.prices(asset), "pk = :pk", forward=False, limit=1, pk=r.PRICE_PK)
        return next((codec.item_to_price(asset, item) for item in rows), None)

    def put_volatility(self, snapshot: VolatilitySnapshot) -> None:
        self.io.put(self.tables.prices(snapshot.asset), codec.vol_item(snapshot))

    def get_volatility(self, asset: Asset) -> VolatilitySnapshot | None:
        item = self.io.get(self.tables.prices(asset), r.VOL_PK, r.VOL_SK)
        return None if item is None else codec.item_to_vol(asset, item)

    def delete_prices_before(self, asset: Asset, cutoff: datetime) -> int:
        """Paid deletes of the rows TTL has not removed yet (with TTL keeping up: none; see the bench)."""
        table = self.tables.prices(asset)
        rows = self.io.query(table, "pk = :pk AND sk < :cut", pk=r.PRICE_PK, cut=r.price_sk_before(cutoff))
        keys = [(r.PRICE_PK, str(item["sk"])) for item in rows]
        self.io.delete_keys(table, keys)
        return len(keys)

    # --- trades ---------------------------------------------------------------------------
    def _trade_writes(self, item: codec.Item, *, new: bool) -> list[dict[str, Any]]:
        """The trade put plus its open-trade index entry (added while open, removed once settled)."""
        sk = str(item["sk"])
        put: dict[str, Any] = {"TableName": self.tables.trades, "Item": to_wire(item)}
        put["ConditionExpression"] = NOT_EXISTS if new else "attribute_exists(pk)"
        writes: list[dict[str, Any]] = [{"Put": put}]
        settled = item.get("settlement_result")
        status = TradeStatus(str(item["status"]))  # trade_item wrote it from a TradeStatus
        if r.is_open(status, None if settled is None else str(settled)):
            index = {"pk": r.OPEN_TRADE_PK, "sk": sk, "client_order_id": item["client_order_id"]}
            writes.append({"Put": {"TableName": self.tables.budget, "Item": to_wire(index)}})
        elif not new:
            writes.append({"Delete": {"TableName": self.tables.budget, "Key": key(r.OPEN_TRADE_PK, sk)}})
        return writes

    def put_trade(self, trade: TradeRecord) -> bool:
        item = codec.trade_item(trade)
        marker = {"pk": r.order_pk(trade.client_order_id), "sk": r.ORDER_SK, "trade_sk": item["sk"]}
        marker_put = {
            "TableName": self.tables.budget,
            "Item": to_wire(marker),
            "ConditionExpression": NOT_EXISTS,
        }
        try:
            self.io.transact([{"Put": marker_put}, *self._trade_writes(item, new=True)])
        except ConditionFailedError as exc:
            if exc.reasons and exc.reasons[0] == "ConditionalCheckFailed":
                return False  # this client_order_id is logged already
            raise StoreError(f"put_trade {trade.client_order_id!r}: refused ({exc})") from None
        return True

    def _trade_sk(self, client_order_id: str) -> str | None:
        marker = self.io.get(self.tables.budget, r.order_pk(client_order_id), r.ORDER_SK)
        return None if marker is None else str(marker["trade_sk"])

    def update_trade(self, trade: TradeRecord) -> None:
        item = codec.trade_item(trade)
        sk = self._trade_sk(trade.client_order_id)
        if sk is None:
            raise StoreError(f"update_trade: no trade with client_order_id {trade.client_order_id!r}")
        if sk != item["sk"]:
            raise ValueError(f"update_trade: created_at is the sort key and cannot change ({sk})")
        try:
            self.io.transact(self._trade_writes(item, new=False))
        except ConditionFailedError as exc:
            raise StoreError(f"update_trade {trade.client_order_id!r}: trade row missing ({exc})") from None

    def get_trade(self, client_order_id: str) -> TradeRecord | None:
        sk = self._trade_sk(client_order_id)
        item = None if sk is None else self.io.get(self.tables.trades, r.TRADE_PK, sk)
        return None if item is None else codec.item_to_trade(item)

    def trades_on(self, day: date) -> list[TradeRecord]:
        rows = self.io.query(
            self.tables.trades, "pk = :pk AND begins_with(sk, :day)", pk=r.TRADE_PK, day=r.day_prefix(day)
        )
        return [codec.item_to_trade(item) for item in rows]

    def all_trades(self) -> list[TradeRecord]:
        return [
            codec.item_to_trade(item) for item in self.io.query(self.tables.trades, "pk = :pk", pk=r.TRADE_PK)
        ]

    def open_trades(self) -> list[TradeRecord]:
        out: list[TradeRecord] = []
        for entry in self.io.query(self.tables.budget, "pk = :pk", pk=r.OPEN_TRADE_PK):
            item = self.io.get(self.tables.trades, r.TRADE_PK, str(entry["sk"]))
            if item is not None:
                trade = codec.item_to_trade(item)
                if r.is_open(trade.status, trade.settlement_result):
                    out.append(trade)
        return out

    # --- budget ---------------------------------------------------------------------------
    def _spend_update(self, pk: str, sk: str, amount: Decimal, cap: Decimal | None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.tables.budget,
            "Key": key(pk, sk),
            "UpdateExpression": "ADD #spent :amount",
            "ExpressionAttributeNames": {"#spent": "spent"},
            "ExpressionAttributeValues": values(amount=amount),
        }
        if cap is not None:  # spend + amount <= limit, written as spent <= limit - amount
            update["ConditionExpression"] = "attribute_not_exists(#spent) OR #spent <= :cap"
            update["ExpressionAttributeValues"] = values(amount=amount, cap=cap)
        return {"Update": update}

    def reserve_budget(self, reservation: BudgetReservation, limits: BudgetLimits) -> bool:
        r.check_positive(reservation.amount, "reservation amount")
        pk = r.budget_pk(reservation.day)
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            more = reservation.amount - _held(held)
            if more <= 0:
                return True
            bot = reservation.bot if held is None else _bot(held)
            bot_limit = limits.limit_for(bot)
            if more > bot_limit or more > limits.global_limit:
                return False
            try:
                self.io.transact(
                    [
                        self._reservation_write(reservation, held, more),
                        self._spend_update(pk, r.bot_sk(bot), more, bot_limit - more),
                        self._spend_update(pk, r.GLOBAL_SK, more, limits.global_limit - more),
                    ]
                )
            except ConditionFailedError as exc:
                if exc.reasons and exc.reasons[0] == "ConditionalCheckFailed":
                    continue  # a concurrent call changed this reservation: read it again
                return False  # a limit would be exceeded
            return True
        raise ConflictError(f"reserve_budget: {reservation.reservation_id!r} kept changing under us")

    def release_budget(self, reservation: BudgetReservation, amount: Decimal) -> Decimal:
        r.check_positive(amount, "released amount")
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            if held is None:
                raise StoreError(
                    f"release_budget: unknown reservation {reservation.reservation_id!r} on {reservation.day}"
                )
            given = min(amount, _held(held))
            if given <= 0 or self._try_move(replace(reservation, at=None), held, -given):
                return given
        raise ConflictError(f"release_budget: {reservation.reservation_id!r} kept changing under us")

    def settle_budget(self, reservation: BudgetReservation) -> Decimal:
        r.check_not_negative(reservation.amount, "settled amount")
        for _ in range(RESERVATION_TRIES):
            held = self._reservation_item(reservation)
            change = reservation.amount - _held(held)
            if change == 0 or self._try_move(reservation, held, change):
                return change
        raise ConflictError(f"settle_budget: {reservation.reservation_id!r} kept changing under us")

    def reservations(self, day: date) -> list[BudgetReservation]:
        rows = self.io.query(
            self.tables.budget, "pk = :pk AND begins_with(sk, :res)", pk=r.budget_pk(day), res="RES#"
        )
        return [
            BudgetReservation(
                _bot(item),
                day,
                _held(item),
                r.reservation_id_from_sk(str(item["sk"])),
                None if "reserved_at" not in item else r.parse_iso(str(item["reserved_at"]), "reserved_at"),
            )
            for item in rows
        ]

    def _reservation_item(self, reservation: BudgetReservation) -> codec.Item | None:
        return self.io.get(
            self.tables.budget, r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        )

    def _try_move(self, reservation: BudgetReservation, held: codec.Item | None, change: Decimal) -> bool:
        """Hold ``change`` more (or give back ``-change``), no limit; False if the reservation changed
        since ``held`` was read (the caller reads again)."""
        pk = r.budget_pk(reservation.day)
        bot = reservation.bot if held is None else _bot(held)
        try:
            self.io.transact(
                [
                    self._reservation_write(reservation, held, change),
                    self._spend_update(pk, r.bot_sk(bot), change, None),
                    self._spend_update(pk, r.GLOBAL_SK, change, None),
                ]
            )
        except ConditionFailedError:
            return False
        return True

    def _reservation_write(
        self, reservation: BudgetReservation, held: codec.Item | None, change: Decimal
    ) -> dict[str, Any]:
        """The reservation item's write, conditional on it being exactly as read (optimistic lock)."""
        pk, rsk = r.budget_pk(reservation.day), r.reservation_sk(reservation.reservation_id)
        add, give = max(change, Decimal(0)), max(-change, Decimal(0))
        at = None if reservation.at is None else r.iso_micro(reservation.at, "reservation time")
        if held is None:
            item: codec.Item = {
                "pk": pk,
                "sk": rsk,
                "bot": reservation.bot.value,
                "amount": add,
                "released": give,
            }
            if at is not None:
                item["reserved_at"] = at
            put = {"TableName": self.tables.budget, "Item": to_wire(item), "ConditionExpression": NOT_EXISTS}
            return {"Put": put}
        amount, released = _decimal(held, "amount"), _decimal(held, "released")
        update: dict[str, Any] = {
            "TableName": self.tables.budget,
            "Key": key(pk, rsk),
            "UpdateExpression": "SET #amount = :amount, #released = :released",
            "ConditionExpression": "#amount = :old_amount AND #released = :old_released",
            "ExpressionAttributeNames": {"#amount": "amount", "#released": "released"},
        }
        named: dict[str, codec.Value] = {
            "amount": amount + add,
            "released": released + give,
            "old_amount": amount,
            "old_released": released,
        }
        if at is not None:
            update["UpdateExpression"] += ", #at = :at"
            update["ExpressionAttributeNames"]["#at"] = "reserved_at"
            named["at"] = at
        update["ExpressionAttributeValues"] = values(**named)
        return {"Update": update}

    def budget_state(self, bot: Bot, day: date, limits: BudgetLimits) -> BudgetState:
        item = self.io.get(self.tables.budget, r.budget_pk(day), r.bot_sk(bot))
        spent = Decimal(0) if item is None else Decimal(item.get("spent", 0))  # type: ignore[arg-type]
        return BudgetState(bot=bot, day=day, limit=limits.limit_for(bot), spent=spent)

    def record_realized_pnl(self, bot: Bot, day: date, pnl: Decimal, key: str) -> None:
        item: codec.Item = {
            "pk": r.pnl_pk(day),
            "sk": key,
            "bot": bot.value,
            "pnl": codec.decimal_number(pnl, "pnl"),
        }
        self.io.put(self.tables.budget, item, NOT_EXISTS)

    def realized_pnl(self, day: date) -> Decimal:
        rows = self.io.query(self.tables.budget, "pk = :pk", pk=r.pnl_pk(day))
        return sum((Decimal(item["pnl"]) for item in rows), Decimal(0))  # type: ignore[arg-type]

    def get_flag(self, name: str) -> str | None:
        item = self.io.get(self.tables.budget, r.FLAG_PK, name)
        return None if item is None else str(item["value"])

    def set_flag(self, name: str, value: str | None) -> None:
        if value is None:
            self.io.call("DeleteItem", TableName=self.tables.budget, Key=key(r.FLAG_PK, name))
        else:
            self.io.put(self.tables.budget, {"pk": r.FLAG_PK, "sk": name, "value": value})

    # --- job runs -------------------------------------------------------------------------
    def claim_run(
        self, job: str, scheduled_for: datetime, owner: str, now: datetime, lease_seconds: int
    ) -> bool:
        at = r.as_utc(now, "now")
        item: codec.Item = {
            "pk": r.JOBRUN_PK,
            "sk": r.jobrun_sk(job, scheduled_for),
            "owner": owner,
            "lease_until": r.iso_micro(at + timedelta(seconds=lease_seconds), "lease_until"),
            "outcome": RunStatus.RUNNING.value,
            "detail": "",
            "expires_at": r.jobrun_expires_at(scheduled_for, self.jobrun_ttl),
        }
        # Free, retryable, or still running with a lapsed lease (fixed-width ISO strings compare as
        # times): records.claimable as a condition expression.
        condition = (
            "attribute_not_exists(pk) OR #outcome = :retry OR (#outcome = :running AND #lease <= :now)"
        )
        return self.io.put(
            self.tables.budget,
            item,
            condition,
            names={"#outcome": "outcome", "#lease": "lease_until"},
            running=RunStatus.RUNNING.value,
            retry=r.RETRYABLE_OUTCOME.value,
            now=r.iso_micro(at, "now"),
        )

    def finish_run(
        self, job: str, scheduled_for: datetime, owner: str, outcome: RunStatus, detail: str
    ) -> None:
        sk = r.jobrun_sk(job, scheduled_for)
        try:
            self.io.call(
                "UpdateItem",
                TableName=self.tables.budget,
                Key=key(r.JOBRUN_PK, sk),
                UpdateExpression="SET #outcome = :outcome, #detail = :detail",
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner", "#outcome": "outcome", "#detail": "detail"},
                ExpressionAttributeValues=values(outcome=outcome.value, detail=detail, owner=owner),
            )
        except ConditionFailedError:
            raise ConflictError(f"finish_run: {sk} is not held by {owner!r}") from None

    def get_run(self, job: str, scheduled_for: datetime) -> JobRun | None:
        item = self.io.get(self.tables.budget, r.JOBRUN_PK, r.jobrun_sk(job, scheduled_for))
        return None if item is None else _job_run(item)

    def last_runs(self) -> list[JobRun]:
        """Skip from job to job: the newest row under ``<job>#`` then the first row after it."""
        runs: list[JobRun] = []
        after = ""
        table = self.tables.budget
        while True:
            first = (
                self.io.query(table, "pk = :pk AND sk > :after", limit=1, pk=r.JOBRUN_PK, after=after)
                if after
                else self.io.query(table, "pk = :pk", limit=1, pk=r.JOBRUN_PK)
            )
            nxt = next(first, None)
            if nxt is None:
                return runs
            job = str(nxt["sk"]).split("#", 1)[0]
            newest = self.io.query(
                table,
                "pk = :pk AND begins_with(sk, :job)",
                forward=False,
                limit=1,
                pk=r.JOBRUN_PK,
                job=job + "#",
            )
            runs.append(_job_run(next(newest, nxt)))
            after = job + "$"  # "$" follows "#": skips every "<job>#..." row

    # --- documents ------------------------------------------------------------------------
    def put_doc(self, kind: str, key: str, body: str, *, only_if_absent: bool = False) -> bool:
        item: codec.Item = {"pk": r.doc_pk(kind), "sk": key, "body": body}
        return self.io.put(self.tables.budget, item, NOT_EXISTS if only_if_absent else None)

    def get_doc(self, kind: str, key: str) -> str | None:
        item = self.io.get(self.tables.budget, r.doc_pk(kind), key)
        return None if item is None else str(item["body"])

    def list_docs(self, kind: str) -> list[tuple[str, str]]:
        rows = self.io.query(self.tables.budget, "pk = :pk", pk=r.doc_pk(kind))
        return [(str(item["sk"]), str(item["body"])) for item in rows]

    # --- market recorder (ports.snapshots.SnapshotStore) -----------------------------------
    def put_snapshot(self, snapshot: MarketSnapshot) -> bool:
        """Single-item puts, not a transaction (which would bill twice): the event marker first
        (conditional: it never overwrites a result), then the snapshot's items (conditional: idempotent)."""
        items = sc.snapshot_items(snapshot, self.snapshot_ttl)
        marker = sc.event_item(sc.recorded_event(snapshot), ttl=self.snapshot_ttl)
        marker_sk = str(marker["sk"])
        if marker_sk not in self._marked:
            self.io.put(self.tables.budget, marker, NOT_EXISTS)
            self._marked[marker_sk] = None
            if len(self._marked) > MARKED_EVENTS_KEPT:
                del self._marked[next(iter(self._marked))]
        return [self.io.put(self.tables.budget, item, NOT_EXISTS) for item in items][-1]

    def snapshots_between(
        self, start: datetime, end: datetime, trigger: Trigger | None = None
    ) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        found: list[tuple[str, str, MarketSnapshot]] = []
        for kind in [trigger] if trigger is not None else list(Trigger):
            rows = self.io.query(
                self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=sc.snapshot_pk(kind), a=lo, b=hi
            )
            found += [(str(item["sk"]), kind.value, sc.item_to_snapshot(item)) for item in rows]
        return [snap for _, _, snap in sorted(found, key=lambda t: (t[0], t[1]))]

    def decisions_between(self, start: datetime, end: datetime) -> list[MarketSnapshot]:
        lo, hi = sc.time_bounds(start, end)
        pk = sc.snapshot_pk(sc.LOOKED)
        rows = self.io.query(self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=pk, a=lo, b=hi)
        return [sc.item_to_snapshot(item) for item in rows]

    def unsettled_events(self, closed_from: datetime, closed_before: datetime) -> list[RecordedEvent]:
        return [event for event, result in self._events(closed_from, closed_before) if result is None]

    def put_event_result(self, result: EventResult) -> None:
        event = RecordedEvent(result.event_ticker, result.series_ticker, result.close_time)
        self.io.put(self.tables.budget, sc.event_item(event, result, self.snapshot_ttl))

    def event_results(self, closed_from: datetime, closed_before: datetime) -> list[EventResult]:
        return [result for _, result in self._events(closed_from, closed_before) if result is not None]

    def _events(
        self, closed_from: datetime, closed_before: datetime
    ) -> list[tuple[RecordedEvent, EventResult | None]]:
        lo, hi = sc.time_bounds(closed_from, closed_before)
        rows = self.io.query(
            self.tables.budget, "pk = :pk AND sk BETWEEN :a AND :b", pk=r.SNAPEVENT_PK, a=lo, b=hi
        )
        return [sc.item_to_event(item) for item in rows]


def _bot(item: codec.Item) -> Bot:
    return codec.bot_of(str(item["bot"]), f"budget item {item['sk']!s}")


def _job_run(item: codec.Item) -> JobRun:
    job, sched = str(item["sk"]).split("#", 1)
    return JobRun(
        job=job,
        scheduled_for=r.parse_iso(sched, "job run"),
        owner=str(item["owner"]),
        lease_until=r.parse_iso(str(item["lease_until"]), "job run lease"),
        outcome=codec.run_status_of(str(item["outcome"]), f"job run {item['sk']!s}"),
        detail=str(item.get("detail", "")),
    )
