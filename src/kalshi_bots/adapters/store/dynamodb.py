"""DynamoDB backend: the spec's four tables (key layout in :mod:`.records`).

Costs were designed in (see ``bench/bench_store_costs.py``): a collector run reads one item (VOL,
< 1 KB, packed window) and writes two (PRICE + VOL); old prices and job-run rows expire by TTL;
``BTCTradeLog`` holds trades only, idempotency and the open-trade index live in the budget table.

The store is assembled by concept: prices, trades, flags and documents here; the budget book in
:mod:`.dynamodb_budget`, the run log in :mod:`.dynamodb_runs`, the market recorder in
:mod:`.dynamodb_recorder`. They share this class's handles (``io``, ``tables``, the TTLs).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import records as r
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.dynamodb_budget import DynamoBudgetBook
from kalshi_bots.adapters.store.dynamodb_io import (
    NOT_EXISTS,
    CapacityMeter,
    ConditionFailedError,
    DynamoIO,
    key,
    to_wire,
)
from kalshi_bots.adapters.store.dynamodb_recorder import DynamoRecorder
from kalshi_bots.adapters.store.dynamodb_runs import DynamoRunLog
from kalshi_bots.adapters.store.dynamodb_tables import init_tables
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.models import (
    Asset,
    PriceTick,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
)
from kalshi_bots.ports.errors import StoreError


class DynamoStore(DynamoBudgetBook, DynamoRunLog, DynamoRecorder):
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

    # --- flags ----------------------------------------------------------------------------
    def get_flag(self, name: str) -> str | None:
        item = self.io.get(self.tables.budget, r.FLAG_PK, name)
        return None if item is None else str(item["value"])

    def set_flag(self, name: str, value: str | None) -> None:
        if value is None:
            self.io.call("DeleteItem", TableName=self.tables.budget, Key=key(r.FLAG_PK, name))
        else:
            self.io.put(self.tables.budget, {"pk": r.FLAG_PK, "sk": name, "value": value})

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
