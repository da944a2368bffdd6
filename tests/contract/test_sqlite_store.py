"""SQLite specifics: several processes on one file, migrations, initialisation on open."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.adapters.store.sqlite_schema import MIGRATIONS
from kalshi_bots.domain.models import Asset, Bot, BudgetLimits, BudgetReservation, PriceTick, RunStatus

DAY = date(2025, 12, 11)
LIMITS = BudgetLimits(global_limit=Decimal(7), per_bot=((Bot.BTC_HOURLY, Decimal(100)),))
RUN = datetime(2025, 12, 11, 1, 45, tzinfo=UTC)


def _worker(path: str, worker: int, out: multiprocessing.Queue[tuple[int, int, bool]]) -> None:
    store = SqliteStore(path)
    won = 0
    for i in range(5):
        won += store.reserve_budget(
            BudgetReservation(Bot.BTC_HOURLY, DAY, Decimal(1), f"w{worker}-{i}"), LIMITS
        )
    claimed = store.claim_run("trade", RUN, f"p{worker}", RUN, 300)
    out.put((worker, won, claimed))
    store.close()


def test_processes_sharing_one_file_never_overspend_and_claim_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    SqliteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[tuple[int, int, bool]] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(path, n, out)) for n in range(4)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sum(won for _, won, _ in results) == 7
    assert sum(claimed for _, _, claimed in results) == 1
    assert SqliteStore(path).budget_state(Bot.BTC_HOURLY, DAY, LIMITS).spent == Decimal(7)


def test_fresh_file_is_initialised_on_open_and_reopening_is_harmless(tmp_path: Path) -> None:
    path = str(tmp_path / "sub.db")
    store = SqliteStore(path)
    store.put_price(PriceTick(Asset.BTC, RUN, Decimal("1.5")))
    store.init_schema()
    again = SqliteStore(path)
    assert again.latest_price(Asset.BTC) == PriceTick(Asset.BTC, RUN, Decimal("1.5"))
    with sqlite3.connect(path) as con:
        versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version")]
        tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    assert {"BTCPriceHistory", "ETHPriceHistory", "BTCTradeLog", "KalshiTradingBudget"} <= tables


def test_an_old_file_is_migrated_forward(tmp_path: Path) -> None:
    path = str(tmp_path / "v1.db")
    with sqlite3.connect(path) as con:  # a file written by version 1 of the schema
        con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for statement in MIGRATIONS[0]:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (1)")
        con.execute("INSERT INTO KalshiTradingBudget (pk, sk, value) VALUES ('FLAG', 'halt', 'kept')")
    store = SqliteStore(path)
    assert store.get_flag("halt") == "kept"
    assert store.claim_run("trade", RUN, "w", RUN, 60)  # uses the column migration 2 added
    with sqlite3.connect(path) as con:
        columns = {row[1] for row in con.execute("PRAGMA table_info(KalshiTradingBudget)")}
    assert "expires_at" in columns


def test_cleanup_also_drops_job_runs_past_their_ttl(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "ttl.db"))
    store.claim_run("collect-btc", RUN, "w", RUN, 60)
    store.finish_run("collect-btc", RUN, "w", RunStatus.OK, "")
    store.delete_prices_before(Asset.BTC, RUN + timedelta(days=6))
    assert [run.job for run in store.last_runs()] == ["collect-btc"]  # a week's TTL: still there
    store.delete_prices_before(Asset.BTC, RUN + timedelta(days=7))
    assert store.last_runs() == []
