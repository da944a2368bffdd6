"""The kalshi-bots CLI: help everywhere, exit codes, one-line errors, no secrets, store commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.config import VARIABLES
from kalshi_bots.domain.models import (
    Asset,
    Bot,
    Mode,
    Side,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.entrypoints.cli import build_parser, main
from kalshi_bots.entrypoints.cli_job import job_name, parse_at

COMMANDS = [
    ["run"],
    ["job"],
    ["trades"],
    ["volatility"],
    ["status"],
    ["halt"],
    ["resume"],
    ["serve"],
    ["db"],
    ["db", "init"],
    ["schedule"],
    ["settings"],
    ["backtest"],
]
SPEC_TRADE_ATTRIBUTES = {
    "pk",
    "sk",
    "contract_ticker",
    "side",
    "quantity",
    "price_cents",
    "btc_price",
    "strike_price",
    "model_prob",
    "market_prob",
    "edge",
    "kelly_fraction",
    "status",
}


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db"), "KALSHI_BOTS_LOG_LEVEL": "WARNING"}


def test_every_command_is_listed_in_the_top_level_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command[0] in out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kalshi-bots {' '.join(command)}")


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kalshi-bots ")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["job"],
        ["job", "trade-hourly", "--asset", "DOGE"],
        ["job", "explode"],
        ["db"],
        ["run", "--sandbox", "--speed", "500"],
        ["run", "--sandbox", "--speed", "fast"],
    ],
)
def test_usage_errors_exit_2(argv, capsys, environ):
    assert main(argv, environ) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["job", "cleanup", "--asset", "BTC"], "--asset does not apply to cleanup"),
        (["job", "trade-hourly", "--at", "2026-03-08T14:45:00"], "has no UTC offset"),
        (["job", "trade-hourly", "--at", "yesterday"], "is not an ISO-8601 time"),
        (["job", "trade-hourly", "--at", "2026-03-08T14:45:30Z"], "is not a whole minute"),
        (["trades", "--date", "2026-13-01"], "is not a date"),
        (["run", "--speed", "10"], "--speed only applies with --sandbox"),
    ],
)
def test_nonsense_arguments_exit_2_with_one_line(argv, message, capsys, environ):
    assert main(argv, environ) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_bad_setting_is_one_clear_line_and_exit_2(capsys, environ):
    assert main(["status"], environ | {"KALSHI_BOTS_MODE": "yolo"}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "KALSHI_BOTS_MODE='yolo' is not valid: expected one of paper, demo, live" in err
    assert "Traceback" not in err


def test_live_without_confirmation_is_refused(capsys, environ):
    env = environ | {"KALSHI_BOTS_MODE": "live", "KALSHI_BOTS_KALSHI_API_KEY_ID": "k"}
    assert main(["run"], env | {"KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM": "x"}) == 2
    assert "KALSHI_BOTS_LIVE_CONFIRM=yes" in capsys.readouterr().err


def test_runtime_failure_is_exit_1_one_line_and_traceback_only_with_debug(capsys, tmp_path):
    env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "missing-dir" / "k.db")}
    assert main(["db", "init"], env) == 1  # cannot create a file in a missing directory
    err = capsys.readouterr().err
    assert err.startswith("kalshi-bots db: failed:") and err.count("\n") == 1
    assert "Traceback" not in err
    assert main(["--debug", "db", "init"], env) == 1
    assert "Traceback" in capsys.readouterr().err


def test_settings_never_print_secrets(capsys, environ):
    secrets = {"KALSHI_BOTS_API_TOKEN": "tok-SECRET-1", "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM": "PEM-SECRET"}
    env = environ | secrets
    assert main(["settings"], env) == 0
    out = capsys.readouterr().out
    assert "tok-SECRET-1" not in out and "PEM-SECRET" not in out
    assert "KALSHI_BOTS_API_TOKEN" in out and "(set)" in out


def test_settings_markdown_lists_every_variable(capsys):
    assert main(["settings", "--markdown"], {}) == 0
    out = capsys.readouterr().out
    assert out.startswith("| Variable | Default | Meaning |")
    for var in VARIABLES:
        assert f"`{var.name}`" in out


def test_schedule_needs_no_settings(capsys):
    assert main(["schedule"], {"KALSHI_BOTS_MODE": "broken"}) == 0
    assert "Weather-6pm-8pm-ET" in capsys.readouterr().out


def test_db_init_halt_resume_and_status(capsys, environ):
    assert main(["db", "init"], environ) == 0
    assert main(["halt", "--reason", "testing"], environ) == 0
    assert main(["status"], environ) == 0
    out = capsys.readouterr().out
    assert "kill switch: ON - testing" in out
    assert "mode:        paper" in out and "budget btc-hourly  $25.00 left of $25.00" in out
    assert "prices BTC         last volatility update never" in out
    assert "weather bot: off: KALSHI_BOTS_NWS_CONTACT is not set" in out
    assert main(["resume"], environ) == 0
    assert main(["status"], environ) == 0
    assert "kill switch: off" in capsys.readouterr().out


def test_status_says_whether_the_weather_bot_runs_and_why(capsys, environ):
    assert main(["db", "init"], environ) == 0  # status only reads a store that exists
    assert main(["status"], environ | {"KALSHI_BOTS_NWS_CONTACT": "ops@example.com"}) == 0
    assert "weather bot: on; no run recorded in this store" in capsys.readouterr().out


def test_status_against_aws_points_at_the_stack_parameter():
    from kalshi_bots.config import Settings
    from kalshi_bots.entrypoints.cli_commands import weather_bot_state

    state = weather_bot_state(Settings.from_env({"KALSHI_BOTS_STORE": "dynamodb"}), [])
    assert state.startswith("no run recorded in this store") and "NwsContact parameter" in state


def trade(at: datetime, coid: str) -> TradeRecord:
    return TradeRecord(
        created_at=at,
        client_order_id=coid,
        bot=Bot.BTC_HOURLY,
        mode=Mode.PAPER,
        contract_ticker="KXBTCD-26MAY0411-T97499.99",
        side=Side.NO,
        quantity=3,
        price_cents=Decimal(62),
        btc_price=Decimal("97250.5"),
        strike_price=Decimal("97499.99"),
        model_prob=0.71,
        market_prob=0.62,
        edge=0.05,
        kelly_fraction=0.1,
        status=TradeStatus.EXECUTED,
        fill_count=Decimal(3),
    )


def test_trades_json_uses_the_spec_attribute_names_and_filters_by_date(capsys, environ):
    store = SqliteStore(environ["KALSHI_BOTS_SQLITE_PATH"])
    store.put_trade(trade(datetime(2026, 5, 4, 14, 45, 3, tzinfo=UTC), "a"))
    store.put_trade(trade(datetime(2026, 5, 5, 9, 45, 2, tzinfo=UTC), "b"))
    assert main(["trades", "--json"], environ) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and all(set(row) >= SPEC_TRADE_ATTRIBUTES for row in rows)
    assert rows[0]["edge"] == 5 and rows[0]["side"] == "NO" and rows[0]["price_cents"] == 62
    assert main(["trades", "--json", "--date", "2026-05-05"], environ) == 0
    assert [r["client_order_id"] for r in json.loads(capsys.readouterr().out)] == ["b"]
    assert main(["trades"], environ) == 0
    assert "KXBTCD-26MAY0411-T97499.99" in capsys.readouterr().out


def test_volatility_human_and_json(capsys, environ):
    store = SqliteStore(environ["KALSHI_BOTS_SQLITE_PATH"])
    assert main(["volatility", "--asset", "eth", "--json"], environ) == 0
    assert capsys.readouterr().out.strip() == "null"
    windows = (WindowVolatility(15, 16, 0.12, 0.3, 0.05), WindowVolatility(30, 10, None, None, None))
    store.put_volatility(VolatilitySnapshot(Asset.ETH, datetime.now(UTC), windows, Decimal("3000")))
    assert main(["volatility", "--asset", "ETH", "--json"], environ) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["asset"] == "ETH" and body["vol_15m_std"] == 0.12 and body["vol_30m_std"] is None
    assert 0 <= body["age_seconds"] < 60
    assert main(["volatility", "--asset", "ETH"], environ) == 0
    assert "n/a" in capsys.readouterr().out


def test_job_names_map_to_the_schedule_jobs():
    assert job_name("trade-hourly", None).value == "trade-hourly-btc"
    assert job_name("collect-prices", Asset.ETH).value == "collect-prices-eth"
    assert job_name("weather", None).value == "weather"
    now = datetime(2026, 5, 4, 14, 45, 31, tzinfo=UTC)
    assert parse_at(None, now) == datetime(2026, 5, 4, 14, 45, tzinfo=UTC)
    assert parse_at("2026-03-08T09:45:00-05:00", now) == datetime(2026, 3, 8, 14, 45, tzinfo=UTC)


def test_serve_without_token_refuses_with_exit_2(capsys, environ):
    assert main(["serve", "--port", "0"], environ) == 2
    assert "KALSHI_BOTS_API_TOKEN" in capsys.readouterr().err
    assert main(["serve", "--open", "--host", "0.0.0.0", "--port", "0"], environ) == 2
    assert "refusing to serve without a token" in capsys.readouterr().err


def test_help_and_parsing_need_no_valid_settings(capsys):
    # Settings are read after parsing: help must work on a machine whose settings are broken.
    assert main(["job", "--help"], {"KALSHI_BOTS_MODE": "yolo"}) == 0
    assert capsys.readouterr().out.startswith("usage: kalshi-bots job")
    # The lean parser (no backtester import) still parses every other command fully.
    args = build_parser(with_backtest=False).parse_args(["job", "trade-hourly", "--asset", "eth"])
    assert (args.command, args.name, args.asset, args.at) == ("job", "trade-hourly", Asset.ETH, None)


def test_live_banner_is_loud_and_names_the_kill_switch():
    from kalshi_bots.config import Settings
    from kalshi_bots.entrypoints.cli_banner import live_banner
    from kalshi_bots.entrypoints.scheduler import scheduled_jobs

    live = Settings.from_env(
        {
            "KALSHI_BOTS_MODE": "live",
            "KALSHI_BOTS_LIVE_CONFIRM": "yes",
            "KALSHI_BOTS_KALSHI_API_KEY_ID": "k",
            "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM": "p",
        }
    )
    banner = live_banner(live)
    assert "LIVE MODE: REAL ORDERS WITH REAL MONEY" in banner and "kalshi-bots halt" in banner
    assert "external-api.kalshi.com" in banner
    jobs = {j.value for j in scheduled_jobs(live)}
    assert "weather" not in jobs and "trade-hourly-eth" not in jobs  # no NWS contact, ETH off
    with_all = live.model_copy(
        update={"nws": live.nws.model_copy(update={"contact": "a@b.c"}), "trade_eth": True}
    )
    assert {"weather", "trade-hourly-eth"} <= {j.value for j in scheduled_jobs(with_all)}
