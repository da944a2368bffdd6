"""What every job receives: ports plus plain parameters. Built by ``kalshi_bots.bootstrap``.

Jobs never read the environment or the settings object; they read ``Deps.params``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from kalshi_bots.domain.hourly_decision import HourlyParams
from kalshi_bots.domain.models import Asset, BudgetLimits, Mode
from kalshi_bots.domain.weather_model import WeatherParams
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.exchange import Exchange
from kalshi_bots.ports.feeds import PriceFeed, WeatherSource
from kalshi_bots.ports.store import Store

if TYPE_CHECKING:
    from kalshi_bots.app.results import JobResult

# The bots' rule parameters are domain values (their decisions are pure functions of them); they are
# re-exported here because every job reads them from ``Deps.params``.
__all__ = ["Deps", "HourlyParams", "JobParams", "WeatherParams"]


@dataclass(frozen=True, slots=True)
class JobParams:
    mode: Mode = Mode.PAPER
    budget: BudgetLimits = field(
        default_factory=lambda: BudgetLimits(
            global_limit=Decimal(50),
            per_bot=(("btc-hourly", Decimal(25)), ("eth-hourly", Decimal(25)), ("weather", Decimal(25))),
            daily_loss_limit=Decimal(25),
        )
    )
    hourly: HourlyParams = field(default_factory=HourlyParams)
    weather: WeatherParams = field(default_factory=WeatherParams)
    trade_assets: tuple[Asset, ...] = (Asset.BTC,)
    price_retention_minutes: int = 180
    max_price_jump_pct: float = 10.0  # a collected price this far from the last one is rejected
    job_lease_seconds: int = 600
    # Collectors are idempotent per minute on their own (put_price refuses a second row), so the run
    # claim only buys a line in `status`. On DynamoDB that line costs 2 of a collector run's 4 write
    # units, 2,880 runs a day: bootstrap turns it off there.
    claim_collector_runs: bool = True


@dataclass(frozen=True, slots=True)
class Deps:
    clock: Clock
    store: Store
    exchange: Exchange
    prices: PriceFeed
    weather: WeatherSource
    params: JobParams = field(default_factory=JobParams)
    instance_id: str = "local"  # owner name used in job-run claims
    # Called by the runner with every finished run's result (alerts and streaks, :mod:`.alerts`).
    # It must not raise; the runner guards it anyway, and the result is never changed by it.
    after_run: Callable[[JobResult], None] | None = None
