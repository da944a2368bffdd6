"""``db init`` for DynamoDB: create the spec's four tables (on-demand) and enable TTL. Idempotent.

On AWS the template creates the tables; this is for DynamoDB Local and development accounts.
"""

from __future__ import annotations

import time

from kalshi_bots.adapters.store.dynamodb_io import DynamoIO
from kalshi_bots.adapters.store.schema import TableDefinition, TableNames, table_definitions
from kalshi_bots.ports.errors import StoreError

ACTIVE_WAIT_S = 60.0


def init_tables(io: DynamoIO, names: TableNames) -> None:
    existing = _existing_tables(io)
    for definition in table_definitions(names):
        if definition.name not in existing:
            _create(io, definition)
        _wait_active(io, definition.name)
        if definition.ttl_attribute is not None:
            _enable_ttl(io, definition.name, definition.ttl_attribute)


def _existing_tables(io: DynamoIO) -> set[str]:
    names: set[str] = set()
    kwargs: dict[str, str] = {}
    while True:
        response = io.call("ListTables", **kwargs)
        names.update(response.get("TableNames", []))
        last = response.get("LastEvaluatedTableName")
        if not last:
            return names
        kwargs = {"ExclusiveStartTableName": last}


def _create(io: DynamoIO, definition: TableDefinition) -> None:
    try:
        io.call("CreateTable", **definition.create_table_request())
    except StoreError as exc:
        if "ResourceInUseException" not in str(exc):  # created meanwhile by another `db init`: fine
            raise


def _wait_active(io: DynamoIO, table: str) -> None:
    deadline = time.monotonic() + ACTIVE_WAIT_S
    while True:
        status = io.call("DescribeTable", TableName=table)["Table"].get("TableStatus")
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise StoreError(f"table {table} is still {status} after {ACTIVE_WAIT_S:.0f}s")
        time.sleep(0.2)


def _enable_ttl(io: DynamoIO, table: str, attribute: str) -> None:
    current = io.call("DescribeTimeToLive", TableName=table).get("TimeToLiveDescription", {})
    if current.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
        if current.get("AttributeName") != attribute:
            raise StoreError(
                f"table {table} has TTL on {current.get('AttributeName')!r}, this code writes {attribute!r}"
            )
        return
    io.call(
        "UpdateTimeToLive",
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )
