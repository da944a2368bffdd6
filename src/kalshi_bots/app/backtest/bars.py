"""One-minute OHLC bars held as parallel columns (fast to replay), plus gap detection.

A bar is keyed by its **open** time in Unix seconds (UTC), aligned to the minute; its ``close`` is
the price at the end of that minute, i.e. at ``ts + 60``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import Asset

MINUTE_S = 60


@dataclass(frozen=True, slots=True)
class Gap:
    """Minutes missing between two present bars: ``after_ts`` and ``before_ts`` are present."""

    after_ts: int
    before_ts: int

    @property
    def missing_minutes(self) -> int:
        return (self.before_ts - self.after_ts) // MINUTE_S - 1

    def describe(self) -> str:
        start = datetime.fromtimestamp(self.after_ts + MINUTE_S, UTC).isoformat()
        return f"{self.missing_minutes} minute(s) missing from {start}"


@dataclass(slots=True)
class MinuteBars:
    """Sorted, de-duplicated 1-minute bars. ``index`` maps a bar's open time to its position."""

    asset: Asset
    ts: list[int]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    source: str = ""
    gaps: list[Gap] = field(default_factory=list)
    index: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.ts)
        if not (len(self.open) == len(self.high) == len(self.low) == len(self.close) == n):
            raise DomainError(f"{self.source or 'bars'}: columns have different lengths")
        for i in range(1, n):
            if self.ts[i] <= self.ts[i - 1]:
                raise DomainError(f"{self.source or 'bars'}: timestamps not strictly increasing at row {i}")
        self.index = {t: i for i, t in enumerate(self.ts)}
        self.gaps = find_gaps(self.ts)

    def __len__(self) -> int:
        return len(self.ts)

    def at(self, ts: int) -> int | None:
        """Position of the bar that opens at ``ts``, or ``None`` when it is missing."""
        return self.index.get(ts)

    def settlement_proxy(self, i: int) -> float:
        """Proxy for the 60-second average over bar ``i``: its typical price (O + H + L + C) / 4.

        Kalshi settles on the simple average of 60 one-second index prints before the hour. A 1-minute
        bar only tells us its open, extremes and close; their mean is the usual stand-in for the
        minute's average and sits closer to it than the close alone.
        """
        return (self.open[i] + self.high[i] + self.low[i] + self.close[i]) / 4.0

    @property
    def missing_minutes(self) -> int:
        return sum(g.missing_minutes for g in self.gaps)


def find_gaps(ts: list[int]) -> list[Gap]:
    """Every run of missing minutes between consecutive timestamps (which must be minute-aligned)."""
    gaps: list[Gap] = []
    for i in range(1, len(ts)):
        step = ts[i] - ts[i - 1]
        if step > MINUTE_S:
            gaps.append(Gap(after_ts=ts[i - 1], before_ts=ts[i]))
    return gaps
