"""Every ``KALSHI_BOTS_*`` setting, once: its section, variable, parser, default and description.

The variable names are a public interface (users have them set): a field may move or be renamed, its
variable never changes. Defaults of the trading parameters are the domain's own
(:mod:`kalshi_bots.domain.params` and the bots' ``*Params``); sections with ``PARAMS`` build those
values by field name (:mod:`.setting`).
"""

# No `from __future__ import annotations`: pydantic would evaluate every field's string annotation
# when the class is defined, a few ms of each Lambda cold start.

from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr

from kalshi_bots.config.parsers import (
    choice,
    cities,
    contact,
    dollars,
    file_path,
    float_range,
    int_range,
    minutes_text,
    minutes_within,
    secret,
    table,
    tail_nu,
    text,
    time_or_off,
    time_or_off_text,
    url,
    webhook_urls,
    yes_no,
)
from kalshi_bots.config.setting import Reasons, Section, Sources, section, setting
from kalshi_bots.domain.hourly_model import MAX_WINDOW_MINUTES, ModelName, hourly_model
from kalshi_bots.domain.markets import RECORDER_WINDOW
from kalshi_bots.domain.models import TRADING_BOTS, Bot, BudgetLimits
from kalshi_bots.domain.params import (
    AlertParams,
    EdgeParams,
    HourlyParams,
    RecorderParams,
    default_budget,
)
from kalshi_bots.domain.weather_model import WeatherParams

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

_HOURLY, _MODEL, _WEATHER = HourlyParams(), hourly_model(), WeatherParams()
_BUDGET, _RECORDER, _EDGE, _ALERTS = default_budget(), RecorderParams(), EdgeParams(), AlertParams()
_BOT_BUDGET = dict(_BUDGET.per_bot)


class StoreKind(StrEnum):
    SQLITE = "sqlite"
    DYNAMODB = "dynamodb"


class StoreSettings(Section):
    kind: StoreKind = setting(
        "STORE",
        choice(StoreKind),
        StoreKind.SQLITE,
        "Where tables live: one SQLite file (local) or DynamoDB (AWS).",
    )
    sqlite_path: Path = setting(
        "SQLITE_PATH",
        file_path,
        Path("kalshi-bots.db"),
        "SQLite file, relative to the working directory unless absolute (created if missing).",
    )
    btc_price_table: str = setting(
        "BTC_PRICE_TABLE", table, "BTCPriceHistory", "DynamoDB table of BTC prices."
    )
    eth_price_table: str = setting(
        "ETH_PRICE_TABLE", table, "ETHPriceHistory", "DynamoDB table of ETH prices."
    )
    trade_log_table: str = setting("TRADE_LOG_TABLE", table, "BTCTradeLog", "DynamoDB trade log table.")
    budget_table: str = setting(
        "BUDGET_TABLE",
        table,
        "KalshiTradingBudget",
        "DynamoDB table of budgets, kill switch, job runs and paper wallet.",
    )
    dynamodb_endpoint_url: str | None = setting(
        "DYNAMODB_ENDPOINT_URL", url, None, "DynamoDB endpoint override (e.g. DynamoDB Local); unset = AWS."
    )
    aws_region: str | None = setting(
        "AWS_REGION",
        text,
        None,
        "AWS region for DynamoDB; unset = boto3's default chain (AWS_REGION on Lambda).",
    )


class KalshiSettings(Section):
    api_key_id: str | None = setting(
        "KALSHI_API_KEY_ID", text, None, "Kalshi API key id (demo and live only)."
    )
    private_key_path: Path | None = setting(
        "KALSHI_PRIVATE_KEY_PATH",
        file_path,
        None,
        "File holding the Kalshi RSA private key in PEM (demo and live; or use ..._PEM).",
    )
    private_key_pem: SecretStr | None = setting(
        "KALSHI_PRIVATE_KEY_PEM",
        secret,
        None,
        "The Kalshi RSA private key itself, PEM text (alternative to ..._PATH).",
        secret=True,
    )
    base_url_override: str | None = setting(
        "KALSHI_BASE_URL",
        url,
        None,
        f"Kalshi REST base URL; unset = {KALSHI_PROD_URL} (paper, live) or {KALSHI_DEMO_URL} (demo).",
    )

    @property
    def has_key(self) -> bool:
        return bool(self.api_key_id) and (
            self.private_key_path is not None or self.private_key_pem is not None
        )


class CoinbaseSettings(Section):
    base_url: str = setting("COINBASE_BASE_URL", url, COINBASE_URL, "Coinbase Exchange REST base URL.")


class NwsSettings(Section):
    base_url: str = setting("NWS_BASE_URL", url, NWS_URL, "National Weather Service API base URL.")
    contact: str | None = setting(
        "NWS_CONTACT",
        contact,
        None,
        "Your e-mail or site, sent in the NWS User-Agent as NWS requires; unset = weather bot off.",
    )

    @property
    def user_agent(self) -> str | None:
        """NWS asks every client for a contact; without one the weather bot stays off."""
        return None if self.contact is None else f"(kalshi-bots, {self.contact})"


def _budget_field(bot: Bot) -> str:
    """The BudgetSettings field holding ``bot``'s daily cap (``btc-hourly`` -> ``btc_hourly``)."""
    return bot.value.replace("-", "_")


class BudgetSettings(Section):
    PARAMS = BudgetLimits
    # One cap per trading bot, found by name: a bot without a field fails the drift test.
    DERIVED: ClassVar[Sources] = {"per_bot": tuple(_budget_field(bot) for bot in TRADING_BOTS)}

    global_limit: Decimal = setting(
        "BUDGET_GLOBAL",
        dollars,
        _BUDGET.global_limit,
        "Daily spend cap in dollars across all bots (ET day).",
    )
    btc_hourly: Decimal = setting(
        "BUDGET_BTC_HOURLY",
        dollars,
        _BOT_BUDGET[Bot.BTC_HOURLY],
        "Daily spend cap in dollars of the BTC hourly bot.",
    )
    eth_hourly: Decimal = setting(
        "BUDGET_ETH_HOURLY",
        dollars,
        _BOT_BUDGET[Bot.ETH_HOURLY],
        "Daily spend cap in dollars of the ETH hourly bot.",
    )
    weather: Decimal = setting(
        "BUDGET_WEATHER",
        dollars,
        _BOT_BUDGET[Bot.WEATHER],
        "Daily spend cap in dollars of the weather bot.",
    )
    daily_loss_limit: Decimal = setting(
        "DAILY_LOSS_LIMIT",
        dollars,
        _BUDGET.daily_loss_limit,
        "Stop trading for the day once realized losses reach this many dollars (0 = no halt).",
    )

    def derived(self) -> dict[str, Any]:
        return {"per_bot": tuple((bot, getattr(self, _budget_field(bot))) for bot in TRADING_BOTS)}


class HourlyModelSettings(Section):
    PARAMS = hourly_model
    DERIVED: ClassVar[Sources] = {"tail_nu": ("tail_nu",)}

    name: ModelName = setting(
        "HOURLY_MODEL",
        choice(ModelName),
        ModelName(_MODEL.name),
        "Hourly bot: ewma-t (EWMA-20 of 1-minute returns, Student-t, 60 s settlement average), sample-t "
        "(15-minute sample sd, Student-t: the model before) or spec (15-minute sample sd, normal law).",
    )
    tail_nu: float = setting(
        "HOURLY_TAIL_NU",
        tail_nu,
        _MODEL.tail_nu or 0.0,
        "Hourly bot: Student-t degrees of freedom of ewma-t and sample-t; 0 = normal law.",
    )
    half_life_minutes: float = setting(
        "HOURLY_EWMA_HALF_LIFE_MINUTES",
        float_range(0, 600, low_open=True),
        _MODEL.half_life_minutes,
        "Hourly bot, ewma-t: half-life in minutes of the weights on squared 1-minute returns.",
    )
    window_minutes: int = setting(
        "HOURLY_EWMA_WINDOW_MINUTES",
        int_range(2, MAX_WINDOW_MINUTES),
        _MODEL.window_minutes,
        "Hourly bot, ewma-t: minutes of returns used (VOL/LATEST keeps 120).",
    )
    min_returns: int = setting(
        "HOURLY_EWMA_MIN_RETURNS",
        int_range(2, MAX_WINDOW_MINUTES),
        _MODEL.min_returns,
        "Hourly bot, ewma-t: refuse (vol_insufficient) with fewer 1-minute returns in the window.",
    )

    def derived(self) -> dict[str, Any]:
        return {"tail_nu": self.tail_nu or None}  # the setting's 0 is the model's None: the normal law


class HourlySettings(Section):
    PARAMS = HourlyParams
    FIXED: ClassVar[Reasons] = {
        "max_vol_age_s": "staleness limits are part of the rule (docs/model.md), not a tuning knob",
        "max_price_age_s": "staleness limits are part of the rule (docs/model.md), not a tuning knob",
    }

    min_edge: float = setting(
        "HOURLY_MIN_EDGE",
        float_range(0, 1),
        _HOURLY.min_edge,
        "Hourly bot: minimum edge (probability, 0.03 = 3 points) after fees.",
    )
    strike_distance_bps: int = setting(
        "HOURLY_STRIKE_DISTANCE_BPS",
        int_range(0, 10_000),
        _HOURLY.strike_distance_bps,
        "Hourly bot: first strike at least this many bps above spot.",
    )
    kelly_multiplier: float = setting(
        "HOURLY_KELLY_MULTIPLIER",
        float_range(0, 1, low_open=True),
        _HOURLY.kelly_multiplier,
        "Hourly bot: fraction of full Kelly (0.25 = quarter Kelly).",
    )
    max_fraction: float = setting(
        "HOURLY_MAX_FRACTION",
        float_range(0, 1, low_open=True),
        _HOURLY.max_fraction,
        "Hourly bot: cap on the bankroll fraction per trade.",
    )
    max_contracts: int = setting(
        "HOURLY_MAX_CONTRACTS",
        int_range(1, 1000),
        _HOURLY.max_contracts,
        "Hourly bot: most contracts per order.",
    )
    model: HourlyModelSettings = section(HourlyModelSettings)


class WeatherSettings(Section):
    PARAMS = WeatherParams
    FIXED: ClassVar[Reasons] = {
        name: "the forecast-error model (feeds.md C.6), refit from settled history, not a tuning knob"
        for name in ("sigma_day_ahead_f", "sigma_same_day_f", "sigma_late_f", "observed_bias_f")
    }

    min_edge: float = setting(
        "WEATHER_MIN_EDGE",
        float_range(0, 1),
        _WEATHER.min_edge,
        "Weather bot: minimum edge (probability) after fees.",
    )
    kelly_multiplier: float = setting(
        "WEATHER_KELLY_MULTIPLIER",
        float_range(0, 1, low_open=True),
        _WEATHER.kelly_multiplier,
        "Weather bot: fraction of full Kelly.",
    )
    max_fraction: float = setting(
        "WEATHER_MAX_FRACTION",
        float_range(0, 1, low_open=True),
        _WEATHER.max_fraction,
        "Weather bot: cap on the bankroll fraction per trade.",
    )
    max_contracts: int = setting(
        "WEATHER_MAX_CONTRACTS",
        int_range(1, 1000),
        _WEATHER.max_contracts,
        "Weather bot: most contracts per order.",
    )
    # Not the domain's default (every known city): adding a city to the table must not start trading it.
    cities: tuple[str, ...] = setting(
        "WEATHER_CITIES", cities, DEFAULT_CITIES, "Weather bot: comma-separated KXHIGH* series to trade."
    )


class RecorderSettings(Section):
    PARAMS = RecorderParams
    FIXED: ClassVar[Reasons] = {
        "settle_lookback_hours": "how far back settlements are asked for: bounded by the TTL, not tuned",
        "settle_per_run": "caps the settlement lookups of one run (the :45 run must stay short)",
    }

    minutes: tuple[int, ...] = setting(
        "RECORDER_MINUTES",
        minutes_within(RECORDER_WINDOW[0], RECORDER_WINDOW[-1]),
        _RECORDER.minutes,
        "Market recorder: minutes of the :45-:59 window that snapshot the hourly ladders (e.g. 45,50,55; "
        "none = no minute snapshots; decisions and settlements are recorded anyway).",
        show=minutes_text,
    )
    ttl_days: int = setting(
        "RECORDER_TTL_DAYS",
        int_range(1, 3650),
        _RECORDER.ttl_days,
        "Market recorder: days snapshots and results are kept (DynamoDB TTL; SQLite: the cleanup job). "
        "Export them before they expire.",
    )


class EdgeSettings(Section):
    PARAMS = EdgeParams

    min_decisions: int = setting(
        "EDGE_MIN_DECISIONS",
        int_range(1, 1_000_000),
        _EDGE.min_decisions,
        "Edge gate: live orders need at least this many scored decisions in the bot's scorecard.",
    )
    live_without_edge: bool = setting(
        "LIVE_WITHOUT_EDGE",
        yes_no,
        _EDGE.live_without_edge,
        "yes = live orders even when the scorecard shows no edge (override of the edge gate; logged loudly).",
    )


class ApiSettings(Section):
    token: SecretStr | None = setting(
        "API_TOKEN",
        secret,
        None,
        "Bearer token of the volatility API (`serve`); required unless --open on localhost.",
        secret=True,
    )
    host: str = setting("API_HOST", text, "127.0.0.1", "Address the volatility API listens on.")
    port: int = setting("API_PORT", int_range(1, 65_535), 8080, "Port the volatility API listens on.")


class DashboardSettings(Section):
    token: SecretStr | None = setting(
        "DASHBOARD_TOKEN",
        secret,
        None,
        "Token of the web dashboard; unset = a new one each start, printed in the URL (localhost only).",
        secret=True,
    )
    host: str = setting("DASHBOARD_HOST", text, "127.0.0.1", "Address the dashboard listens on.")
    port: int = setting("DASHBOARD_PORT", int_range(1, 65_535), 8765, "Port of the web dashboard.")


class AlertSettings(Section):
    PARAMS = AlertParams
    FIXED: ClassVar[Reasons] = {
        "summary_window": "how late the daily summary may still go out: tied to the schedule"
    }
    ELSEWHERE: ClassVar[Reasons] = {"webhooks": "the webhook notifier (bootstrap.build_notifier)"}

    webhooks: SecretStr | None = setting(
        "ALERT_WEBHOOKS",
        webhook_urls,
        None,
        "Comma-separated webhook URLs for alerts (Slack, Discord, Telegram bot API, or any JSON receiver).",
        secret=True,
    )
    summary_at: time | None = setting(
        "ALERT_SUMMARY_AT",
        time_or_off,
        _ALERTS.summary_at,
        "New York time of the daily summary alert (HH:MM), or off.",
        show=time_or_off_text,
    )
    no_trade_streak: int = setting(
        "ALERT_NO_TRADE_STREAK",
        int_range(0, 10_000),
        _ALERTS.no_trade_streak,
        "Alert when a trading job refuses this many runs in a row (0 = never).",
    )
    error_streak: int = setting(
        "ALERT_ERROR_STREAK",
        int_range(0, 10_000),
        _ALERTS.error_streak,
        "Alert when a job fails this many runs in a row (0 = never).",
    )

    def to_params(self) -> AlertParams:
        params: AlertParams = self.params()
        return params


class HttpSettings(Section):
    timeout_s: float = setting(
        "HTTP_TIMEOUT_S",
        float_range(0, 120, low_open=True),
        10.0,
        "Seconds to wait for an HTTP reply (Kalshi, Coinbase, NWS).",
    )
    connect_timeout_s: float = setting(
        "HTTP_CONNECT_TIMEOUT_S",
        float_range(0, 60, low_open=True),
        5.0,
        "Seconds to wait for an HTTP connection.",
    )
