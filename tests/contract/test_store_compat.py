"""A store written by an earlier version still loads: every record, read by today's code.

The fixtures were written by the code of commit c4aeeaf (``tests/data/make_store_c4aeeaf.py``, run with
that commit on the path): ``store_c4aeeaf.db`` (SQLite, schema version 2) and ``dynamodb_c4aeeaf.json``
(the raw items of the four DynamoDB tables). They hold prices and VOL/LATEST for both assets, trades of
every bot in every status, budget reservations and a release, realized P&L, the kill switch, job runs of
every outcome and the paper exchange's documents. Bots, sides, statuses and reasons are enums today;
their values are what was stored, so these read back unchanged, and the SQLite file is migrated forward
and keeps working.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kalshi_bots.adapters.clock import FixedClock
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.adapters.store.sqlite_schema import MIGRATIONS
from kalshi_bots.domain.market_snapshot import TradeDecision, Trigger
from kalshi_bots.domain.models import (
    Asset,
    BookSide,
    Bot,
    BudgetLimits,
    BudgetReservation,
    Fill,
    Mode,
    OrderResult,
    OrderStatus,
    RunStatus,
    Settlement,
    Side,
    TradeStatus,
)
from kalshi_bots.domain.reasons import ErrorReason, NoTradeReason, OrderReason, parse_reason
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import Store

from .test_snapshot_store_contract import snapshot

DATA = Path(__file__).resolve().parents[1] / "data"
D = Decimal
DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 14, 45, 5, 123456, tzinfo=UTC)
NEVER = timedelta(days=365 * 50)
LIMITS = BudgetLimits(
    global_limit=D(50),
    per_bot=((Bot.BTC_HOURLY, D(25)), (Bot.ETH_HOURLY, D(25)), (Bot.WEATHER, D(25))),
    daily_loss_limit=D(25),
)


def coid(n: int) -> str:
    return str(uuid.UUID(int=n))


# client_order_id -> (bot, side, status, reason, order_id, fill_count, fees, settlement, pnl) as written
EXPECTED_TRADES: dict[
    str, tuple[Bot, Side, TradeStatus, str, str | None, str, str, str | None, str | None]
] = {
    coid(1): (Bot.BTC_HOURLY, Side.NO, TradeStatus.PENDING, "", None, "0", "0", None, None),
    coid(2): (Bot.BTC_HOURLY, Side.NO, TradeStatus.EXECUTED, "", "ord-2", "5", "0.07", "no", "0.88"),
    coid(3): (Bot.ETH_HOURLY, Side.NO, TradeStatus.FAILED, "not_filled", "ord-3", "0", "0", None, None),
    coid(4): (
        Bot.BTC_HOURLY,
        Side.NO,
        TradeStatus.REJECTED,
        "order_rejected: invalid_price: off the tick grid",
        None,
        "0",
        "0",
        None,
        None,
    ),
    coid(5): (Bot.BTC_HOURLY, Side.NO, TradeStatus.FAILED, "kill_switch", None, "0", "0", None, None),
    coid(6): (Bot.BTC_HOURLY, Side.NO, TradeStatus.FAILED, "store_unavailable", None, "0", "0", None, None),
    coid(7): (Bot.BTC_HOURLY, Side.NO, TradeStatus.FAILED, "order_not_found", None, "0", "0", None, None),
    coid(8): (Bot.WEATHER, Side.YES, TradeStatus.EXECUTED, "", "ord-8", "3", "0.05", None, None),
    coid(9): (
        Bot.DISCOVERED,
        Side.YES,
        TradeStatus.EXECUTED,
        "discovered by reconcile: order on the exchange, missing from the log",
        "ord-9",
        "2",
        "0",
        None,
        None,
    ),
}
RUNS = {
    "collect-prices-btc": (datetime(2026, 11, 20, 14, 44, tzinfo=UTC), RunStatus.OK, ""),
    "trade-hourly-btc": (
        datetime(2026, 11, 20, 13, 45, tzinfo=UTC),
        RunStatus.NO_TRADE,
        "edge_too_small: edge 0.01",
    ),
    "trade-hourly-eth": (
        datetime(2026, 11, 20, 14, 45, tzinfo=UTC),
        RunStatus.ERROR,
        "order_rejected: invalid_price",
    ),
    "weather": (
        datetime(2026, 11, 20, 23, 0, tzinfo=UTC),
        RunStatus.ERROR_TRANSIENT,
        "store_unavailable: down",
    ),
    "reconcile": (datetime(2026, 11, 20, 15, 10, tzinfo=UTC), RunStatus.RUNNING, ""),
}


def _ticks(base: str) -> list[tuple[datetime, Decimal]]:
    start = datetime(2026, 11, 20, 14, 14, tzinfo=UTC)
    return [(start + timedelta(minutes=i), D(base) + (i * 7) % 13) for i in range(31)]


def check_prices_and_volatility(store: Store) -> None:
    for asset, base in ((Asset.BTC, "96100.5"), (Asset.ETH, "3120.25")):
        ticks = _ticks(base)
        rows = store.prices_between(asset, ticks[0][0], ticks[-1][0] + timedelta(minutes=1))
        assert [(t.at, t.price) for t in rows] == ticks
        vol = store.get_volatility(asset)
        assert vol is not None and vol.asset is asset
        assert vol.computed_at == ticks[-1][0] and vol.last_price == ticks[-1][1]
        assert [(t.at, t.price) for t in vol.recent_prices] == ticks
        assert [(w.window_minutes, w.samples) for w in vol.windows] == [
            (15, 15),
            (30, 30),
            (60, 31),
            (90, 31),
            (120, 31),
        ]
        assert all(w.sufficient for w in vol.windows[:3]) and not vol.windows[3].sufficient
    btc = store.get_volatility(Asset.BTC)
    assert btc is not None
    w15 = btc.window(15)
    assert w15 is not None
    assert (w15.std_pct, w15.range_pct, w15.max_move_pct) == (
        0.027053369799727695,
        0.012486165502042701,
        0.007284041186039758,
    )


def check_trades(store: Store) -> None:
    trades = store.all_trades()
    assert [t.client_order_id for t in trades] == list(EXPECTED_TRADES)  # in sk (time) order
    for n, trade in enumerate(trades, start=1):
        bot, side, status, reason, order_id, fill, fees, settlement, pnl = EXPECTED_TRADES[
            trade.client_order_id
        ]
        assert (trade.bot, trade.side, trade.status, trade.reason) == (bot, side, status, reason)
        assert trade.bot is bot and trade.side is side and trade.status is status and trade.mode is Mode.PAPER
        assert (trade.order_id, trade.fill_count, trade.fees_dollars) == (order_id, D(fill), D(fees))
        assert trade.settlement_result == settlement
        assert trade.pnl_dollars == (None if pnl is None else D(pnl))
        assert trade.created_at == T0 + timedelta(minutes=n) and trade.quantity == 5
        assert (trade.model_prob, trade.market_prob) == (
            (0.0, 0.81) if bot is Bot.DISCOVERED else (0.86, 0.81)
        )
        assert trade.edge == (0.0 if bot is Bot.DISCOVERED else 0.039)  # stored as 3.9 percentage points
        assert store.get_trade(trade.client_order_id) == trade
    assert trades[0].btc_price == D("96123.45") and trades[0].strike_price == D("91499.99")
    assert trades[0].scheduled_for == datetime(2026, 11, 20, 14, 45, tzinfo=UTC)
    assert trades[8].scheduled_for is None and trades[7].btc_price is None
    assert {t.client_order_id for t in store.open_trades()} == {coid(1), coid(8), coid(9)}
    assert len(store.trades_on(DAY)) == 9
    # The stored reasons are reason values again, the rejection's code and message kept in the text.
    assert [parse_reason(t.reason) for t in trades[2:7]] == [
        OrderReason.NOT_FILLED,
        ErrorReason.ORDER_REJECTED,
        NoTradeReason.KILL_SWITCH,
        ErrorReason.STORE_UNAVAILABLE,
        OrderReason.ORDER_NOT_FOUND,
    ]


def check_budget_and_flags(store: Store) -> None:
    held = [(r.reservation_id, r.bot, r.amount, r.at) for r in store.reservations(DAY)]
    assert held == [
        (coid(1), Bot.BTC_HOURLY, D("4.12"), None),
        (coid(3), Bot.ETH_HOURLY, D(0), None),
        (coid(8), Bot.WEATHER, D("1.60"), None),
    ]
    spent = {
        bot: store.budget_state(bot, DAY, LIMITS).spent
        for bot in (Bot.BTC_HOURLY, Bot.ETH_HOURLY, Bot.WEATHER)
    }
    assert spent == {Bot.BTC_HOURLY: D("4.12"), Bot.ETH_HOURLY: D(0), Bot.WEATHER: D("1.60")}
    assert store.realized_pnl(DAY) == D("-0.37")
    assert store.get_flag("halt") == "manual halt (2026-11-20 15:00Z)"


def check_runs(store: Store) -> None:
    last = {run.job: run for run in store.last_runs()}
    assert set(last) == set(RUNS)
    for job, (sched, outcome, detail) in RUNS.items():
        run = store.get_run(job, sched)
        assert run is not None and run == last[job]
        assert (run.scheduled_for, run.outcome, run.detail, run.owner) == (sched, outcome, detail, "lambda-1")
        assert run.outcome is outcome
    # What a claim may take over is what it always was: the transient error, and the lapsed lease.
    later = datetime(2026, 11, 21, tzinfo=UTC)
    assert store.claim_run("weather", RUNS["weather"][0], "retry", later, 600) is True
    assert store.claim_run("reconcile", RUNS["reconcile"][0], "next", later, 600) is True
    assert store.claim_run("trade-hourly-eth", RUNS["trade-hourly-eth"][0], "retry", later, 600) is False
    assert store.claim_run("collect-prices-btc", RUNS["collect-prices-btc"][0], "retry", later, 600) is False


class _NoMarketData:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the stored documents alone answer; no market data ({name})")


def check_paper_documents(store: Store) -> None:
    paper = PaperExchange(_NoMarketData(), store, FixedClock(T0 + timedelta(days=1)))  # type: ignore[arg-type]
    ticker = "KXBTCD-26NOV2015-T92499.99"
    order = paper.find_order(coid(2), ticker)
    assert order == OrderResult(
        "ord-2", coid(2), ticker, D(5), D(0), D("0.19"), D("0.07"), OrderStatus.EXECUTED
    )
    assert order is not None and order.status is OrderStatus.EXECUTED
    fill = Fill("ord-2", ticker, D(5), D("0.19"), BookSide.ASK, D("0.07"), T0, coid(2))
    assert paper.fills(T0 - timedelta(days=1)) == [fill]
    settled = Settlement(ticker, "no", D(0), D(5), D(5), D(0), T0 + timedelta(hours=1))
    assert paper.settlements(T0 - timedelta(days=1)) == [settled]
    assert paper.balance() == D("995.88")


def check_store(store: Store) -> None:
    check_prices_and_volatility(store)
    check_trades(store)
    check_budget_and_flags(store)
    check_paper_documents(store)
    check_runs(store)  # last: it claims runs


def check_it_keeps_working(store: Store, snapshots: SnapshotStore) -> None:
    """Writes the columns and items later versions added (reservation time, snapshots) beside the old."""
    at = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert store.reserve_budget(BudgetReservation(Bot.WEATHER, DAY, D(1), "new", at=at), LIMITS)
    assert store.budget_state(Bot.WEATHER, DAY, LIMITS).spent == D("2.60")
    assert [r.at for r in store.reservations(DAY) if r.reservation_id == "new"] == [at]
    decided = snapshot(1, trigger=Trigger.DECISION, mode="paper", decision=TradeDecision.NO_TRADE)
    assert snapshots.put_snapshot(decided)
    [back] = snapshots.snapshots_between(
        decided.scheduled_for, decided.scheduled_for + timedelta(minutes=1), Trigger.DECISION
    )
    assert back.bot is Bot.BTC_HOURLY and back.decision is TradeDecision.NO_TRADE


def test_a_sqlite_store_written_by_c4aeeaf_is_migrated_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    shutil.copyfile(DATA / "store_c4aeeaf.db", path)  # the fixture itself is never migrated
    with sqlite3.connect(path) as con:
        assert [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version")] == [1, 2]
    store = SqliteStore(str(path))
    try:
        with sqlite3.connect(path) as con:
            versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        check_store(store)
        check_it_keeps_working(store, store)
    finally:
        store.close()


def _raw_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item of the JSON fixture as the low-level client takes it (binary values are base64 there)."""
    return {name: {"B": base64.b64decode(v["B"])} if "B" in v else v for name, v in item.items()}


@pytest.mark.dynamodb
def test_dynamodb_items_written_by_c4aeeaf_read_back(dynamodb_client: Any) -> None:
    from kalshi_bots.adapters.store.dynamodb import DynamoStore
    from kalshi_bots.adapters.store.schema import TableNames

    tables = TableNames.with_prefix(f"c4{uuid.uuid4().hex[:10]}_")
    store = DynamoStore(
        client=dynamodb_client,
        tables=tables,
        page_size=3,
        price_ttl=NEVER,
        jobrun_ttl=NEVER,
        snapshot_ttl=NEVER,
    )
    store.init_schema()
    dump = json.loads((DATA / "dynamodb_c4aeeaf.json").read_text())
    assert sorted(dump) == ["btc_prices", "budget", "eth_prices", "trades"]
    for role, items in dump.items():
        for item in items:
            dynamodb_client.put_item(TableName=getattr(tables, role), Item=_raw_item(item))
    check_store(store)
    check_it_keeps_working(store, store)
