"""The plain parameters every job reads (``Deps.params``), with their defaults.

These are values, not settings: the jobs, the backtests and the tests build them directly. The
settings (:mod:`kalshi_bots.config`) produce them from ``KALSHI_BOTS_*`` variables by field name, so a
field here is either a setting of the same name or a fixed default the settings document (the test
``tests/unit/entrypoints/test_settings_params.py`` fails when the two drift apart). The hourly bot's
rules (:class:`HourlyParams`) are here, not beside its decision (:mod:`.hourly_decision`): every job's
parameters include them, and a collector's cold start should not import the decision to build them
(issue 13's import budget). The weather bot's (:class:`~kalshi_bots.domain.weather_model.WeatherParams`)
live with its model, which is as light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from kalshi_bots.domain.hourly_model import HourlyModel, hourly_model
from kalshi_bots.domain.markets import RECORDER_WINDOW
from kalshi_bots.domain.models import Asset, Bot, BudgetLimits, Mode
from kalshi_bots.domain.weather_model import WeatherParams

DEFAULT_MIN_DECISIONS = 200  # scored decisions the edge gate needs before a live order (edge_gate.py)


@dataclass(frozen=True, slots=True)
class HourlyParams:
    """The spec's trading rules for the hourly crypto bot, with its defaults."""

    min_edge: float = 0.03  # edge = P_model - (NO ask + fee per contract)
    strike_distance_bps: int = 20  # first strike >= spot * (1 + 20 bps)
    kelly_multiplier: float = 0.25  # "quarter Kelly"
    max_fraction: float = 0.25  # cap on the applied fraction
    max_contracts: int = 5
    max_vol_age_s: int = 180  # VOL/LATEST older than this: refuse
    max_price_age_s: int = 90  # Coinbase price older than this: refuse
    # The volatility estimate and the law that price the strike (domain/hourly_model.py): by default
    # EWMA-20 of 1-minute returns, Student-t nu = 5, 60 s settlement average (docs/model.md).
    model: HourlyModel = field(default_factory=hourly_model)

    @property
    def tail_nu(self) -> float | None:
        """The model's Student-t degrees of freedom (None = normal law)."""
        return self.model.tail_nu


@dataclass(frozen=True, slots=True)
class RecorderParams:
    """The market recorder (``record-market``) and how long its snapshots are kept."""

    minutes: tuple[int, ...] = RECORDER_WINDOW  # minutes of the :45-:59 window that record a ladder
    ttl_days: int = 30  # snapshots and results expire (DynamoDB TTL; SQLite: the cleanup job)
    settle_lookback_hours: int = 72  # recorded events closed this long ago are still asked for results
    settle_per_run: int = 20  # at most this many settlement lookups per run


@dataclass(frozen=True, slots=True)
class EdgeParams:
    """The edge gate on live orders (domain/edge_gate.py)."""

    min_decisions: int = DEFAULT_MIN_DECISIONS
    live_without_edge: bool = False  # the override: live orders without evidence (loudly logged)


@dataclass(frozen=True, slots=True)
class AlertParams:
    """When alerts fire."""

    summary_at: time | None = time(21, 0)  # New York time of the daily summary; None = off
    no_trade_streak: int = 12  # trading runs refused in a row before an alert (0 = never)
    error_streak: int = 3  # failed runs in a row before an alert (0 = never)
    # The first watched run this soon after summary_at sends it. An hour, because on AWS the first such
    # run may be the hourly reconcile (collectors are not watched there).
    summary_window: timedelta = timedelta(hours=1)


def default_budget() -> BudgetLimits:
    return BudgetLimits(
        global_limit=Decimal(50),
        per_bot=((Bot.BTC_HOURLY, Decimal(25)), (Bot.ETH_HOURLY, Decimal(25)), (Bot.WEATHER, Decimal(25))),
        daily_loss_limit=Decimal(25),
    )


@dataclass(frozen=True, slots=True)
class JobParams:
    mode: Mode = Mode.PAPER
    budget: BudgetLimits = field(default_factory=default_budget)
    hourly: HourlyParams = field(default_factory=HourlyParams)
    weather: WeatherParams = field(default_factory=WeatherParams)
    trade_assets: tuple[Asset, ...] = (Asset.BTC,)
    price_retention_minutes: int = 180
    max_price_jump_pct: float = 10.0  # a collected price this far from the last one is rejected
    job_lease_seconds: int = 600
    # Collectors are idempotent per minute on their own (put_price refuses a second row), so the run
    # claim only buys a line in `status`. On DynamoDB that line costs 2 of a collector run's 4 write
    # units, 2,880 runs a day: the settings turn it off there.
    claim_collector_runs: bool = True
    recorder: RecorderParams = field(default_factory=RecorderParams)
    edge: EdgeParams = field(default_factory=EdgeParams)
