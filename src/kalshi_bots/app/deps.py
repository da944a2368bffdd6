"""What every job receives: ports plus plain parameters. Built by ``kalshi_bots.bootstrap``.

Jobs never read the environment or the settings object; they read ``Deps.params``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kalshi_bots.domain.params import EdgeParams, HourlyParams, JobParams, RecorderParams
from kalshi_bots.domain.weather_model import WeatherParams
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.exchange import Exchange
from kalshi_bots.ports.feeds import PriceFeed, WeatherSource
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import Store

if TYPE_CHECKING:
    from kalshi_bots.app.results import JobResult

# The parameters are domain values (the decisions are pure functions of them; the settings build them by
# field name, see kalshi_bots.config); they are re-exported here because every job reads ``Deps.params``.
__all__ = ["Deps", "EdgeParams", "HourlyParams", "JobParams", "RecorderParams", "WeatherParams"]


@dataclass(frozen=True, slots=True)
class Deps:
    clock: Clock
    store: Store
    exchange: Exchange
    prices: PriceFeed
    weather: WeatherSource
    params: JobParams = field(default_factory=JobParams)
    instance_id: str = "local"  # owner name used in job-run claims
    # The market recorder's store (the same object as ``store`` for every backend we ship); None = no
    # snapshots are recorded and, in live mode, the edge gate has no evidence (no live order).
    snapshots: SnapshotStore | None = None
    # Called by the runner with every finished run's result (alerts and streaks, :mod:`.alerts`).
    # It must not raise; the runner guards it anyway, and the result is never changed by it.
    after_run: Callable[[JobResult], None] | None = None
