"""Realised volatility of minute prices: the ``vol_Nm_*`` attributes of the spec's ``VOL/LATEST`` item.

Definitions (for a window of N minutes ending at ``end``; all figures are **percent**, 0.19 = 0.19 %):

- **Window.** Price points with ``end - N min < at <= end``. Returns are formed between consecutive
  points; the first point's return also uses an *anchor*, the last tick in
  ``[end - N min - 1 min, end - N min]``, when there is one. So a full 15-minute window of minute ticks
  has 15 points and 15 one-minute returns (the spec's "last 15 minutes of prices").
- ``vol_Nm_samples``: number of price points in the window (the anchor is not counted).
- ``vol_Nm_std``: standard deviation of the price move over a **15-minute horizon**, for *every* N.
  Each log return r over a spacing of dt minutes is normalised to one minute, u = r / sqrt(dt) (a random
  walk's variance grows with time, so a 3-minute gap counts as one 3-minute step, not three one-minute
  steps nor one one-minute step). With s = the sample standard deviation (n - 1) of the u's:
  ``vol_Nm_std = s * sqrt(15) * 100``. Using the 15-minute horizon for every window makes the windows
  directly comparable and lets pricing use any of them in ``sigma = vol * sqrt(T / 15)``. It is **not**
  the sd of 1-minute returns (the spec's public ancestor made that mistake: it understates sigma by
  sqrt(15) ~ 3.9x).
- ``vol_Nm_range``: ``(max - min) / mean * 100`` over the window's points.
- ``vol_Nm_max_move``: the largest absolute single-minute move, ``|p1 / p0 - 1| * 100``; a move across a
  gap of dt minutes counts as its per-minute equivalent ``|p1 / p0 - 1| / sqrt(dt) * 100`` (same scaling
  as the sd), so a missing minute neither hides nor inflates a move.

Insufficient data: fewer than ``min_samples`` points (default ``max(5, ceil(N / 2))``: at least half the
minutes present) or fewer than 2 returns -> ``std``, ``range`` and ``max_move`` are ``None``, never a
made-up number. A non-positive or non-finite price raises :class:`InvalidPriceError` naming its time.

Ticks must be in ascending time order with distinct times; ``compute_window`` binary-searches them, so a
backtester can pass a whole year and pay only for the window it asks about.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from kalshi_bots.domain.errors import DomainError, InvalidPriceError
from kalshi_bots.domain.markets import require_aware
from kalshi_bots.domain.models import (
    VOL_WINDOWS_MINUTES,
    Asset,
    PriceTick,
    VolatilitySnapshot,
    WindowVolatility,
)

HORIZON_MINUTES = 15  # every vol_Nm_std is the sd of a move over this many minutes
_SQRT_HORIZON = math.sqrt(HORIZON_MINUTES)
_ONE_MINUTE = timedelta(minutes=1)


def default_min_samples(window_minutes: int) -> int:
    """At least half the window's minutes, and never fewer than 5 points."""
    return max(5, math.ceil(window_minutes / 2))


def _tick_time(tick: PriceTick) -> datetime:
    return tick.at


def _price(tick: PriceTick) -> float:
    value = tick.price
    if not value.is_finite() or value <= 0:
        raise InvalidPriceError(f"price at {tick.at.isoformat()} must be positive and finite, got {value}")
    return float(value)


def compute_window(
    ticks: Sequence[PriceTick],
    end: datetime,
    window_minutes: int,
    min_samples: int | None = None,
) -> WindowVolatility:
    """Metrics for the ``window_minutes`` ending at ``end`` (see the module docstring for definitions)."""
    if window_minutes <= 0:
        raise DomainError(f"window_minutes must be positive, got {window_minutes}")
    needed = default_min_samples(window_minutes) if min_samples is None else min_samples
    if needed < 2:
        raise DomainError(f"min_samples must be >= 2 (a standard deviation needs two returns), got {needed}")
    end = require_aware(end, "end")
    start = end - timedelta(minutes=window_minutes)
    lo = bisect_right(ticks, start, key=_tick_time)
    hi = bisect_right(ticks, end, key=_tick_time)
    samples = hi - lo
    prices = [_price(t) for t in ticks[lo:hi]]  # validates every point, even when too few to use
    insufficient = WindowVolatility(window_minutes, samples, None, None, None)
    if samples < needed:
        return insufficient

    first = lo
    if lo > 0 and ticks[lo - 1].at >= start - _ONE_MINUTE:
        first = lo - 1
        prices.insert(0, _price(ticks[first]))
    anchor = ticks[first].at
    # Minutes since the first point, then per-step spacing: one subtraction per tick keeps this cheap.
    offsets = [(t.at - anchor).total_seconds() / 60.0 for t in ticks[first:hi]]

    normalised: list[float] = []
    max_move = 0.0
    for i in range(1, len(prices)):
        dt = offsets[i] - offsets[i - 1]
        if dt <= 0:
            raise DomainError(
                f"ticks must be in ascending time order without repeats; see {ticks[first + i].at}"
            )
        root = math.sqrt(dt)
        ratio = prices[i] / prices[i - 1]
        normalised.append(math.log(ratio) / root)
        move = abs(ratio - 1.0) / root
        max_move = max(max_move, move)
    if len(normalised) < 2:
        return insufficient

    n = len(normalised)
    mean_u = math.fsum(normalised) / n
    var = math.fsum((u - mean_u) ** 2 for u in normalised) / (n - 1)
    in_window = prices[len(prices) - samples :]
    mean_price = math.fsum(in_window) / samples
    return WindowVolatility(
        window_minutes=window_minutes,
        samples=samples,
        std_pct=math.sqrt(var) * _SQRT_HORIZON * 100.0,
        range_pct=(max(in_window) - min(in_window)) / mean_price * 100.0,
        max_move_pct=max_move * 100.0,
    )


def compute_snapshot(
    asset: Asset,
    ticks: Sequence[PriceTick],
    now: datetime,
    windows: Sequence[int] = VOL_WINDOWS_MINUTES,
) -> VolatilitySnapshot:
    """The ``VOL/LATEST`` item for ``asset`` at ``now``.

    ``last_price`` is the latest tick at or before ``now``; ``recent_prices`` are the ticks in
    ``[now - (longest window + 1 min), now]`` so a collector can carry them inside the VOL item.
    """
    if not windows:
        raise DomainError("compute_snapshot needs at least one window")
    now = require_aware(now, "now")
    longest = max(windows)
    hi = bisect_right(ticks, now, key=_tick_time)
    lo = bisect_left(ticks, now - timedelta(minutes=longest + 1), key=_tick_time)
    recent = tuple(ticks[lo:hi])
    for tick in recent:
        if tick.asset is not asset:
            raise DomainError(f"tick at {tick.at.isoformat()} is {tick.asset.value}, expected {asset.value}")
        _price(tick)
    return VolatilitySnapshot(
        asset=asset,
        computed_at=now,
        windows=tuple(compute_window(recent, now, w) for w in windows),
        last_price=ticks[hi - 1].price if hi > 0 else None,
        recent_prices=recent,
    )


def trailing_ticks(
    ticks: Sequence[PriceTick], now: datetime, longest_minutes: int = max(VOL_WINDOWS_MINUTES)
) -> tuple[PriceTick, ...]:
    """The ticks :func:`compute_snapshot` keeps as ``recent_prices``: those in
    ``[now - (longest + 1) min, now]`` (the same bisection, without computing any window)."""
    now = require_aware(now, "now")
    hi = bisect_right(ticks, now, key=_tick_time)
    lo = bisect_left(ticks, now - timedelta(minutes=longest_minutes + 1), key=_tick_time)
    return tuple(ticks[lo:hi])
