"""Real Kalshi quotes (``kalshi_kxbtcd_kxethd_late_band_2026``): how good are late-hour favourites?

That data set holds only asks of 88–96¢ in the last 13 minutes, for July–August 2026, and there is no
spot series for those months, so our model cannot be replayed on it. What it does answer with real
quotes and real outcomes: if you buy the favourite at its first in-band ask (the row with the most
time left, closest to our minute-45 decision), how often does it win, and what does it earn after the
taker fee? That is the P&L of the market's own price, the bar any model has to beat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kalshi_bots.app.backtest.metrics import Scores, score
from kalshi_bots.app.backtest.records import LateBandQuote
from kalshi_bots.domain.fees import fee_per_contract
from kalshi_bots.domain.models import FeeSchedule, FeeType


@dataclass(frozen=True, slots=True)
class FavouriteTrade:
    quote: LateBandQuote
    fee: Decimal
    pnl: Decimal  # per contract: payout - ask - fee


@dataclass(frozen=True, slots=True)
class AskBucket:
    ask_cents: int
    count: int
    win_rate: float
    mean_pnl_cents: float


@dataclass(frozen=True, slots=True)
class QuoteStudy:
    series: str
    trades: tuple[FavouriteTrade, ...]
    scores: Scores  # p = ask, y = won
    buckets: tuple[AskBucket, ...]

    @property
    def total_pnl(self) -> Decimal:
        return sum((t.pnl for t in self.trades), Decimal(0))


def first_in_band(quotes: Sequence[LateBandQuote], side: str | None = None) -> list[LateBandQuote]:
    """Per market and side, the quote with the most seconds left; in close-time order."""
    best: dict[tuple[str, str], LateBandQuote] = {}
    for q in quotes:
        if side is not None and q.side != side:
            continue
        key = (q.ticker, q.side)
        current = best.get(key)
        if current is None or q.secs_left > current.secs_left:
            best[key] = q
    return sorted(best.values(), key=lambda q: (q.close_time, q.ticker, q.side))


def study(
    quotes: Sequence[LateBandQuote], side: str | None = None, schedule: FeeSchedule | None = None
) -> QuoteStudy:
    fees = schedule or FeeSchedule(FeeType.QUADRATIC)
    entries = first_in_band(quotes, side)
    trades = []
    for q in entries:
        fee = fee_per_contract(1, q.ask, fees)
        trades.append(FavouriteTrade(q, fee, (Decimal(1) if q.won else Decimal(0)) - q.ask - fee))
    by_ask: dict[int, list[FavouriteTrade]] = {}
    for t in trades:
        by_ask.setdefault(int(t.quote.ask * 100), []).append(t)
    buckets = tuple(
        AskBucket(
            ask_cents=cents,
            count=len(group),
            win_rate=sum(t.quote.won for t in group) / len(group),
            mean_pnl_cents=float(sum(t.pnl for t in group) / len(group) * 100),
        )
        for cents, group in sorted(by_ask.items())
    )
    series = ",".join(sorted({q.series for q in entries}))
    return QuoteStudy(
        series=series,
        trades=tuple(trades),
        scores=score([float(t.quote.ask) for t in trades], [int(t.quote.won) for t in trades]),
        buckets=buckets,
    )
