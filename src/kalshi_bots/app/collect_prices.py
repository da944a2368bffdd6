"""``collect-prices --asset BTC|ETH``, every minute: one PRICE row and an updated ``VOL/LATEST``.

Per run, in order:

1. **One store read**: the previous ``VOL/LATEST``. Its ``recent_prices`` (the last 121 minutes) are
   what the metrics are computed from, so there is no 120-row query every minute.
2. **Backfill** from Coinbase 1-minute candles: on a first run (no VOL item) the last 120 minutes, so
   volatility is available at once; after downtime the minutes between the newest known price and now
   (at most 120 back; older ones cannot change any window). A failing candle call is logged and the run
   goes on with what it has (fewer samples -> "insufficient" metrics -> the trader refuses: fail closed).
3. **The current price** (``PriceFeed.current_price``), stored under the run's minute. Rejected (logged,
   not stored) when it is not a positive finite number, more than ``max_price_jump_pct`` away from the
   previous price (within the last 120 minutes; after a longer gap there is nothing recent to compare
   with), older than ``hourly.max_price_age_s``, or stamped ahead of our clock by more than the allowed
   skew. Backfilled candles pass the same price checks in sequence. The rules are
   :mod:`kalshi_bots.domain.sanity`'s, the same ones the trader holds its spot to.
4. ``put_price`` each new row (idempotent per minute), then ``compute_snapshot`` over the merged window
   and ``put_volatility``.

The row's minute is the scheduled minute (so a day has exactly 1,440 rows even when the exchange's
trade time lags into the previous minute), or the current minute if the run is more than two minutes late.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.app.results import JobReport, Outcome
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.domain.models import VOL_WINDOWS_MINUTES, Asset, PriceTick, VolatilitySnapshot
from kalshi_bots.domain.reasons import PriceProblem, RunReason
from kalshi_bots.domain.sanity import feed_time_problem, price_problem
from kalshi_bots.domain.volatility import compute_snapshot
from kalshi_bots.ports.errors import ExternalServiceError

logger = logging.getLogger(__name__)

LONGEST_WINDOW = timedelta(minutes=max(VOL_WINDOWS_MINUTES))
_MINUTE = timedelta(minutes=1)
_LATE_AFTER = timedelta(minutes=2)


def collect_prices(deps: Deps, scheduled_for: datetime, *, asset: Asset) -> JobReport:
    now = deps.clock.now()
    minute = floor_minute(scheduled_for) if now - scheduled_for <= _LATE_AFTER else floor_minute(now)
    previous = deps.store.get_volatility(asset)  # the only store read of the run
    known: dict[datetime, PriceTick] = {}
    if previous is not None:
        if previous.computed_at > minute:
            return _out_of_order(deps, asset, minute, previous)
        # A re-run of the same minute keeps the stored price (put_price is first-write-wins too).
        known = {t.at: t for t in previous.recent_prices if t.at <= minute}

    rejected: list[Rejected] = []
    new_rows: list[PriceTick] = []
    backfill_from = _backfill_start(known, minute)
    backfilled, backfill_error = _fetch_candles(deps, asset, backfill_from, minute)
    for candle in backfilled:
        tick = PriceTick(asset, floor_minute(candle.at), candle.price)
        if tick.at in known or not backfill_from <= tick.at < minute:
            continue
        problem = price_problem(
            tick.price, _last_before(known.values(), tick.at), tick.at, deps.params.max_price_jump_pct
        )
        if problem:
            rejected.append(_rejection(asset, tick, problem, "candle"))
            continue
        known[tick.at] = tick
        new_rows.append(tick)

    current = deps.prices.current_price(asset)
    tick = PriceTick(asset, minute, current.price)
    problem = price_problem(
        tick.price, _last_before(known.values(), minute), minute, deps.params.max_price_jump_pct
    ) or feed_time_problem(current.at, now, deps.params.hourly.max_price_age_s)
    if problem:
        rejected.append(_rejection(asset, tick, problem, "ticker", exchange_time=current.at.isoformat()))
    elif minute not in known:
        known[minute] = tick
        new_rows.append(tick)

    stored = sum(1 for row in new_rows if deps.store.put_price(row))
    ticks = sorted(known.values(), key=lambda t: t.at)
    snapshot = compute_snapshot(asset, ticks, minute)
    deps.store.put_volatility(snapshot)
    return _result(
        asset,
        minute,
        snapshot=snapshot,
        stored=stored,
        rejected=rejected,
        backfill_error=backfill_error,
        current_rejected=bool(problem),
    )


def _out_of_order(deps: Deps, asset: Asset, minute: datetime, previous: VolatilitySnapshot) -> JobReport:
    """A run older than the current VOL item (a late retry): never move VOL/LATEST back in time."""
    log_event(
        logger,
        "price.out_of_order",
        f"run for {minute.isoformat()} is older than VOL/LATEST "
        f"({previous.computed_at.isoformat()}); skipped",
        logging.WARNING,
        asset=asset,
    )
    return JobReport(Outcome.SKIPPED, RunReason.OUT_OF_ORDER, "VOL/LATEST is newer")


def _backfill_start(known: dict[datetime, PriceTick], minute: datetime) -> datetime:
    """First minute to fetch: right after the newest known price, never more than 120 minutes back."""
    oldest_useful = minute - LONGEST_WINDOW
    if not known:
        return oldest_useful
    newest = max(known)
    return max(oldest_useful, newest + _MINUTE)


def _fetch_candles(
    deps: Deps, asset: Asset, start: datetime, end: datetime
) -> tuple[Sequence[PriceTick], str]:
    if start >= end:
        return (), ""
    try:
        return deps.prices.minute_candles(asset, start, end), ""
    except ExternalServiceError as exc:
        log_event(
            logger,
            "price.backfill_failed",
            f"backfill {start.isoformat()}..{end.isoformat()} failed: {exc}",
            logging.WARNING,
            asset=asset,
        )
        return (), str(exc)


def _last_before(ticks: Iterable[PriceTick], at: datetime) -> PriceTick | None:
    earlier = [t for t in ticks if t.at < at]
    return max(earlier, key=lambda t: t.at) if earlier else None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A price the run did not store, and why."""

    tick: PriceTick
    problem: PriceProblem
    source: str  # "candle" (backfill) or "ticker" (the current price)

    def to_json(self) -> dict[str, str]:
        return {
            "at": self.tick.at.isoformat(),
            "price": str(self.tick.price),
            "reason": self.problem.value,
            "source": self.source,
        }


def _rejection(asset: Asset, tick: PriceTick, problem: PriceProblem, source: str, **extra: str) -> Rejected:
    log_event(
        logger,
        "price.rejected",
        f"{asset.value} {source} price {tick.price} at {tick.at.isoformat()} rejected: {problem}",
        logging.WARNING,
        asset=asset,
        price=tick.price,
        at=tick.at,
        reason=problem.value,
        source=source,
        **extra,
    )
    return Rejected(tick, problem, source)


def _result(
    asset: Asset,
    minute: datetime,
    *,
    snapshot: VolatilitySnapshot,
    stored: int,
    rejected: list[Rejected],
    backfill_error: str,
    current_rejected: bool,
) -> JobReport:
    w15 = snapshot.window(15)
    data = {
        "asset": asset.value,
        "minute": minute.isoformat(),
        "rows_stored": stored,
        "rejected": [r.to_json() for r in rejected],
        "backfill_error": backfill_error,
        "samples": len(snapshot.recent_prices),
        "vol_15m_std": None if w15 is None else w15.std_pct,
        "last_price": None if snapshot.last_price is None else str(snapshot.last_price),
    }
    if current_rejected:
        # The run did not get a usable price for its minute: an error worth a non-zero exit, not a retry.
        return JobReport(Outcome.ERROR, rejected[-1].problem, "current price rejected", data=data)
    log_event(
        logger,
        "price.collected",
        f"{asset.value} {snapshot.last_price} stored={stored}",
        asset=asset,
        rows_stored=stored,
        vol_15m_std=data["vol_15m_std"],
    )
    return JobReport(Outcome.OK, data=data)
