"""The thin layer between DynamoStore and a boto3 DynamoDB client.

- attribute values: ``str`` <-> S, ``int``/``Decimal`` <-> N (Decimal, never float), ``bytes`` <-> B;
- every query follows ``LastEvaluatedKey`` to the end (``page_size`` forces small pages in tests);
- every botocore failure becomes the port's ``StoreError`` (throttling, 5xx and connection failures
  included): the money path catches exactly that one type and fails closed, and the runner records it
  as transient, so a platform retry may run again;
- transactions that lose a ``TransactionConflict`` are retried with jitter;
- an optional :class:`CapacityMeter` asks for ``ReturnConsumedCapacity=TOTAL`` and adds it up.

boto3/botocore are imported only here and in :mod:`.dynamodb`, and only when a DynamoStore is built.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store.codec import Item, Value
from kalshi_bots.ports.errors import StoreError

READ_OPS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
DATA_OPS = READ_OPS | {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)
CONFLICT_RETRIES = 40
NOT_EXISTS = "attribute_not_exists(pk)"  # the condition of every write that must not overwrite


class CapacityMeter:
    """Consumed read/write units per label (the bench sets ``label`` to the job being simulated)."""

    def __init__(self) -> None:
        self.label = "other"
        self.read: defaultdict[str, float] = defaultdict(float)
        self.write: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        self.unreported_calls = 0

    def add_transaction(self, items: list[dict[str, Any]]) -> None:
        """DynamoDB bills a transactional write 2 units per item per KB. DynamoDB Local reports less
        for transactions, so these are computed from the items (updates/deletes here are < 1 KB)."""
        self.calls[self.label] += 1
        units = 0
        for entry in items:
            put = entry.get("Put")
            size = codec.item_size(from_wire(put["Item"])) if put is not None else 1
            units += 2 * max(1, math.ceil(size / 1024))
        self.write[self.label] += units

    def add(self, op: str, response: dict[str, Any]) -> None:
        consumed = response.get("ConsumedCapacity")
        self.calls[self.label] += 1
        if consumed is None:
            self.unreported_calls += 1
            return
        entries = consumed if isinstance(consumed, list) else [consumed]
        units = sum(float(e.get("CapacityUnits", 0.0)) for e in entries)
        if op in READ_OPS:
            # DynamoDB bills a strongly consistent read that finds nothing 1 unit; Local reports 0.
            self.read[self.label] += max(units, 1.0)
        else:
            self.write[self.label] += units


def to_attr(value: Value) -> dict[str, Any]:
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, bool):
        raise TypeError("booleans are not stored; use text")
    return {"N": str(value)}


def from_attr(name: str, attr: dict[str, Any]) -> Value:
    if "S" in attr:
        return str(attr["S"])
    if "N" in attr:
        return Decimal(attr["N"])
    if "B" in attr:
        return bytes(attr["B"])
    raise StoreError(f"attribute {name!r} has a type this store never writes: {sorted(attr)}")


def to_wire(item: Item) -> dict[str, Any]:
    return {k: to_attr(v) for k, v in item.items()}


def from_wire(raw: dict[str, Any]) -> Item:
    return {k: from_attr(k, v) for k, v in raw.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def values(**named: Value) -> dict[str, Any]:
    """``ExpressionAttributeValues`` from keyword arguments (``a=1`` -> ``:a``)."""
    return {f":{k}": to_attr(v) for k, v in named.items()}


class ConditionFailedError(Exception):
    """A conditional write lost (internal; the store decides what that means)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons  # per transaction item: "None", "ConditionalCheckFailed", ...


class DynamoIO:
    def __init__(
        self, client: Any, *, page_size: int | None = None, meter: CapacityMeter | None = None
    ) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        self.client = client
        self.page_size = page_size
        self.meter = meter
        self._client_error = ClientError
        self._boto_error = BotoCoreError

    def call(self, op: str, **kwargs: Any) -> dict[str, Any]:
        metered = self.meter is not None and op in DATA_OPS
        if metered:
            kwargs["ReturnConsumedCapacity"] = "TOTAL"
        method = getattr(self.client, _snake(op))
        try:
            response: dict[str, Any] = method(**kwargs)
        except self._client_error as exc:
            err = exc.response.get("Error", {})
            code, message = str(err.get("Code", "")), str(err.get("Message", ""))
            if code == "ConditionalCheckFailedException":
                raise ConditionFailedError(["ConditionalCheckFailed"]) from None
            if code == "TransactionCanceledException":
                reasons = [str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])]
                raise ConditionFailedError(reasons) from None
            if code in TRANSIENT_CODES:
                raise StoreError(f"DynamoDB {op}: {code}: {message}") from exc
            raise StoreError(f"DynamoDB {op} on {kwargs.get('TableName', '?')}: {code}: {message}") from exc
        except self._boto_error as exc:
            raise StoreError(f"DynamoDB {op}: {type(exc).__name__}: {exc}") from exc
        if metered and self.meter is not None:
            if op == "TransactWriteItems":
                self.meter.add_transaction(kwargs["TransactItems"])
            else:
                self.meter.add(op, response)
        return response

    def get(self, table: str, pk: str, sk: str) -> Item | None:
        raw = self.call("GetItem", TableName=table, Key=key(pk, sk), ConsistentRead=True).get("Item")
        return None if raw is None else from_wire(raw)

    def put(
        self,
        table: str,
        item: Item,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        **named: Value,
    ) -> bool:
        """Put; with ``condition``, False (nothing written) when it does not hold."""
        kwargs: dict[str, Any] = {"TableName": table, "Item": to_wire(item)}
        if condition is not None:
            kwargs["ConditionExpression"] = condition
            if names:
                kwargs["ExpressionAttributeNames"] = names
            if named:
                kwargs["ExpressionAttributeValues"] = values(**named)
        try:
            self.call("PutItem", **kwargs)
        except ConditionFailedError:
            return False
        return True

    def query(self, table: str, condition: str, *, forward: bool = True, limit: int | None = None,
              filter_expr: str | None = None, names: dict[str, str] | None = None,
              **named: Value) -> Iterator[Item]:  # fmt: skip
        """Items matching the key ``condition``, every page; ``limit`` caps the total returned."""
        kwargs: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values(**named),
            "ScanIndexForward": forward,
            "ConsistentRead": True,
        }
        if filter_expr is not None:
            kwargs["FilterExpression"] = filter_expr
        if names:
            kwargs["ExpressionAttributeNames"] = names
        page = min(x for x in (self.page_size, limit) if x is not None) if (self.page_size or limit) else None
        if page is not None:
            kwargs["Limit"] = page
        returned = 0
        while True:
            response = self.call("Query", **kwargs)
            for raw in response.get("Items", []):
                yield from_wire(raw)
                returned += 1
                if limit is not None and returned >= limit:
                    return
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def transact(self, items: list[dict[str, Any]]) -> None:
        """TransactWriteItems, retried while it only loses to concurrent transactions.

        Raises :class:`ConditionFailedError` with the per-item reasons when a condition does not hold."""
        for attempt in range(CONFLICT_RETRIES):
            try:
                self.call("TransactWriteItems", TransactItems=items)
                return
            except ConditionFailedError as exc:
                unexpected = set(exc.reasons) - {"None", "ConditionalCheckFailed", "TransactionConflict"}
                if unexpected:  # e.g. ThrottlingError: not a refusal, try again later
                    raise StoreError(f"DynamoDB transaction cancelled: {sorted(unexpected)}") from None
                if "ConditionalCheckFailed" in exc.reasons or "TransactionConflict" not in exc.reasons:
                    raise
            time.sleep(random.uniform(0.002, 0.01) * min(attempt + 1, 10))
        raise StoreError(f"DynamoDB transaction kept conflicting after {CONFLICT_RETRIES} tries")

    def delete_keys(self, table: str, keys: list[tuple[str, str]]) -> None:
        """BatchWriteItem deletes, 25 a call, re-sending what DynamoDB left unprocessed."""
        for start in range(0, len(keys), 25):
            pending: dict[str, Any] = {
                table: [{"DeleteRequest": {"Key": key(pk, sk)}} for pk, sk in keys[start : start + 25]]
            }
            for attempt in range(10):
                response = self.call("BatchWriteItem", RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.01 * 2**attempt)
            else:
                raise StoreError(f"DynamoDB left deletes unprocessed on {table}")


def _snake(op: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")
