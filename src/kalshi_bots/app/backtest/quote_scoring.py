"""Model versus market on recorded Kalshi quotes (``kalshi-bots backtest quotes``).

Every recorded quote becomes a :class:`QuoteRow`: a side's ask (and bid when recorded) for one hourly
"greater" market at one instant, with the outcome of that side when known. A row is **scored** when

1. a spot price observed at most :data:`MAX_SPOT_AGE_S` (60 s) before the quote, and not after it, exists
   (the row's own recorded spot, else the freshest point of the spot series);
2. the outcome of its side is known (Kalshi's result, or the settlement index / spot at the close);
3. it is before the close, and the ask is a price strictly between 0 and 1;
4. the live model has an input: the recorder's own P(NO), or the live
   :func:`~kalshi_bots.domain.hourly_model.hourly_model_input` on the minute prices up to the quote's
   minute (the ``VOL/LATEST`` the collector would hold, no older than :data:`MAX_VOL_AGE_S`).

Each dropped row is counted under the first rule it fails (:class:`Drop`). On the scored rows the model's
probability of the side winning and the market's (the ask; the bid-ask mid where the bid is recorded)
are scored alike (:mod:`kalshi_bots.domain.scoring`), with standard errors clustered by event.

**The live trading rule** is replayed on the same rows (:mod:`.quote_rule`); the rows themselves are in
:mod:`.quote_rows`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from kalshi_bots.app.backtest.quote_rows import Drop, QuoteRow, ScoredRow, SpotSeries
from kalshi_bots.app.backtest.quote_rule import RuleConfig, apply_live_rule, rule_edge, rule_eligible
from kalshi_bots.domain.fees import fee_per_contract
from kalshi_bots.domain.hourly_model import HourlyModel, hourly_model_input
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.domain.models import Asset, FeeSchedule, PriceTick
from kalshi_bots.domain.pricing import prob_no_law
from kalshi_bots.domain.scoring import (
    Comparison,
    PnlSummary,
    TradeResult,
    compare,
    pnl_summary,
)
from kalshi_bots.domain.volatility import compute_snapshot

MAX_SPOT_AGE_S = 60.0
MAX_VOL_AGE_S = 180.0  # the job refuses a VOL/LATEST older than this (HourlyParams.max_vol_age_s)


@dataclass(frozen=True, slots=True)
class QuoteStudyResult:
    rows: tuple[ScoredRow, ...]
    drops: dict[str, dict[str, int]]  # source -> reason -> count
    seen: dict[str, int]  # source -> rows read
    versus_ask: Comparison | None
    versus_mid: Comparison | None  # on the rows that recorded a bid
    by_source: dict[str, Comparison]
    rule: PnlSummary
    model: str
    rule_config: RuleConfig = field(default_factory=RuleConfig)

    def as_dict(self) -> dict[str, Any]:
        eligible = [r for r in self.rows if rule_eligible(r, self.rule_config)]
        return {
            "model": self.model,
            "rows_read": self.seen,
            "rows_scored": len(self.rows),
            "dropped": self.drops,
            "selection": {
                "max_spot_age_s": MAX_SPOT_AGE_S,
                "max_vol_age_s": MAX_VOL_AGE_S,
                "rules": [d.value for d in Drop],
            },
            "model_vs_market_ask": None if self.versus_ask is None else self.versus_ask.as_dict(),
            "model_vs_market_mid": None if self.versus_mid is None else self.versus_mid.as_dict(),
            "by_source_vs_ask": {k: v.as_dict() for k, v in self.by_source.items()},
            "live_rule": {
                "min_edge": self.rule_config.min_edge,
                "strike_distance_bps": self.rule_config.strike_distance_bps,
                "eligible_no_quotes": len(
                    eligible := [r for r in self.rows if rule_eligible(r, self.rule_config)]
                ),
                "best_edge_after_fee": max((rule_edge(r) for r in eligible), default=None),
                "pnl": self.rule.as_dict(),
            },
            "live_rule_trades": [
                {"ticker": r.quote.ticker, "time": r.quote.at.isoformat(), "ask": str(r.quote.ask)}
                for r in self.rows
                if r.rule_trade
            ],
        }


class ModelAtMinute:
    """The live model's input at each minute, from minute prices (cached: many quotes share a minute)."""

    def __init__(self, model: HourlyModel, asset: Asset, minute_prices: Sequence[PriceTick]) -> None:
        self.model = model
        self.asset = asset
        self.ticks = sorted(minute_prices, key=lambda t: t.at)
        self._cache: dict[datetime, float | None] = {}

    def vol(self, when: datetime) -> float | None:
        minute = floor_minute(when)
        if minute not in self._cache:
            self._cache[minute] = self._compute(minute)
        return self._cache[minute]

    def _compute(self, minute: datetime) -> float | None:
        snapshot = compute_snapshot(self.asset, self.ticks, minute)
        latest = snapshot.recent_prices[-1].at if snapshot.recent_prices else None
        if latest is None or (minute - latest).total_seconds() > MAX_VOL_AGE_S:
            return None  # the collector would have nothing fresh: the job refuses vol_stale
        return hourly_model_input(self.model, snapshot).vol_15m_std_pct


def _spot_of(row: QuoteRow, spots: SpotSeries | None) -> tuple[Decimal, float] | None:
    candidates: list[tuple[Decimal, datetime]] = []
    if row.spot is not None and row.spot_at is not None:
        candidates.append((row.spot, row.spot_at))
    if spots is not None:
        point = spots.at_or_before(row.at)
        if point is not None:
            candidates.append((point.price, point.at))
    fresh = [
        (price, (row.at - at).total_seconds())
        for price, at in candidates
        if 0 <= (row.at - at).total_seconds() <= MAX_SPOT_AGE_S
    ]
    return min(fresh, key=lambda c: c[1]) if fresh else None


def select_and_price(
    rows: Iterable[QuoteRow],
    model: HourlyModel,
    vol_at: Callable[[datetime], float | None] | None,
    spots: SpotSeries | None,
    fees: FeeSchedule,
) -> tuple[list[ScoredRow], dict[str, dict[str, int]], dict[str, int]]:
    """Apply the selection rules (module doc) in order; price the survivors with the live model.

    ``vol_at(t)`` is the model's ``vol_15m_std_pct`` at the quote time (None = no input).
    """
    scored: list[ScoredRow] = []
    drops: dict[str, Counter[str]] = {}
    seen: Counter[str] = Counter()
    for row in rows:
        seen[row.source] += 1
        reason, result = _score_one(row, model, vol_at, spots, fees)
        if result is None:
            drops.setdefault(row.source, Counter())[str(reason)] += 1
        else:
            scored.append(result)
    scored.sort(key=lambda r: (r.quote.at, r.quote.event_ticker, r.quote.strike, r.quote.side))
    return scored, {k: dict(v) for k, v in drops.items()}, dict(seen)


def _score_one(
    row: QuoteRow,
    model: HourlyModel,
    vol_at: Callable[[datetime], float | None] | None,
    spots: SpotSeries | None,
    fees: FeeSchedule,
) -> tuple[str, ScoredRow | None]:
    spot = _spot_of(row, spots)
    if spot is None:
        return Drop.NO_SPOT, None
    if row.won is None:
        return Drop.NO_OUTCOME, None
    if row.seconds_left <= 0:
        return Drop.CLOSED, None
    if row.ask is None or not 0 < row.ask < 1:
        return Drop.NO_ASK, None
    price, age = spot
    vol: float | None = None
    if row.recorded_p_no is not None:
        p_no = row.recorded_p_no
    else:
        vol = None if vol_at is None else vol_at(row.at)
        if vol is None or vol <= 0:
            return Drop.NO_MODEL, None
        p_no = prob_no_law(
            price,
            row.strike,
            row.seconds_left / 60.0,
            vol,
            tail_nu=model.tail_nu,
            settlement_average_s=model.settlement_average_s,
        )
    return "", ScoredRow(row, price, age, vol, p_no, fee_per_contract(1, row.ask, fees))


def _compare(rows: Sequence[ScoredRow], mid: bool = False) -> Comparison | None:
    usable = [r for r in rows if not mid or r.market_mid is not None]
    if not usable:
        return None
    market = [(r.market_mid if mid else r.market_p) or 0.0 for r in usable]
    return compare(
        [r.model_p for r in usable],
        market,
        [r.outcome for r in usable],
        [r.quote.event_ticker for r in usable],
    )


@dataclass(frozen=True, slots=True)
class QuoteSource:
    """One data set of quotes with the prices that go with it.

    ``minute_prices`` are the collector's minute prices for the model's history (and spot);
    ``spot_points`` are further spot observations used only as spot (e.g. BRTI quarter-hours).
    """

    name: str
    rows: Sequence[QuoteRow]
    minute_prices: Sequence[PriceTick] = ()
    spot_points: Sequence[PriceTick] = ()
    asset: Asset = Asset.BTC


def study_quotes(
    sources: Sequence[QuoteSource], model: HourlyModel, *, rule: RuleConfig | None = None
) -> QuoteStudyResult:
    """Select, price and score every quote of every source; run the live rule on the scored rows."""
    cfg = rule or RuleConfig()
    scored: list[ScoredRow] = []
    drops: dict[str, dict[str, int]] = {}
    seen: dict[str, int] = {}
    for source in sources:
        vol_at = (
            ModelAtMinute(model, source.asset, source.minute_prices).vol if source.minute_prices else None
        )
        points = [*source.minute_prices, *source.spot_points]
        spots = SpotSeries(points) if points else None
        rows, dropped, counted = select_and_price(source.rows, model, vol_at, spots, cfg.fee_schedule)
        scored += rows
        for name, reasons in dropped.items():
            merged = drops.setdefault(name, {})
            for reason, n in reasons.items():
                merged[reason] = merged.get(reason, 0) + n
        for name, n in counted.items():
            seen[name] = seen.get(name, 0) + n
    scored.sort(key=lambda r: (r.quote.at, r.quote.event_ticker, r.quote.strike, r.quote.side))
    marked = apply_live_rule(scored, cfg)
    trades = [
        TradeResult(r.quote.ask or Decimal(0), r.fee, bool(r.quote.won)) for r in marked if r.rule_trade
    ]
    names = sorted({r.quote.source for r in marked})
    by_source = {s: c for s in names if (c := _compare([r for r in marked if r.quote.source == s]))}
    return QuoteStudyResult(
        rows=tuple(marked),
        drops=drops,
        seen=seen,
        versus_ask=_compare(marked),
        versus_mid=_compare(marked, mid=True),
        by_source=by_source,
        rule=pnl_summary(trades),
        model=model.name,
        rule_config=cfg,
    )
