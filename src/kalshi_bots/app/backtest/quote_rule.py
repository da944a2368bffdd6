"""The live hourly trading rule replayed on the scored quotes: buy one NO contract when the strike is
at least ``strike_distance_bps`` above spot and ``P(NO) - (NO ask + taker fee) >= min_edge``; at most one
trade per event (the first qualifying quote in time, lowest strike first), held to settlement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from kalshi_bots.app.backtest.quote_rows import ScoredRow
from kalshi_bots.domain.fees import edge_after_fee
from kalshi_bots.domain.models import FeeSchedule, FeeType


@dataclass(frozen=True, slots=True)
class RuleConfig:
    min_edge: float = 0.03
    strike_distance_bps: int = 20
    fee_schedule: FeeSchedule = field(default_factory=lambda: FeeSchedule(FeeType.QUADRATIC))


def rule_eligible(r: ScoredRow, rule: RuleConfig) -> bool:
    """A NO quote the live strike rule could pick: strike >= spot * (1 + bps), some size at the ask."""
    q = r.quote
    threshold = r.spot * (1 + Decimal(rule.strike_distance_bps) / 10_000)
    return q.side == "no" and q.strike >= threshold and (q.ask_size is None or q.ask_size >= 1)


def rule_edge(r: ScoredRow) -> float:
    return edge_after_fee(r.model_p_no, r.quote.ask or Decimal(1), r.fee)


def apply_live_rule(rows: Sequence[ScoredRow], rule: RuleConfig) -> list[ScoredRow]:
    """Mark the live rule's trades (module doc): NO side, strike far enough above spot, edge after fee."""
    traded_events: set[str] = set()
    ordered = sorted(range(len(rows)), key=lambda i: (rows[i].quote.at, rows[i].quote.strike))
    chosen: set[int] = set()
    for i in ordered:
        r = rows[i]
        if r.quote.event_ticker in traded_events or not rule_eligible(r, rule):
            continue
        if rule_edge(r) >= rule.min_edge:
            traded_events.add(r.quote.event_ticker)
            chosen.add(i)
    return [replace(r, rule_trade=True) if i in chosen else r for i, r in enumerate(rows)]
