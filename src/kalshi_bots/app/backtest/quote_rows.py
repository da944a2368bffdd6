"""The rows of the quotes study: a recorded quote (:class:`QuoteRow`), the same quote scored
(:class:`ScoredRow`, and its line of the per-row CSV), why a quote was not scored (:class:`Drop`), and
the spot series quotes are priced against."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from kalshi_bots.domain.models import PriceTick


class Drop(StrEnum):
    NO_SPOT = "no_spot_within_60s"
    NO_OUTCOME = "outcome_unknown"
    CLOSED = "not_before_close"
    NO_ASK = "no_usable_ask"
    NO_MODEL = "no_model_input"


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """One recorded quote of one side of a KXBTCD/KXETHD "greater" market."""

    source: str  # which data set, e.g. "late-band", "botlog-2026-02", "recorder"
    event_ticker: str
    ticker: str
    at: datetime
    close_time: datetime
    side: str  # "yes" | "no"
    ask: Decimal | None
    strike: Decimal
    won: bool | None  # did this side pay; None = unknown
    bid: Decimal | None = None
    ask_size: int | None = None
    spot: Decimal | None = None  # recorded with the quote, if the source has one
    spot_at: datetime | None = None
    outcome_source: str = ""
    recorded_p_no: float | None = None  # the recorder's own model P(NO): scored as is

    @property
    def seconds_left(self) -> float:
        return (self.close_time - self.at).total_seconds()


@dataclass(frozen=True, slots=True)
class ScoredRow:
    quote: QuoteRow
    spot: Decimal
    spot_age_s: float
    vol_15m_std_pct: float | None
    model_p_no: float
    fee: Decimal  # taker fee of one contract at the ask
    rule_trade: bool = False

    @property
    def model_p(self) -> float:
        """The model's probability that this row's side wins."""
        return self.model_p_no if self.quote.side == "no" else 1.0 - self.model_p_no

    @property
    def market_p(self) -> float:
        return float(self.quote.ask or 0)  # scored rows always have an ask (rule 3)

    @property
    def market_mid(self) -> float | None:
        q = self.quote
        return None if q.bid is None or q.ask is None else float((q.bid + q.ask) / 2)

    @property
    def outcome(self) -> int:
        return int(bool(self.quote.won))


class SpotSeries:
    """Spot observations in time order: the freshest one at or before an instant."""

    def __init__(self, points: Iterable[PriceTick]) -> None:
        self.points = sorted(points, key=lambda t: t.at)
        self._times = [t.at for t in self.points]

    def at_or_before(self, when: datetime) -> PriceTick | None:
        k = bisect_right(self._times, when)
        return self.points[k - 1] if k else None


ROW_COLUMNS = (
    "source",
    "event_ticker",
    "ticker",
    "time",
    "seconds_left",
    "side",
    "strike",
    "ask",
    "bid",
    "fee",
    "spot",
    "spot_age_s",
    "vol_15m_std_pct",
    "model_p",
    "market_p",
    "outcome",
    "outcome_source",
    "rule_trade",
)


def row_cells(r: ScoredRow) -> tuple[str, ...]:
    """One line of the per-row CSV (model_p and market_p are for the row's side)."""
    q = r.quote
    return (
        q.source,
        q.event_ticker,
        q.ticker,
        q.at.isoformat(),
        f"{q.seconds_left:g}",
        q.side,
        str(q.strike),
        str(q.ask),
        "" if q.bid is None else str(q.bid),
        str(r.fee),
        str(r.spot),
        f"{r.spot_age_s:g}",
        "" if r.vol_15m_std_pct is None else f"{r.vol_15m_std_pct:.6f}",
        f"{r.model_p:.6f}",
        f"{r.market_p:.4f}",
        str(r.outcome),
        q.outcome_source,
        str(int(r.rule_trade)),
    )
