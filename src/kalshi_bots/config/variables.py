"""The table of every ``KALSHI_BOTS_*`` variable: its field, parser, default and meaning.

It drives ``Settings.from_env``, ``Settings.describe`` (the README table) and the error messages.
Defaults come from the job parameter dataclasses so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kalshi_bots.app.alert_params import AlertParams
from kalshi_bots.app.deps import HourlyParams, JobParams, WeatherParams
from kalshi_bots.config.parsers import (
    choice,
    cities,
    contact,
    dollars,
    file_path,
    float_range,
    int_range,
    log_level,
    secret,
    table,
    tail_nu,
    text,
    time_or_off,
    url,
    webhook_urls,
    yes_no,
)
from kalshi_bots.domain.hourly_model import MAX_WINDOW_MINUTES, ModelName

PREFIX = "KALSHI_BOTS_"
KALSHI_PROD_URL = "https://external-api.kalshi.com/trade-api/v2"
KALSHI_DEMO_URL = "https://external-api.demo.kalshi.co/trade-api/v2"
COINBASE_URL = "https://api.exchange.coinbase.com"
NWS_URL = "https://api.weather.gov"
# The seven original daily-high series (reference: kalshi-api.md "Weather series").
DEFAULT_CITIES: tuple[str, ...] = (
    "KXHIGHNY",
    "KXHIGHCHI",
    "KXHIGHMIA",
    "KXHIGHAUS",
    "KXHIGHDEN",
    "KXHIGHLAX",
    "KXHIGHPHIL",
)


@dataclass(frozen=True, slots=True)
class Variable:
    """One environment variable: ``KALSHI_BOTS_<suffix>`` -> ``Settings.<field>``."""

    suffix: str
    field: str
    parse: Callable[[str], Any]
    default: str  # as shown to users; "" = unset
    meaning: str
    secret: bool = False

    @property
    def name(self) -> str:
        return PREFIX + self.suffix


H, W, J, A = HourlyParams(), WeatherParams(), JobParams(), AlertParams()
BUDGET = dict(J.budget.per_bot)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "MODE",
        "mode",
        choice("paper", "demo", "live"),
        "paper",
        "Where orders go: paper (simulated fills on real public data), demo (Kalshi demo), live.",
    ),
    Variable(
        "LIVE_CONFIRM",
        "live_confirm",
        yes_no,
        "no",
        "Must be yes when MODE=live: live trading is never chosen by accident.",
    ),
    Variable(
        "STORE",
        "store",
        choice("sqlite", "dynamodb"),
        "sqlite",
        "Where tables live: one SQLite file (local) or DynamoDB (AWS).",
    ),
    Variable(
        "SQLITE_PATH",
        "sqlite_path",
        file_path,
        "./kalshi-bots.db",
        "SQLite file, relative to the working directory unless absolute (created if missing).",
    ),
    Variable("BTC_PRICE_TABLE", "btc_price_table", table, "BTCPriceHistory", "DynamoDB table of BTC prices."),
    Variable("ETH_PRICE_TABLE", "eth_price_table", table, "ETHPriceHistory", "DynamoDB table of ETH prices."),
    Variable("TRADE_LOG_TABLE", "trade_log_table", table, "BTCTradeLog", "DynamoDB trade log table."),
    Variable(
        "BUDGET_TABLE",
        "budget_table",
        table,
        "KalshiTradingBudget",
        "DynamoDB table of budgets, kill switch, job runs and paper wallet.",
    ),
    Variable(
        "DYNAMODB_ENDPOINT_URL",
        "dynamodb_endpoint_url",
        url,
        "",
        "DynamoDB endpoint override (e.g. DynamoDB Local); unset = AWS.",
    ),
    Variable(
        "AWS_REGION",
        "aws_region",
        text,
        "",
        "AWS region for DynamoDB; unset = boto3's default chain (AWS_REGION on Lambda).",
    ),
    Variable("KALSHI_API_KEY_ID", "kalshi_api_key_id", text, "", "Kalshi API key id (demo and live only)."),
    Variable(
        "KALSHI_PRIVATE_KEY_PATH",
        "kalshi_private_key_path",
        file_path,
        "",
        "File holding the Kalshi RSA private key in PEM (demo and live; or use ..._PEM).",
    ),
    Variable(
        "KALSHI_PRIVATE_KEY_PEM",
        "kalshi_private_key_pem",
        secret,
        "",
        "The Kalshi RSA private key itself, PEM text (alternative to ..._PATH).",
        secret=True,
    ),
    Variable(
        "KALSHI_BASE_URL",
        "kalshi_base_url_override",
        url,
        "",
        f"Kalshi REST base URL; unset = {KALSHI_PROD_URL} (paper, live) or {KALSHI_DEMO_URL} (demo).",
    ),
    Variable("COINBASE_BASE_URL", "coinbase_base_url", url, COINBASE_URL, "Coinbase Exchange REST base URL."),
    Variable("NWS_BASE_URL", "nws_base_url", url, NWS_URL, "National Weather Service API base URL."),
    Variable(
        "NWS_CONTACT",
        "nws_contact",
        contact,
        "",
        "Your e-mail or site, sent in the NWS User-Agent as NWS requires; unset = weather bot off.",
    ),
    Variable(
        "BUDGET_GLOBAL",
        "budget_global",
        dollars,
        str(J.budget.global_limit),
        "Daily spend cap in dollars across all bots (ET day).",
    ),
    Variable(
        "BUDGET_BTC_HOURLY",
        "budget_btc_hourly",
        dollars,
        str(BUDGET["btc-hourly"]),
        "Daily spend cap in dollars of the BTC hourly bot.",
    ),
    Variable(
        "BUDGET_ETH_HOURLY",
        "budget_eth_hourly",
        dollars,
        str(BUDGET["eth-hourly"]),
        "Daily spend cap in dollars of the ETH hourly bot.",
    ),
    Variable(
        "BUDGET_WEATHER",
        "budget_weather",
        dollars,
        str(BUDGET["weather"]),
        "Daily spend cap in dollars of the weather bot.",
    ),
    Variable(
        "DAILY_LOSS_LIMIT",
        "daily_loss_limit",
        dollars,
        str(J.budget.daily_loss_limit),
        "Stop trading for the day once realized losses reach this many dollars (0 = no halt).",
    ),
    Variable(
        "HOURLY_MIN_EDGE",
        "hourly_min_edge",
        float_range(0, 1),
        str(H.min_edge),
        "Hourly bot: minimum edge (probability, 0.03 = 3 points) after fees.",
    ),
    Variable(
        "HOURLY_STRIKE_DISTANCE_BPS",
        "hourly_strike_distance_bps",
        int_range(0, 10_000),
        str(H.strike_distance_bps),
        "Hourly bot: first strike at least this many bps above spot.",
    ),
    Variable(
        "HOURLY_KELLY_MULTIPLIER",
        "hourly_kelly_multiplier",
        float_range(0, 1, low_open=True),
        str(H.kelly_multiplier),
        "Hourly bot: fraction of full Kelly (0.25 = quarter Kelly).",
    ),
    Variable(
        "HOURLY_MAX_FRACTION",
        "hourly_max_fraction",
        float_range(0, 1, low_open=True),
        str(H.max_fraction),
        "Hourly bot: cap on the bankroll fraction per trade.",
    ),
    Variable(
        "HOURLY_MAX_CONTRACTS",
        "hourly_max_contracts",
        int_range(1, 1000),
        str(H.max_contracts),
        "Hourly bot: most contracts per order.",
    ),
    Variable(
        "HOURLY_MODEL",
        "hourly_model",
        choice(*(m.value for m in ModelName)),
        str(H.model.name),
        "Hourly bot: ewma-t (EWMA-20 of 1-minute returns, Student-t, 60 s settlement average), sample-t "
        "(15-minute sample sd, Student-t: the model before) or spec (15-minute sample sd, normal law).",
    ),
    Variable(
        "HOURLY_TAIL_NU",
        "hourly_tail_nu",
        tail_nu,
        str(H.model.tail_nu or 0),
        "Hourly bot: Student-t degrees of freedom of ewma-t and sample-t; 0 = normal law.",
    ),
    Variable(
        "HOURLY_EWMA_HALF_LIFE_MINUTES",
        "hourly_ewma_half_life_minutes",
        float_range(0, 600, low_open=True),
        f"{H.model.half_life_minutes:g}",
        "Hourly bot, ewma-t: half-life in minutes of the weights on squared 1-minute returns.",
    ),
    Variable(
        "HOURLY_EWMA_WINDOW_MINUTES",
        "hourly_ewma_window_minutes",
        int_range(2, MAX_WINDOW_MINUTES),
        str(H.model.window_minutes),
        "Hourly bot, ewma-t: minutes of returns used (VOL/LATEST keeps 120).",
    ),
    Variable(
        "HOURLY_EWMA_MIN_RETURNS",
        "hourly_ewma_min_returns",
        int_range(2, MAX_WINDOW_MINUTES),
        str(H.model.min_returns),
        "Hourly bot, ewma-t: refuse (vol_insufficient) with fewer 1-minute returns in the window.",
    ),
    Variable(
        "WEATHER_MIN_EDGE",
        "weather_min_edge",
        float_range(0, 1),
        str(W.min_edge),
        "Weather bot: minimum edge (probability) after fees.",
    ),
    Variable(
        "WEATHER_KELLY_MULTIPLIER",
        "weather_kelly_multiplier",
        float_range(0, 1, low_open=True),
        str(W.kelly_multiplier),
        "Weather bot: fraction of full Kelly.",
    ),
    Variable(
        "WEATHER_MAX_FRACTION",
        "weather_max_fraction",
        float_range(0, 1, low_open=True),
        str(W.max_fraction),
        "Weather bot: cap on the bankroll fraction per trade.",
    ),
    Variable(
        "WEATHER_MAX_CONTRACTS",
        "weather_max_contracts",
        int_range(1, 1000),
        str(W.max_contracts),
        "Weather bot: most contracts per order.",
    ),
    Variable(
        "WEATHER_CITIES",
        "weather_cities",
        cities,
        ",".join(DEFAULT_CITIES),
        "Weather bot: comma-separated KXHIGH* series to trade.",
    ),
    Variable("TRADE_ETH", "trade_eth", yes_no, "no", "Also run the hourly bot on ETH (KXETHD) at :45."),
    Variable(
        "PRICE_RETENTION_MINUTES",
        "price_retention_minutes",
        int_range(121, 525_600),
        str(J.price_retention_minutes),
        "Cleanup deletes price rows older than this (> 120).",
    ),
    Variable(
        "MAX_PRICE_JUMP_PCT",
        "max_price_jump_pct",
        float_range(0, 100, low_open=True),
        str(J.max_price_jump_pct),
        "Collector rejects a price this many % from the last one; the hourly bot refuses such a spot.",
    ),
    Variable(
        "API_TOKEN",
        "api_token",
        secret,
        "",
        "Bearer token of the volatility API (`serve`); required unless --open on localhost.",
        secret=True,
    ),
    Variable("API_HOST", "api_host", text, "127.0.0.1", "Address the volatility API listens on."),
    Variable("API_PORT", "api_port", int_range(1, 65_535), "8080", "Port the volatility API listens on."),
    Variable(
        "DASHBOARD_TOKEN",
        "dashboard_token",
        secret,
        "",
        "Token of the web dashboard; unset = a new one each start, printed in the URL (localhost only).",
        secret=True,
    ),
    Variable("DASHBOARD_HOST", "dashboard_host", text, "127.0.0.1", "Address the dashboard listens on."),
    Variable("DASHBOARD_PORT", "dashboard_port", int_range(1, 65_535), "8765", "Port of the web dashboard."),
    Variable(
        "ALERT_WEBHOOKS",
        "alert_webhooks",
        webhook_urls,
        "",
        "Comma-separated webhook URLs for alerts (Slack, Discord, Telegram bot API, or any JSON receiver).",
        secret=True,
    ),
    Variable(
        "ALERT_SUMMARY_AT",
        "alert_summary_at",
        time_or_off,
        A.summary_at.strftime("%H:%M") if A.summary_at else "off",
        "New York time of the daily summary alert (HH:MM), or off.",
    ),
    Variable(
        "ALERT_NO_TRADE_STREAK",
        "alert_no_trade_streak",
        int_range(0, 10_000),
        str(A.no_trade_streak),
        "Alert when a trading job refuses this many runs in a row (0 = never).",
    ),
    Variable(
        "ALERT_ERROR_STREAK",
        "alert_error_streak",
        int_range(0, 10_000),
        str(A.error_streak),
        "Alert when a job fails this many runs in a row (0 = never).",
    ),
    Variable(
        "LOG_LEVEL",
        "log_level",
        log_level,
        "INFO",
        "Level of the JSON log (file, and stderr when not a terminal).",
    ),
    Variable(
        "HTTP_TIMEOUT_S",
        "http_timeout_s",
        float_range(0, 120, low_open=True),
        "10",
        "Seconds to wait for an HTTP reply (Kalshi, Coinbase, NWS).",
    ),
    Variable(
        "HTTP_CONNECT_TIMEOUT_S",
        "http_connect_timeout_s",
        float_range(0, 60, low_open=True),
        "5",
        "Seconds to wait for an HTTP connection.",
    ),
)
BY_NAME = {v.name: v for v in VARIABLES}
