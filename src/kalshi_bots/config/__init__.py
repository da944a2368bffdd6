"""Typed settings read from ``KALSHI_BOTS_*`` environment variables, validated at startup.

One table (:data:`kalshi_bots.config.variables.VARIABLES`) lists every variable once: its field,
parser, default and meaning. It drives :meth:`Settings.from_env`, :meth:`Settings.describe` (the
README's settings table, printed by ``kalshi-bots settings --markdown``) and the error messages, so
the three cannot disagree.

Every bad value raises :class:`ConfigError` naming the variable, the value and what is allowed. A
value is never echoed when the variable is a secret or when the value looks like key material
(:func:`kalshi_bots.domain.redaction.looks_like_key_material`): key material in a non-secret variable
(PEM pasted into ``KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH``) is refused, since those are printed by
``kalshi-bots settings``. Nothing falls back silently to a default once a variable is set.

A private key *file* accessible by group or others is refused in live mode (like ``ssh`` does) and
warned about when the key is loaded in demo mode (:mod:`kalshi_bots.adapters.kalshi.auth`).
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from kalshi_bots.config.parsers import BadValueError
from kalshi_bots.config.variables import (
    BUDGET,
    BY_NAME,
    COINBASE_URL,
    DEFAULT_CITIES,
    KALSHI_DEMO_URL,
    KALSHI_PROD_URL,
    NWS_URL,
    PREFIX,
    VARIABLES,
    A,
    H,
    J,
    W,
)
from kalshi_bots.domain.models import Mode
from kalshi_bots.domain.redaction import HIDDEN, looks_like_key_material, shown


class StoreKind(StrEnum):
    SQLITE = "sqlite"
    DYNAMODB = "dynamodb"


class ConfigError(ValueError):
    """A setting is missing or malformed. ``problems`` holds one line per bad variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Settings(BaseModel):
    """Validated settings. Build with :meth:`from_env`; defaults match :data:`VARIABLES`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = Mode.PAPER
    live_confirm: bool = False
    store: StoreKind = StoreKind.SQLITE
    sqlite_path: Path = Path("./kalshi-bots.db")
    btc_price_table: str = "BTCPriceHistory"
    eth_price_table: str = "ETHPriceHistory"
    trade_log_table: str = "BTCTradeLog"
    budget_table: str = "KalshiTradingBudget"
    dynamodb_endpoint_url: str | None = None
    aws_region: str | None = None
    kalshi_api_key_id: str | None = None
    kalshi_private_key_path: Path | None = None
    kalshi_private_key_pem: SecretStr | None = None
    kalshi_base_url_override: str | None = None
    coinbase_base_url: str = COINBASE_URL
    nws_base_url: str = NWS_URL
    nws_contact: str | None = None
    budget_global: Decimal = J.budget.global_limit
    budget_btc_hourly: Decimal = BUDGET["btc-hourly"]
    budget_eth_hourly: Decimal = BUDGET["eth-hourly"]
    budget_weather: Decimal = BUDGET["weather"]
    daily_loss_limit: Decimal = J.budget.daily_loss_limit
    hourly_min_edge: float = H.min_edge
    hourly_strike_distance_bps: int = H.strike_distance_bps
    hourly_kelly_multiplier: float = H.kelly_multiplier
    hourly_max_fraction: float = H.max_fraction
    hourly_max_contracts: int = H.max_contracts
    hourly_model: str = H.model.name
    hourly_tail_nu: float = H.model.tail_nu or 0.0
    hourly_ewma_half_life_minutes: float = H.model.half_life_minutes
    hourly_ewma_window_minutes: int = H.model.window_minutes
    hourly_ewma_min_returns: int = H.model.min_returns
    weather_min_edge: float = W.min_edge
    weather_kelly_multiplier: float = W.kelly_multiplier
    weather_max_fraction: float = W.max_fraction
    weather_max_contracts: int = W.max_contracts
    weather_cities: tuple[str, ...] = DEFAULT_CITIES
    trade_eth: bool = False
    price_retention_minutes: int = J.price_retention_minutes
    max_price_jump_pct: float = J.max_price_jump_pct
    api_token: SecretStr | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    dashboard_token: SecretStr | None = None
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8765
    alert_webhooks: SecretStr | None = None
    alert_summary_at: time | None = A.summary_at
    alert_no_trade_streak: int = A.no_trade_streak
    alert_error_streak: int = A.error_streak
    log_level: str = "INFO"
    http_timeout_s: float = 10.0
    http_connect_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read every ``KALSHI_BOTS_*`` variable; raise :class:`ConfigError` listing all problems."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for var in VARIABLES:
            raw = environ.get(var.name)
            if raw is None or raw.strip() == "":
                continue
            if not var.secret and looks_like_key_material(raw):
                problems.append(f"{var.name}={HIDDEN} is not valid: {_key_material_advice(var.name)}")
                continue
            try:
                values[var.field] = var.parse(raw)
            except BadValueError as bad:
                echoed = "(hidden)" if var.secret else repr(raw)
                problems.append(f"{var.name}={echoed} is not valid: {bad}")
        problems.extend(_typos(environ))
        if not problems:
            problems.extend(_cross_checks(values))
        if problems:
            raise ConfigError(problems)
        return cls(**values)

    @property
    def kalshi_base_url(self) -> str:
        """Kalshi REST base: the override, else demo for ``demo`` and production for paper/live
        (paper trades against real public market data)."""
        if self.kalshi_base_url_override:
            return self.kalshi_base_url_override
        return KALSHI_DEMO_URL if self.mode is Mode.DEMO else KALSHI_PROD_URL

    @property
    def nws_user_agent(self) -> str | None:
        """NWS asks every client for a contact; without one the weather bot stays off."""
        return None if self.nws_contact is None else f"(kalshi-bots, {self.nws_contact})"

    @property
    def has_kalshi_key(self) -> bool:
        return bool(self.kalshi_api_key_id) and (
            self.kalshi_private_key_path is not None or self.kalshi_private_key_pem is not None
        )

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value in force (each webhook URL apart): outgoing alerts are scrubbed of them."""
        found: list[str] = []
        for var in VARIABLES:
            value = getattr(self, var.field)
            if var.secret and value is not None:
                text = value.get_secret_value()
                found.extend([text, *text.split(",")] if var.field == "alert_webhooks" else [text])
        if self.kalshi_api_key_id:
            found.append(self.kalshi_api_key_id)
        return tuple(v for v in dict.fromkeys(found) if v)

    def with_base_urls(self, *, kalshi: str, coinbase: str, nws: str) -> Settings:
        """A copy pointing every service at other servers (the ``--sandbox`` fakes)."""
        return self.model_copy(
            update={"kalshi_base_url_override": kalshi, "coinbase_base_url": coinbase, "nws_base_url": nws}
        )

    def effective(self) -> list[tuple[str, str]]:
        """(variable, value in force) for every setting; secrets shown only as set/unset."""
        rows = []
        for var in VARIABLES:
            value = getattr(self, var.field)
            if var.secret:
                text = "(set)" if value is not None else "(unset)"
            elif value is None:
                text = "off" if var.field == "alert_summary_at" else "(unset)"
            elif isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, time):
                text = value.strftime("%H:%M")
            elif isinstance(value, tuple):
                text = ",".join(str(v) for v in value)
            else:
                text = str(value)
            rows.append((var.name, HIDDEN if looks_like_key_material(text) else text))
        return rows

    @staticmethod
    def describe() -> list[tuple[str, str, str]]:
        """(variable, default, meaning) rows for the README's settings table."""
        return [(var.name, var.default, var.meaning) for var in VARIABLES]


def settings_markdown() -> str:
    """The README's settings table (``kalshi-bots settings --markdown``)."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, default, meaning in Settings.describe():
        shown = f"`{default}`" if default else "(unset)"
        lines.append(f"| `{name}` | {shown} | {meaning.replace('|', '/')} |")
    return "\n".join(lines)


def _typos(environ: Mapping[str, str]) -> list[str]:
    """A set ``KALSHI_BOTS_*`` variable we do not know is almost always a typo of one we do:
    say so rather than run with the default the user meant to change."""
    problems = []
    for name in sorted(environ):
        if name.startswith(PREFIX) and name not in BY_NAME:
            close = difflib.get_close_matches(name, list(BY_NAME), n=1, cutoff=0.8)
            if close:
                problems.append(f"{name} is not a setting: did you mean {close[0]}?")
    return problems


def _key_material_advice(name: str) -> str:
    if name == f"{PREFIX}KALSHI_PRIVATE_KEY_PATH":
        return (
            f"this looks like the private key itself, not a file path: save it to a file readable only by "
            f"you (chmod 600) and give its path, or put the PEM text in {PREFIX}KALSHI_PRIVATE_KEY_PEM"
        )
    return f"this looks like key material; keys go only in {PREFIX}KALSHI_PRIVATE_KEY_PEM or a key file"


def key_file_exposure(path: Path) -> str | None:
    """Why a private key file is too open (group or others have any access), or None. POSIX only."""
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None  # unreadable or gone: the key loader reports that, with the reason
    if mode & 0o077 == 0:
        return None
    return (
        f"the key file is accessible by group or others (mode {mode:04o}); live mode needs it private: "
        f"chmod 600 {path}"
    )


def _cross_checks(values: Mapping[str, Any]) -> list[str]:
    problems = []
    mode = values.get("mode", "paper")
    if mode == "live" and not values.get("live_confirm", False):
        problems.append(
            f"{PREFIX}MODE='live' needs {PREFIX}LIVE_CONFIRM=yes as well: live mode sends real orders "
            "with real money; set both on purpose, or use MODE=paper or MODE=demo"
        )
    if mode in ("demo", "live"):
        if not values.get("kalshi_api_key_id"):
            problems.append(
                f"{PREFIX}KALSHI_API_KEY_ID is required when {PREFIX}MODE={mode!r}: "
                "create an API key in Kalshi's account settings and set its id"
            )
        path, pem = values.get("kalshi_private_key_path"), values.get("kalshi_private_key_pem")
        if path is None and pem is None:
            problems.append(
                f"{PREFIX}KALSHI_PRIVATE_KEY_PATH (or {PREFIX}KALSHI_PRIVATE_KEY_PEM) is required when "
                f"{PREFIX}MODE={mode!r}: point it at the private key file Kalshi gave you"
            )
        elif path is not None and not Path(path).is_file():
            problems.append(f"{PREFIX}KALSHI_PRIVATE_KEY_PATH={shown(str(path))} is not valid: no such file")
        elif path is not None and mode == "live" and (exposure := key_file_exposure(Path(path))):
            problems.append(f"{PREFIX}KALSHI_PRIVATE_KEY_PATH={shown(str(path))} is not valid: {exposure}")
    if values.get("kalshi_private_key_path") is not None and values.get("kalshi_private_key_pem") is not None:
        problems.append(
            f"{PREFIX}KALSHI_PRIVATE_KEY_PATH and {PREFIX}KALSHI_PRIVATE_KEY_PEM are both set: keep one"
        )
    window = values.get("hourly_ewma_window_minutes", H.model.window_minutes)
    if values.get("hourly_ewma_min_returns", H.model.min_returns) > window:
        problems.append(
            f"{PREFIX}HOURLY_EWMA_MIN_RETURNS is larger than {PREFIX}HOURLY_EWMA_WINDOW_MINUTES ({window}): "
            "a window of N minutes holds at most N one-minute returns"
        )
    if values.get("store", "sqlite") == "sqlite" and values.get("dynamodb_endpoint_url"):
        problems.append(
            f"{PREFIX}DYNAMODB_ENDPOINT_URL is set but {PREFIX}STORE is sqlite: set {PREFIX}STORE=dynamodb "
            "or unset the endpoint"
        )
    return problems


__all__ = ["VARIABLES", "ConfigError", "Settings", "StoreKind", "Variable", "settings_markdown"]
