"""positions, pnl, sandbox; read-only commands never create a database; ages on the sandbox clock."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.domain.models import Asset, Bot, Mode, Side, TradeRecord, TradeStatus, VolatilitySnapshot
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.cli_sandbox import run_fakes
from kalshi_bots.sandbox.world_clock import WorldClock, record_clock

NOW = datetime.now(UTC).replace(microsecond=0)


def trade(n: int, **changes: object) -> TradeRecord:
    record = TradeRecord(
        created_at=NOW - timedelta(hours=n),
        client_order_id=f"c{n}",
        bot=Bot.BTC_HOURLY,
        mode=Mode.PAPER,
        contract_ticker=f"KXBTCD-T{n}",
        side=Side.NO,
        quantity=5,
        price_cents=Decimal(81),
        btc_price=None,
        strike_price=None,
        model_prob=0.86,
        market_prob=0.81,
        edge=0.039,
        kelly_fraction=0.1,
        status=TradeStatus.EXECUTED,
        fill_count=Decimal(5),
        fees_dollars=Decimal("0.06"),
    )
    return TradeRecord(**{**{f: getattr(record, f) for f in record.__slots__}, **changes})  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db"), "KALSHI_BOTS_LOG_LEVEL": "WARNING"}


@pytest.mark.parametrize(
    "argv",
    [["status"], ["positions"], ["pnl"], ["trades"], ["volatility"], ["halt"], ["resume"], ["pnl", "--json"]],
    ids=" ".join,
)
def test_read_only_commands_never_create_a_database(argv, env, capsys, tmp_path):
    assert main(argv, env) == 2
    err = capsys.readouterr().err
    assert f"no store at {tmp_path / 'k.db'}" in err and "kalshi-bots db init" in err and err.count("\n") == 1
    assert not (tmp_path / "k.db").exists()


def test_positions_and_pnl_in_words_and_json(env, capsys):
    store = SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"])
    store.put_trade(trade(3, settlement_result="yes", pnl_dollars=Decimal("-4.11")))
    store.put_trade(trade(2, settlement_result="no", pnl_dollars=Decimal("0.89")))
    store.put_trade(trade(1))
    assert main(["positions", "--no-quotes"], env) == 0
    out = capsys.readouterr().out
    assert "btc-hourly  NO     5 x KXBTCD-T1" in out and "mark no quote" in out and "max loss $4.11" in out
    assert main(["positions", "--json", "--no-quotes"], env) == 0
    (position,) = json.loads(capsys.readouterr().out)["positions"]
    assert position["cost"] == 4.05 and position["max_loss"] == 4.11 and position["mark_price"] is None
    assert main(["pnl"], env) == 0
    out = capsys.readouterr().out
    assert "by bot" in out and "-$3.22" in out and "50%" in out
    assert main(["pnl", "--json"], env) == 0
    report = json.loads(capsys.readouterr().out)
    expected = {"key": "all", "settled": 2, "wins": 1, "losses": 1, "win_rate": 0.5}
    assert report["all"] == expected | {"gross": -3.1, "fees": 0.12, "net": -3.22}
    assert [b["bot"] for b in report["by_bot"]] == ["btc-hourly"]


def test_status_ages_follow_a_sandbox_clock(env, capsys):
    store = SqliteStore(env["KALSHI_BOTS_SQLITE_PATH"])
    world_now = NOW + timedelta(hours=5)  # an accelerated sandbox is ahead of the wall clock
    store.put_volatility(VolatilitySnapshot(Asset.BTC, world_now - timedelta(seconds=30), ()))
    record_clock(store, WorldClock(world_now, 0.0, 30.0, stopped_at=world_now))
    assert main(["status"], env) == 0
    assert "last volatility update 30s ago" in capsys.readouterr().out


def test_sandbox_prints_exports_that_point_at_running_fakes(tmp_path):
    out, stop = io.StringIO(), threading.Event()
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(run_fakes(db=tmp_path / "s.db", out=out, stop=stop)))
    thread.start()
    try:
        for _ in range(200):
            if "Ctrl-C" in out.getvalue():
                break
            threading.Event().wait(0.05)
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in out.getvalue().splitlines()
            if line.startswith("export ")
        )
        assert exports["KALSHI_BOTS_MODE"] == "paper"
        assert exports["KALSHI_BOTS_SQLITE_PATH"] == str(tmp_path / "s.db")
        env = {k: v.strip("'") for k, v in exports.items()} | {"KALSHI_BOTS_LOG_LEVEL": "WARNING"}
        assert main(["job", "collect-prices", "--asset", "BTC"], env) == 0  # the app really talks to them
    finally:
        stop.set()
        thread.join(10)
    assert done == [0]


def test_the_run_banner_says_what_runs_why_the_rest_is_off_and_when(tmp_path):
    from kalshi_bots.config import Settings
    from kalshi_bots.entrypoints.cli_banner import banner
    from kalshi_bots.entrypoints.scheduler import scheduled_jobs

    settings = Settings.from_env({"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db")})
    at = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)  # 10:20 in New York
    text = "\n".join(banner(settings, scheduled_jobs(settings), at, tmp_path / "k.log"))
    assert "mode paper (simulated fills on real public Kalshi data; no money)" in text
    assert f"store      sqlite {tmp_path / 'k.db'}" in text and f"JSON log   {tmp_path / 'k.log'}" in text
    assert "eth-hourly off (set KALSHI_BOTS_TRADE_ETH=yes)" in text
    assert "weather    off (set KALSHI_BOTS_NWS_CONTACT=" in text
    assert "next runs  10:45 trade-hourly-btc (in 25 min)" in text and "11:10 reconcile (in 50 min)" in text


def test_a_busy_dashboard_port_falls_back_to_a_free_one(tmp_path):
    import socket

    from kalshi_bots.adapters.clock import FixedClock
    from kalshi_bots.config import Settings
    from kalshi_bots.entrypoints.cli_run import _start_dashboard
    from kalshi_bots.entrypoints.scheduler import scheduled_jobs

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db"), "KALSHI_BOTS_DASHBOARD_PORT": str(port)}
        settings = Settings.from_env(env)
        out = io.StringIO()
        dashboard = _start_dashboard(settings, FixedClock(NOW), scheduled_jobs(settings), out)
        assert dashboard is not None
        try:
            assert dashboard.port != port and f"(port {port} was busy)" in out.getvalue()
        finally:
            dashboard.stop()
