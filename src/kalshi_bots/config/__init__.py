"""Typed settings read from ``KALSHI_BOTS_*`` environment variables, validated at startup.

One definition per setting. :class:`Settings` is a tree of frozen pydantic sections
(:mod:`.sections`); each field is declared once with :func:`~.setting.setting`: its variable, parser,
default and description. Everything else is derived from those declarations:

- :meth:`Settings.from_env` reads the variables (:data:`VARIABLES`, the flat view of the tree: the
  environment stays flat, ``KALSHI_BOTS_HOURLY_MIN_EDGE``, with no nesting delimiter);
- ``kalshi-bots settings`` (:meth:`Settings.effective`) and the README table
  (``kalshi-bots settings --markdown``, :func:`settings_markdown`; a test keeps README.md equal to it);
- the jobs' parameters, :meth:`Settings.job_params`: a section builds its domain value
  (``HourlyParams``, ``BudgetLimits``, ``JobParams``...) from its fields *by name*, so there is no
  field-by-field copy; an argument that is no setting must be listed with its reason, and a test fails
  when a parameter and a setting drift apart (:func:`~.setting.params_drift`).

Adding a trading setting: add the field to the domain parameter dataclass (the code reads it there)
and a :func:`~.setting.setting` of the same name to its section; regenerate the README table.

Every bad value raises :class:`ConfigError` naming the variable, the value and what is allowed, and
all problems are reported at once. A value is never echoed when the variable is a secret or when the
value looks like key material (:func:`kalshi_bots.domain.redaction.looks_like_key_material`): key
material in a non-secret variable (PEM pasted into ``KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH``) is refused,
since those are printed by ``kalshi-bots settings``. Nothing falls back silently to a default once a
variable is set; a misspelt ``KALSHI_BOTS_*`` variable is reported with the name it resembles.

A private key *file* accessible by group or others is refused in live mode (like ``ssh`` does) and
warned about when the key is loaded in demo mode (:mod:`kalshi_bots.adapters.kalshi.auth`).
"""

# No `from __future__ import annotations`: pydantic would evaluate every field's string annotation
# when the class is defined, a few ms of each Lambda cold start.

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

from kalshi_bots.config.parsers import BadValueError, choice, float_range, int_range, log_level, yes_no
from kalshi_bots.config.sections import (
    KALSHI_DEMO_URL,
    KALSHI_PROD_URL,
    AlertSettings,
    ApiSettings,
    BudgetSettings,
    CoinbaseSettings,
    DashboardSettings,
    EdgeSettings,
    HourlySettings,
    HttpSettings,
    KalshiSettings,
    NwsSettings,
    RecorderSettings,
    StoreKind,
    StoreSettings,
    WeatherSettings,
)
from kalshi_bots.config.setting import (
    PREFIX,
    Reasons,
    Section,
    Sources,
    Variable,
    construct,
    nest,
    section,
    setting,
    variables,
)
from kalshi_bots.domain.models import Asset, Mode
from kalshi_bots.domain.params import JobParams
from kalshi_bots.domain.redaction import HIDDEN, looks_like_key_material, shown

_JOBS = JobParams()


class ConfigError(ValueError):
    """A setting is missing or malformed. ``problems`` holds one line per bad variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Settings(Section):
    """Validated settings. Build with :meth:`from_env` (or by hand in tests: every field has a default)."""

    PARAMS = JobParams
    FIXED: ClassVar[Reasons] = {
        "job_lease_seconds": "how long a job run's claim lasts: outlives any run, not a tuning knob"
    }
    DERIVED: ClassVar[Sources] = {"trade_assets": ("trade_eth",), "claim_collector_runs": ("store",)}
    ELSEWHERE: ClassVar[Reasons] = {
        "live_confirm": "the startup checks",
        "log_level": "the entrypoints' logging",
        **{name: "the composition root's adapters" for name in ("kalshi", "coinbase", "nws", "http")},
        **{name: "the HTTP servers" for name in ("api", "dashboard")},
        "alerts": "the alert watcher (AlertParams)",
    }

    mode: Mode = setting(
        "MODE",
        choice(Mode),
        _JOBS.mode,
        "Where orders go: paper (simulated fills on real public data), demo (Kalshi demo), live.",
    )
    live_confirm: bool = setting(
        "LIVE_CONFIRM", yes_no, False, "Must be yes when MODE=live: live trading is never chosen by accident."
    )
    store: StoreSettings = section(StoreSettings)
    kalshi: KalshiSettings = section(KalshiSettings)
    coinbase: CoinbaseSettings = section(CoinbaseSettings)
    nws: NwsSettings = section(NwsSettings)
    budget: BudgetSettings = section(BudgetSettings)
    hourly: HourlySettings = section(HourlySettings)
    weather: WeatherSettings = section(WeatherSettings)
    trade_eth: bool = setting("TRADE_ETH", yes_no, False, "Also run the hourly bot on ETH (KXETHD) at :45.")
    price_retention_minutes: int = setting(
        "PRICE_RETENTION_MINUTES",
        int_range(121, 525_600),
        _JOBS.price_retention_minutes,
        "Cleanup deletes price rows older than this (> 120).",
    )
    max_price_jump_pct: float = setting(
        "MAX_PRICE_JUMP_PCT",
        float_range(0, 100, low_open=True),
        _JOBS.max_price_jump_pct,
        "Collector rejects a price this many % from the last one; the hourly bot refuses such a spot.",
    )
    recorder: RecorderSettings = section(RecorderSettings)
    edge: EdgeSettings = section(EdgeSettings)
    api: ApiSettings = section(ApiSettings)
    dashboard: DashboardSettings = section(DashboardSettings)
    alerts: AlertSettings = section(AlertSettings)
    log_level: str = setting(
        "LOG_LEVEL", log_level, "INFO", "Level of the JSON log (file, and stderr when not a terminal)."
    )
    http: HttpSettings = section(HttpSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Read every ``KALSHI_BOTS_*`` variable; raise :class:`ConfigError` listing all problems."""
        values: dict[tuple[str, ...], Any] = {}
        problems: list[str] = []
        for var in VARIABLES:
            raw = environ.get(var.name)
            if raw is None or raw.strip() == "":
                continue
            if not var.secret and looks_like_key_material(raw):
                problems.append(f"{var.name}={HIDDEN} is not valid: {_key_material_advice(var.name)}")
                continue
            try:
                values[var.path] = var.parse(raw)
            except BadValueError as bad:
                echoed = "(hidden)" if var.secret else repr(raw)
                problems.append(f"{var.name}={echoed} is not valid: {bad}")
        problems.extend(_typos(environ))
        if problems:
            raise ConfigError(problems)
        settings = construct(cls, nest(values))
        problems = _cross_checks(settings)
        if problems:
            raise ConfigError(problems)
        return settings

    def derived(self) -> dict[str, Any]:
        return {
            "trade_assets": (Asset.BTC, Asset.ETH) if self.trade_eth else (Asset.BTC,),
            # On DynamoDB every write is billed; collectors need no claim to be idempotent (see JobParams).
            "claim_collector_runs": self.store.kind is not StoreKind.DYNAMODB,
        }

    def job_params(self) -> JobParams:
        """The plain parameters jobs read (``Deps.params``); jobs never see the settings object."""
        params: JobParams = self.params()
        return params

    @property
    def kalshi_base_url(self) -> str:
        """Kalshi REST base: the override, else demo for ``demo`` and production for paper/live
        (paper trades against real public market data)."""
        if self.kalshi.base_url_override:
            return self.kalshi.base_url_override
        return KALSHI_DEMO_URL if self.mode is Mode.DEMO else KALSHI_PROD_URL

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value in force (each webhook URL apart): outgoing alerts are scrubbed of them."""
        found: list[str] = []
        for var in VARIABLES:
            value = var.value_in(self)
            if var.secret and value is not None:
                text = value.get_secret_value()
                found.extend([text, *text.split(",")] if var.path == ("alerts", "webhooks") else [text])
        if self.kalshi.api_key_id:
            found.append(self.kalshi.api_key_id)
        return tuple(v for v in dict.fromkeys(found) if v)

    def with_base_urls(self, *, kalshi: str, coinbase: str, nws: str) -> Self:
        """A copy pointing every service at other servers (the ``--sandbox`` fakes)."""
        return self.model_copy(
            update={
                "kalshi": self.kalshi.model_copy(update={"base_url_override": kalshi}),
                "coinbase": self.coinbase.model_copy(update={"base_url": coinbase}),
                "nws": self.nws.model_copy(update={"base_url": nws}),
            }
        )

    def effective(self) -> list[tuple[str, str]]:
        """(variable, value in force) for every setting; secrets shown only as set/unset."""
        rows = []
        for var in VARIABLES:
            text = var.text(var.value_in(self))
            rows.append((var.name, HIDDEN if looks_like_key_material(text) else text))
        return rows

    @staticmethod
    def describe() -> list[tuple[str, str, str]]:
        """(variable, default, meaning) rows for the README's settings table."""
        return [(var.name, var.default_text, var.description) for var in VARIABLES]


VARIABLES: tuple[Variable, ...] = tuple(variables(Settings))
BY_NAME = {var.name: var for var in VARIABLES}


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
            import difflib  # here: only an unknown variable needs it, not every cold start

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


def _cross_checks(settings: Settings) -> list[str]:
    """Problems no single variable shows: combinations that cannot work."""
    return [*_key_checks(settings), *_model_checks(settings)]


def _key_checks(settings: Settings) -> list[str]:
    problems = []
    mode, kalshi = settings.mode, settings.kalshi
    if mode is Mode.LIVE and not settings.live_confirm:
        problems.append(
            f"{PREFIX}MODE='live' needs {PREFIX}LIVE_CONFIRM=yes as well: live mode sends real orders "
            "with real money; set both on purpose, or use MODE=paper or MODE=demo"
        )
    if mode in (Mode.DEMO, Mode.LIVE):
        if not kalshi.api_key_id:
            problems.append(
                f"{PREFIX}KALSHI_API_KEY_ID is required when {PREFIX}MODE={mode.value!r}: "
                "create an API key in Kalshi's account settings and set its id"
            )
        path, pem = kalshi.private_key_path, kalshi.private_key_pem
        if path is None and pem is None:
            problems.append(
                f"{PREFIX}KALSHI_PRIVATE_KEY_PATH (or {PREFIX}KALSHI_PRIVATE_KEY_PEM) is required when "
                f"{PREFIX}MODE={mode.value!r}: point it at the private key file Kalshi gave you"
            )
        elif path is not None and not path.is_file():
            problems.append(f"{PREFIX}KALSHI_PRIVATE_KEY_PATH={shown(str(path))} is not valid: no such file")
        elif path is not None and mode is Mode.LIVE and (exposure := key_file_exposure(path)):
            problems.append(f"{PREFIX}KALSHI_PRIVATE_KEY_PATH={shown(str(path))} is not valid: {exposure}")
    if kalshi.private_key_path is not None and kalshi.private_key_pem is not None:
        problems.append(
            f"{PREFIX}KALSHI_PRIVATE_KEY_PATH and {PREFIX}KALSHI_PRIVATE_KEY_PEM are both set: keep one"
        )
    return problems


def _model_checks(settings: Settings) -> list[str]:
    problems = []
    model = settings.hourly.model
    if model.min_returns > model.window_minutes:
        problems.append(
            f"{PREFIX}HOURLY_EWMA_MIN_RETURNS is larger than {PREFIX}HOURLY_EWMA_WINDOW_MINUTES "
            f"({model.window_minutes}): a window of N minutes holds at most N one-minute returns"
        )
    if settings.store.kind is StoreKind.SQLITE and settings.store.dynamodb_endpoint_url:
        problems.append(
            f"{PREFIX}DYNAMODB_ENDPOINT_URL is set but {PREFIX}STORE is sqlite: set {PREFIX}STORE=dynamodb "
            "or unset the endpoint"
        )
    return problems


__all__ = [
    "KALSHI_DEMO_URL",
    "KALSHI_PROD_URL",
    "VARIABLES",
    "ConfigError",
    "Settings",
    "StoreKind",
    "Variable",
    "key_file_exposure",
    "settings_markdown",
]
