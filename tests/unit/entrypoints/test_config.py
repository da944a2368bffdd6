"""Settings.from_env: defaults, every kind of bad value, secrets never echoed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from kalshi_bots.config import (
    KALSHI_DEMO_URL,
    KALSHI_PROD_URL,
    VARIABLES,
    ConfigError,
    Settings,
    settings_markdown,
)
from kalshi_bots.config.sections import DEFAULT_CITIES
from kalshi_bots.domain.models import Mode

REPO = Path(__file__).resolve().parents[3]


def env(**values: str) -> dict[str, str]:
    return {f"KALSHI_BOTS_{k}": v for k, v in values.items()}


def leaf_fields(model: type[BaseModel], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every non-model field under ``model`` (walked here, not by the code under test)."""
    found = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found += leaf_fields(kind, (*path, name))
        else:
            found.append((*path, name))
    return found


def problem(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    return str(caught.value)


def test_defaults_are_paper_on_sqlite_with_prod_public_data():
    s = Settings.from_env({})
    assert s.mode is Mode.PAPER
    assert s.store.kind.value == "sqlite"
    assert s.store.sqlite_path == Path("kalshi-bots.db")
    assert s.kalshi_base_url == KALSHI_PROD_URL
    store = s.store
    assert (store.btc_price_table, store.eth_price_table, store.trade_log_table, store.budget_table) == (
        "BTCPriceHistory",
        "ETHPriceHistory",
        "BTCTradeLog",
        "KalshiTradingBudget",
    )
    assert s.weather.cities == DEFAULT_CITIES
    assert s.trade_eth is False
    assert s.api.token is None


def test_defaults_agree_with_the_variable_table():
    s = Settings.from_env({})
    for var in VARIABLES:
        if var.default_text:
            assert var.value_in(s) == var.parse(var.default_text), var.name


def test_settings_are_frozen():
    s = Settings.from_env({})
    with pytest.raises(ValueError):
        s.mode = Mode.LIVE  # type: ignore[misc]


def test_values_are_parsed():
    s = Settings.from_env(
        env(
            STORE="dynamodb",
            DYNAMODB_ENDPOINT_URL="http://127.0.0.1:8000/",
            BUDGET_GLOBAL="12.50",
            HOURLY_MIN_EDGE="0.05",
            HOURLY_MAX_CONTRACTS="3",
            TRADE_ETH="yes",
            WEATHER_CITIES="kxhighny, KXHIGHCHI",
            LOG_LEVEL="debug",
            API_TOKEN="s3cret",
        )
    )
    assert s.store.kind.value == "dynamodb"
    assert s.store.dynamodb_endpoint_url == "http://127.0.0.1:8000"
    assert s.budget.global_limit == Decimal("12.50")
    assert s.hourly.min_edge == 0.05
    assert s.hourly.max_contracts == 3
    assert s.trade_eth is True
    assert s.weather.cities == ("KXHIGHNY", "KXHIGHCHI")
    assert s.log_level == "DEBUG"
    assert s.api.token is not None and s.api.token.get_secret_value() == "s3cret"


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("MODE", "lve", "expected one of paper, demo, live"),
        ("STORE", "postgres", "expected one of sqlite, dynamodb"),
        ("LIVE_CONFIRM", "sure", "expected yes/no"),
        ("TRADE_ETH", "maybe", "expected yes/no"),
        ("BUDGET_GLOBAL", "-5", "non-negative amount in dollars"),
        ("BUDGET_WEATHER", "1.234", "at most 2 decimals"),
        ("DAILY_LOSS_LIMIT", "lots", "amount in dollars"),
        ("BUDGET_BTC_HOURLY", "NaN", "amount in dollars"),
        ("HOURLY_MIN_EDGE", "1.5", "at most 1"),
        ("HOURLY_MIN_EDGE", "inf", "at most 1"),
        ("HOURLY_KELLY_MULTIPLIER", "0", "greater than 0"),
        ("HOURLY_MAX_FRACTION", "x", "a number"),
        ("HOURLY_STRIKE_DISTANCE_BPS", "2.5", "whole number from 0 to 10000"),
        ("HOURLY_MAX_CONTRACTS", "0", "whole number from 1 to 1000"),
        ("WEATHER_MIN_EDGE", "-0.1", "at least 0"),
        ("WEATHER_MAX_CONTRACTS", "5000", "whole number from 1 to 1000"),
        ("WEATHER_CITIES", "NYC,KXHIGHCHI", "KXHIGH* series tickers"),
        ("PRICE_RETENTION_MINUTES", "60", "whole number from 121"),
        ("MAX_PRICE_JUMP_PCT", "0", "greater than 0"),
        ("API_PORT", "70000", "whole number from 1 to 65535"),
        ("LOG_LEVEL", "loud", "expected one of DEBUG, INFO, WARNING, ERROR"),
        ("HTTP_TIMEOUT_S", "0", "greater than 0"),
        ("HTTP_CONNECT_TIMEOUT_S", "ten", "a number"),
        ("COINBASE_BASE_URL", "api.exchange.coinbase.com", "http(s) URL"),
        ("KALSHI_BASE_URL", "ftp://x", "http(s) URL"),
        ("NWS_BASE_URL", "https://", "http(s) URL"),
        ("BTC_PRICE_TABLE", "a", "DynamoDB table name"),
        ("TRADE_LOG_TABLE", "bad name!", "DynamoDB table name"),
    ],
)
def test_every_bad_value_names_variable_value_and_what_is_allowed(name, value, allowed):
    message = problem(env(**{name: value}))
    assert f"KALSHI_BOTS_{name}={value!r}" in message
    assert allowed in message
    assert "\n" not in message


def test_all_problems_are_reported_at_once():
    message = problem(env(MODE="x", API_PORT="0"))
    assert "KALSHI_BOTS_MODE" in message and "KALSHI_BOTS_API_PORT" in message


def test_secrets_are_never_echoed():
    secret = "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQ...\n"
    s = Settings.from_env(env(API_TOKEN="tok-123456", KALSHI_PRIVATE_KEY_PEM=secret))
    for text in (repr(s), str(s), str(s.effective()), s.model_dump_json()):
        assert "tok-123456" not in text
        assert "MIIEvQ" not in text


def test_live_needs_confirmation():
    message = problem(env(MODE="live", KALSHI_API_KEY_ID="k", KALSHI_PRIVATE_KEY_PEM="pem"))
    assert "KALSHI_BOTS_LIVE_CONFIRM=yes" in message
    s = Settings.from_env(
        env(MODE="live", LIVE_CONFIRM="yes", KALSHI_API_KEY_ID="k", KALSHI_PRIVATE_KEY_PEM="p")
    )
    assert s.mode is Mode.LIVE and s.kalshi_base_url == KALSHI_PROD_URL


@pytest.mark.parametrize("mode", ["demo", "live"])
def test_signed_modes_need_a_key(mode):
    message = problem(env(MODE=mode, LIVE_CONFIRM="yes"))
    assert "KALSHI_BOTS_KALSHI_API_KEY_ID is required" in message
    assert (
        "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH (or KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM) is required" in message
    )


def test_key_file_must_exist(tmp_path):
    missing = tmp_path / "nope.pem"
    message = problem(env(MODE="demo", KALSHI_API_KEY_ID="k", KALSHI_PRIVATE_KEY_PATH=str(missing)))
    assert "no such file" in message and str(missing) in message
    key = tmp_path / "key.pem"
    key.write_text("placeholder")
    s = Settings.from_env(env(MODE="demo", KALSHI_API_KEY_ID="k", KALSHI_PRIVATE_KEY_PATH=str(key)))
    assert s.kalshi_base_url == KALSHI_DEMO_URL and s.kalshi.has_key


def test_both_key_sources_is_ambiguous(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    message = problem(env(KALSHI_PRIVATE_KEY_PATH=str(key), KALSHI_PRIVATE_KEY_PEM="pem"))
    assert "both set" in message


def test_dynamodb_endpoint_with_sqlite_is_a_contradiction():
    assert "KALSHI_BOTS_STORE" in problem(env(DYNAMODB_ENDPOINT_URL="http://127.0.0.1:8000"))


def test_a_misspelt_variable_is_reported_with_the_right_name():
    message = problem({"KALSHI_BOTS_MDOE": "live"})
    assert "KALSHI_BOTS_MDOE is not a setting: did you mean KALSHI_BOTS_MODE?" in message


def test_unrelated_prefixed_variables_are_left_alone():
    assert Settings.from_env({"KALSHI_BOTS_SOMETHING_ELSE_ENTIRELY": "1", "PATH": "/bin"}).mode is Mode.PAPER


def test_base_url_override_wins_and_sandbox_copy_points_everything_elsewhere():
    s = Settings.from_env(env(KALSHI_BASE_URL="http://127.0.0.1:9/trade-api/v2"))
    assert s.kalshi_base_url == "http://127.0.0.1:9/trade-api/v2"
    moved = Settings.from_env({}).with_base_urls(kalshi="http://a/k", coinbase="http://b", nws="http://c")
    assert (moved.kalshi_base_url, moved.coinbase.base_url, moved.nws.base_url) == (
        "http://a/k",
        "http://b",
        "http://c",
    )


def test_nws_user_agent_carries_the_contact():
    assert "ops@example.com" in Settings.from_env(env(NWS_CONTACT="ops@example.com")).nws.user_agent


def test_describe_lists_every_variable_once_with_a_meaning():
    rows = Settings.describe()
    names = [name for name, _, _ in rows]
    assert len(names) == len(set(names)) == len(VARIABLES)
    assert all(meaning for _, _, meaning in rows)
    assert {v.path for v in VARIABLES} == set(leaf_fields(Settings))


def test_readme_settings_table_is_the_generated_one():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| Variable | Default | Meaning |")
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    in_readme = "\n".join(lines[start:end])
    assert in_readme == settings_markdown(), (
        "README.md's settings table differs from the settings' descriptions: replace it with the output "
        "of `kalshi-bots settings --markdown` (from the repository root: "
        "`.venv/bin/kalshi-bots settings --markdown`)"
    )
