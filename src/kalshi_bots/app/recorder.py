"""``record-market`` (each minute from :45 to :59): keep what no public archive has, for the scorecard,
the edge gate and ``backtest quotes``.

Per run:

1. **A ladder snapshot** of each traded asset's target event (the one closing at the next top of the
   hour) when the run's minute is one of ``recorder.minutes`` (``KALSHI_BOTS_RECORDER_MINUTES``):
   every strike's YES/NO bid and ask with sizes, Coinbase spot, the ``VOL/LATEST`` model input and the
   live model's P(NO) per strike (:func:`~kalshi_bots.domain.market_snapshot.hourly_snapshot`, the
   trading run's own pricing). Spot or volatility that fails the trader's sanity rules is recorded
   but leaves the ladder unpriced, never priced on bad data.
2. **Settlements**, at the window's first minute (once an hour): each recorded event that has closed
   (within ``recorder.settle_lookback_hours``) and has no result yet is looked up on Kalshi; once every
   market has a result it is stored (``put_event_result``). Weather events recorded by the weather job
   settle the same way.

It never places orders and shares nothing with the :45 trading run but the store: it is its own job
(own Lambda function, own thread locally), so a slow or failing recorder cannot delay or break a trade.
Every snapshot key is (trigger, scheduled minute, event, bot): a retried run stores nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.results import JobReport, Outcome
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_model import hourly_model_input
from kalshi_bots.domain.market_snapshot import (
    LadderInputs,
    MarketSnapshot,
    Trigger,
    event_result_of,
    hourly_snapshot,
)
from kalshi_bots.domain.markets import RECORDER_WINDOW, hourly_target
from kalshi_bots.domain.models import Asset, Bot, PriceTick
from kalshi_bots.domain.reasons import ErrorReason, RunReason
from kalshi_bots.domain.sanity import foreign_market_refusal, fresh_snapshot, price_refusal, spot_refusal
from kalshi_bots.ports.errors import ExternalServiceError, NotFoundError, StoreError, TransientError
from kalshi_bots.ports.snapshots import SnapshotStore

logger = logging.getLogger(__name__)

SETTLE_MINUTE = RECORDER_WINDOW[0]
MAX_LATE = timedelta(minutes=2)  # a ladder read later than this is not the minute's snapshot


@dataclass
class _Tally:
    recorded: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    transient: bool = True  # every problem so far is worth a retry

    def problem(self, text: str, exc: Exception) -> None:
        self.problems.append(f"{text}: {exc}")
        if not isinstance(exc, TransientError | StoreError):
            self.transient = False


def record_market(deps: Deps, scheduled_for: datetime) -> JobReport:
    snapshots = deps.snapshots
    if snapshots is None:
        return JobReport(Outcome.NO_TRADE, RunReason.RECORDER_OFF, "this store keeps no snapshots")
    params = deps.params.recorder
    tally = _Tally()
    late = deps.clock.now() - scheduled_for > MAX_LATE
    if scheduled_for.minute in params.minutes and not late:
        for asset in deps.params.trade_assets:
            try:
                tally.recorded.append(_record_ladder(deps, snapshots, asset, scheduled_for))
            except (ExternalServiceError, DomainError) as exc:
                tally.problem(f"{asset.value} ladder", exc)
    if scheduled_for.minute == SETTLE_MINUTE:
        _settle(deps, snapshots, tally)
    return _report(tally)


def _record_ladder(deps: Deps, snapshots: SnapshotStore, asset: Asset, scheduled_for: datetime) -> str:
    target = hourly_target(asset, scheduled_for)
    event = deps.exchange.get_event(target.event_ticker)
    foreign = foreign_market_refusal(event, target.event_ticker)
    if foreign is not None:
        raise DomainError(foreign.detail)  # not this event's ladder: recording it would mislabel it
    now = deps.clock.now()
    snapshot = hourly_snapshot(
        event,
        target.close_time,
        scheduled_for=scheduled_for,
        at=now,
        trigger=Trigger.MINUTE,
        bot=Bot.hourly(asset),
        mode="",  # market data, not a decision: it belongs to no trading mode
        inputs=_inputs(deps, asset, now),
    )
    stored = snapshots.put_snapshot(snapshot)
    log_event(
        logger,
        "recorder.snapshot",
        f"{snapshot.event_ticker}: {len(snapshot.strikes)} strikes" + ("" if stored else " (already stored)"),
        asset=asset.value,
        event_ticker=snapshot.event_ticker,
        strikes=len(snapshot.strikes),
        priced=sum(1 for s in snapshot.strikes if s.model_p_no is not None),
    )
    return snapshot.event_ticker


def _inputs(deps: Deps, asset: Asset, now: datetime) -> LadderInputs:
    """Spot and the model input, held to the trader's rules; what fails them leaves the ladder unpriced."""
    hourly = deps.params.hourly
    tick: PriceTick | None
    try:
        tick = deps.prices.current_price(asset)
    except ExternalServiceError as exc:
        log_event(logger, "recorder.no_spot", f"{asset.value}: {exc}", logging.WARNING, asset=asset.value)
        tick = None
    vol = deps.store.get_volatility(asset)
    fresh = fresh_snapshot(vol, now, hourly.max_vol_age_s)
    model = None if isinstance(fresh, Refusal) else hourly_model_input(hourly.model, fresh)
    priced = tick is not None and model is not None
    if tick is not None:
        refusal = price_refusal(tick, now, hourly.max_price_age_s) or spot_refusal(
            tick.price, vol, deps.params.max_price_jump_pct
        )
        priced = priced and refusal is None
    return LadderInputs(tick, model, priced)


def _settle(deps: Deps, snapshots: SnapshotStore, tally: _Tally) -> None:
    now = deps.clock.now()
    params = deps.params.recorder
    try:
        pending = snapshots.unsettled_events(now - timedelta(hours=params.settle_lookback_hours), now)
    except StoreError as exc:
        tally.problem("recorded events", exc)
        return
    for recorded in pending[: params.settle_per_run]:
        try:
            event = deps.exchange.get_event(recorded.event_ticker)
        except NotFoundError:
            continue  # delisted: nothing to learn; it ages out of the lookback
        except ExternalServiceError as exc:
            tally.problem(f"settlement of {recorded.event_ticker}", exc)
            continue
        result = event_result_of(event, recorded.close_time)
        if result is None:
            continue  # closed but not settled yet: the next hour asks again
        try:
            snapshots.put_event_result(result)
        except StoreError as exc:
            tally.problem(f"result of {recorded.event_ticker}", exc)
            continue
        tally.settled.append(recorded.event_ticker)


def _report(tally: _Tally) -> JobReport:
    data: dict[str, Any] = {"recorded": tally.recorded, "settled": tally.settled}
    if tally.problems:
        data["problems"] = tally.problems
        log_event(logger, "recorder.failed", "; ".join(tally.problems), logging.WARNING)
        return JobReport(
            Outcome.ERROR,
            ErrorReason.RECORDER_INCOMPLETE,
            "; ".join(tally.problems)[:500],
            transient=tally.transient,
            data=data,
        )
    reason = None if tally.recorded or tally.settled else RunReason.NOTHING_TO_RECORD
    return JobReport(Outcome.OK, reason, data=data)


def decision_snapshot_stored(deps: Deps, build: Callable[[], MarketSnapshot], event_ticker: str) -> bool:
    """Build and record a trading run's decision snapshot. Any failure (the store, or a value the
    snapshot refuses) is logged and never reaches the run's result: the order path is done by then."""
    if deps.snapshots is None:
        return False
    try:
        return deps.snapshots.put_snapshot(build())
    except (StoreError, ValueError) as exc:  # DomainError is a ValueError
        log_event(
            logger,
            "recorder.decision_not_stored",
            f"decision snapshot of {event_ticker} not stored: {exc}",
            logging.WARNING,
            event_ticker=event_ticker,
        )
        return False
