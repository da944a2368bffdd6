"""The live scorecard (:func:`kalshi_bots.app.scorecard.scorecard`) as the dashboard's "Model vs market"
card and the daily summary alert show it: each bot's whole-period line, in words.

Computed on demand from the store (the recorder's decision snapshots, their settlements and the trade
log), the same figures ``kalshi-bots scorecard`` prints and the edge gate reads. A display must never
break what it is part of: a store that cannot be read, or a record that cannot be decoded, gives a view
that says so (:attr:`ScorecardView.problem`) instead of raising. The caller keeps it cheap: the
dashboard caches the view for minutes, the summary computes it once a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kalshi_bots.app.event_text import money
from kalshi_bots.app.scorecard import DEFAULT_DAYS, scorecard
from kalshi_bots.domain.models import TRADING_BOTS, Bot
from kalshi_bots.domain.scorecard import ScoreLine
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import TradeLog

METRIC = "log loss on the contracts each decision looked at (lower is better); market = bid-ask mid"


@dataclass(frozen=True, slots=True)
class ScorecardView:
    """Each bot's line over ``since <= time < until``; ``problem`` says why there are none."""

    since: datetime
    until: datetime
    days: int
    lines: tuple[ScoreLine, ...]
    problem: str = ""

    @property
    def empty(self) -> bool:
        """Nothing recorded and nothing traded in the period (a new deployment)."""
        return not any(line.decisions_recorded or line.trades or line.open_trades for line in self.lines)

    def words(self) -> str:
        """One sentence per bot with something to show, for the daily summary."""
        if self.problem:
            return f"Scorecard unavailable ({self.problem})."
        if self.empty:
            return f"Scorecard (last {self.days} days): nothing recorded yet."
        shown = [line_words(line) for line in self.lines if line.decisions_recorded or line.trades]
        return f"Scorecard (last {self.days} days): " + "; ".join(shown) + "."

    def as_fields(self) -> list[dict[str, Any]]:
        """The lines as JSON-able dicts (the alert's fields)."""
        return [line.as_dict() for line in self.lines]


def scorecard_view(
    trades: TradeLog,
    snapshots: SnapshotStore | None,
    *,
    now: datetime,
    days: int = DEFAULT_DAYS,
    bots: Sequence[Bot] = TRADING_BOTS,
) -> ScorecardView:
    """The scorecard of the last ``days`` days up to ``now``, or a view that says why it has none."""
    try:
        card = scorecard(trades, snapshots, now=now, days=days, bots=bots)
    except Exception as exc:  # a display: whatever went wrong is shown, never raised into the page/alert
        return ScorecardView(now - timedelta(days=days), now, days, (), f"{type(exc).__name__}: {exc}")
    return ScorecardView(card.since, card.until, days, tuple(b.total for b in card.bots))


def _score(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def log_loss_words(line: ScoreLine) -> str:
    """``model 0.2810 vs market 0.2790 (+0.0020 ± 0.0010)`` or ``no scored contracts``."""
    if line.log_loss_difference is None:
        return "no scored contracts"
    se = "" if line.log_loss_difference_se is None else f" ± {line.log_loss_difference_se:.4f}"
    return (
        f"model {_score(line.model_log_loss)} vs market {_score(line.market_log_loss)} "
        f"({line.log_loss_difference:+.4f}{se})"
    )


def pnl_words(line: ScoreLine) -> str:
    """``+$3.20 on 12 settled trades (model expected +$4.10)``."""
    return (
        f"{money(line.realized_pnl)} on {line.trades} settled trades "
        f"(model expected {money(line.expected_pnl)})"
    )


def line_words(line: ScoreLine) -> str:
    return (
        f"{line.bot} {line.decisions} scored decisions, log loss {log_loss_words(line)}, "
        f"P&L after fees {pnl_words(line)}"
    )
