"""Writes the store fixtures of ``tests/contract/test_store_compat.py`` with the code of commit c4aeeaf.

Run it against THAT commit's code, never today's, so the fixtures hold what an existing installation
wrote (the point of the test is that today's codecs still read it)::

    git worktree add --detach /tmp/c4 c4aeeaf
    PYTHONPATH=/tmp/c4/src .venv/bin/python tests/data/make_store_c4aeeaf.py tests/data

It writes ``store_c4aeeaf.db`` (SQLite) and ``dynamodb_c4aeeaf.json`` (every item of the four DynamoDB
tables as the low-level client returns it, attribute types included), both from the same calls:
prices and VOL/LATEST for both assets, trades of every bot in every status, budget reservations and a
release, realized P&L, the kill switch, job runs of every outcome and the paper exchange's documents.
The values are listed in ``EXPECTED`` of the test, which is checked against what this writes.
"""

from __future__ import annotations

import base64
import json
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import kalshi_bots
from kalshi_bots.adapters import paper_docs
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.domain.models import (
    Asset,
    BookSide,
    BudgetLimits,
    BudgetReservation,
    Fill,
    Mode,
    OrderResult,
    PriceTick,
    Settlement,
    TradeRecord,
    TradeStatus,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.volatility import compute_snapshot

D = Decimal
DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 14, 45, 5, 123456, tzinfo=UTC)
LIMITS = BudgetLimits(
    global_limit=D(50),
    per_bot=(("btc-hourly", D(25)), ("eth-hourly", D(25)), ("weather", D(25))),
    daily_loss_limit=D(25),
)
NEVER = timedelta(days=365 * 50)  # DynamoDB Local would expire past dates while the test reads them


def coid(n: int) -> str:
    return str(uuid.UUID(int=n))


def _trade(n: int, bot: str, side: Side, status: TradeStatus, **extra: Any) -> TradeRecord:
    base: dict[str, Any] = {
        "created_at": T0 + timedelta(minutes=n),
        "client_order_id": coid(n),
        "bot": bot,
        "mode": Mode.PAPER,
        "contract_ticker": f"KXBTCD-26NOV2015-T9{n}499.99",
        "side": side,
        "quantity": 5,
        "price_cents": D("81"),
        "btc_price": D("96123.45"),
        "strike_price": D(f"9{n}499.99"),
        "model_prob": 0.86,
        "market_prob": 0.81,
        "edge": 0.039,
        "kelly_fraction": 0.0625,
        "status": status,
        "scheduled_for": datetime(2026, 11, 20, 14, 45, tzinfo=UTC),
    }
    return TradeRecord(**(base | extra))


TRADES: tuple[TradeRecord, ...] = (
    _trade(1, "btc-hourly", Side.NO, TradeStatus.PENDING),
    _trade(
        2,
        "btc-hourly",
        Side.NO,
        TradeStatus.EXECUTED,
        order_id="ord-2",
        fill_count=D(5),
        fees_dollars=D("0.07"),
        settlement_result="no",
        pnl_dollars=D("0.88"),
    ),
    _trade(3, "eth-hourly", Side.NO, TradeStatus.FAILED, order_id="ord-3", reason="not_filled"),
    _trade(
        4,
        "btc-hourly",
        Side.NO,
        TradeStatus.REJECTED,
        reason="order_rejected: invalid_price: off the tick grid",
    ),
    _trade(5, "btc-hourly", Side.NO, TradeStatus.FAILED, reason="kill_switch"),
    _trade(6, "btc-hourly", Side.NO, TradeStatus.FAILED, reason="store_unavailable"),
    _trade(7, "btc-hourly", Side.NO, TradeStatus.FAILED, reason="order_not_found"),
    _trade(
        8,
        "weather",
        Side.YES,
        TradeStatus.EXECUTED,
        contract_ticker="KXHIGHNY-26NOV21-B47.5",
        btc_price=None,
        strike_price=D("47"),
        order_id="ord-8",
        fill_count=D(3),
        fees_dollars=D("0.05"),
    ),
    _trade(
        9,
        "discovered",
        Side.YES,
        TradeStatus.EXECUTED,
        btc_price=None,
        strike_price=None,
        model_prob=0.0,
        edge=0.0,
        kelly_fraction=0.0,
        order_id="ord-9",
        fill_count=D(2),
        reason="discovered by reconcile: order on the exchange, missing from the log",
        scheduled_for=None,
    ),
)

# (job, scheduled minute, outcome written by finish_run or None = still running, detail)
RUNS: tuple[tuple[str, datetime, str | None, str], ...] = (
    ("collect-prices-btc", datetime(2026, 11, 20, 14, 44, tzinfo=UTC), "ok", ""),
    ("trade-hourly-btc", datetime(2026, 11, 20, 13, 45, tzinfo=UTC), "no-trade", "edge_too_small: edge 0.01"),
    (
        "trade-hourly-eth",
        datetime(2026, 11, 20, 14, 45, tzinfo=UTC),
        "error",
        "order_rejected: invalid_price",
    ),
    ("weather", datetime(2026, 11, 20, 23, 0, tzinfo=UTC), "error-transient", "store_unavailable: down"),
    ("reconcile", datetime(2026, 11, 20, 15, 10, tzinfo=UTC), None, ""),
)


def write(store: Any) -> None:
    """The same calls against either backend."""
    for asset, base in ((Asset.BTC, D("96100.5")), (Asset.ETH, D("3120.25"))):
        # 31 minutes with some movement: the 15- and 30-minute windows have metrics, the longer ones not.
        ticks = [
            PriceTick(
                asset, datetime(2026, 11, 20, 14, 14, tzinfo=UTC) + timedelta(minutes=i), base + (i * 7) % 13
            )
            for i in range(31)
        ]
        for tick in ticks:
            store.put_price(tick)
        store.put_volatility(compute_snapshot(asset, ticks, ticks[-1].at))
    for trade in TRADES:
        pending = TradeRecord(
            **{f: getattr(trade, f) for f in trade.__dataclass_fields__}
            | {"status": TradeStatus.PENDING, "order_id": None, "fill_count": D(0), "fees_dollars": D(0)}
            | {"settlement_result": None, "pnl_dollars": None, "reason": ""}
        )
        store.put_trade(pending)
        if trade != pending:
            store.update_trade(trade)
    for n, bot, amount in (
        (1, "btc-hourly", D("4.12")),
        (3, "eth-hourly", D("4.20")),
        (8, "weather", D("1.60")),
    ):
        store.reserve_budget(BudgetReservation(bot, DAY, amount, coid(n)), LIMITS)
    store.release_budget(BudgetReservation("eth-hourly", DAY, D("4.20"), coid(3)), D("4.20"))
    store.record_realized_pnl("btc-hourly", DAY, D("0.88"), coid(2))
    store.record_realized_pnl("btc-hourly", DAY, D("-1.25"), "earlier-trade")
    store.set_flag("halt", "manual halt (2026-11-20 15:00Z)")
    for job, sched, outcome, detail in RUNS:
        store.claim_run(job, sched, "lambda-1", sched + timedelta(seconds=2), 600)
        if outcome is not None:
            store.finish_run(job, sched, "lambda-1", outcome, detail)
    _paper_docs(store)


def _paper_docs(store: Any) -> None:
    result = OrderResult("ord-2", coid(2), TRADES[1].contract_ticker, D(5), D(0), D("0.19"), D("0.07"))
    store.put_doc(
        "paper-order",
        coid(2),
        paper_docs.dumps(result, book_side=BookSide.ASK, limit_yes_price=D("0.19"), created_at=T0),
    )
    fill = Fill("ord-2", TRADES[1].contract_ticker, D(5), D("0.19"), BookSide.ASK, D("0.07"), T0, coid(2))
    store.put_doc("paper-fill", f"{T0.isoformat()}#ord-2", paper_docs.dumps(fill))
    settled = Settlement(TRADES[1].contract_ticker, "no", D(0), D(5), D(5), D(0), T0 + timedelta(hours=1))
    store.put_doc("paper-settlement", TRADES[1].contract_ticker, paper_docs.dumps(settled))
    store.put_doc("paper", "balance", json.dumps({"balance": "995.88"}))


def _load_dynamodb_local() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "dynamodb_local.py"
    spec = importlib.util.spec_from_file_location("dynamodb_local", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's JSON wire form: binary values base64 (boto3 hands them over as bytes)."""
    return {
        name: {"B": base64.b64encode(value["B"]).decode()} if "B" in value else value
        for name, value in item.items()
    }


def write_dynamodb(out: Path) -> None:
    from kalshi_bots.adapters.store.dynamodb import DynamoStore

    local = _load_dynamodb_local()
    server = local.start()
    try:
        client = server.client()
        store = DynamoStore(client=client, tables=TableNames(), price_ttl=NEVER, jobrun_ttl=NEVER)
        store.init_schema()
        write(store)
        tables = TableNames()
        dump: dict[str, list[dict[str, Any]]] = {}
        for role, name in (
            ("btc_prices", tables.btc_prices),
            ("eth_prices", tables.eth_prices),
            ("trades", tables.trades),
            ("budget", tables.budget),
        ):
            items = client.scan(TableName=name)["Items"]
            dump[role] = [_wire(i) for i in sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))]
        out.write_text(json.dumps(dump, indent=1, sort_keys=True) + "\n")
    finally:
        server.stop()


def main(folder: str) -> None:
    if "/tmp/c4/" not in kalshi_bots.__file__:
        raise SystemExit(f"run with PYTHONPATH=/tmp/c4/src (the code of c4aeeaf), not {kalshi_bots.__file__}")
    target = Path(folder)
    db = target / "store_c4aeeaf.db"
    db.unlink(missing_ok=True)
    store = SqliteStore(str(db))
    write(store)
    con = store._con()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    con2 = __import__("sqlite3").connect(str(db))
    con2.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
    con2.execute("VACUUM")
    con2.close()
    write_dynamodb(target / "dynamodb_c4aeeaf.json")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent))
