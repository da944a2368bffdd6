"""The edge gate for real money: in ``live`` mode a bot trades only on evidence that its model beats
the market (pure; the figures come from the bot's scorecard, :mod:`kalshi_bots.domain.scorecard`).

A live order is allowed when the bot's scorecard (its recorded decisions in paper, demo or live) shows

1. at least ``min_decisions`` scored decisions (``KALSHI_BOTS_EDGE_MIN_DECISIONS``, default 200),
2. the model's log loss **below** the market mid's on the contracts it looked at (the point estimate:
   a difference model - market < 0; its standard error is reported, not required), and
3. realised P&L after fees of its settled trades ``>= 0`` (no settled trade counts as $0).

Otherwise the order is refused with :attr:`NoTradeReason.NO_EDGE_EVIDENCE` and a detail that says what
the scorecard shows. The gate fails closed: no figures (the scorecard could not be computed, e.g. the
store failed) means no live order. ``paper`` and ``demo`` are never gated. ``override``
(``KALSHI_BOTS_LIVE_WITHOUT_EDGE=yes``) lets live orders through without evidence; the verdict then
says so, and the job logs it loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.models import Bot, Mode
from kalshi_bots.domain.params import DEFAULT_MIN_DECISIONS
from kalshi_bots.domain.reasons import NoTradeReason


@dataclass(frozen=True, slots=True)
class EdgeEvidence:
    """The scorecard figures the gate reads (one bot, every recorded decision)."""

    bot: Bot
    decisions: int
    contracts: int
    model_log_loss: float | None
    market_log_loss: float | None
    log_loss_difference: float | None  # model - market mid; negative = the model did better
    log_loss_difference_se: float | None
    settled_trades: int
    realized_pnl: Decimal

    def describe(self) -> str:
        if self.log_loss_difference is None or self.model_log_loss is None or self.market_log_loss is None:
            scores = "no scored contracts"
        else:
            se = "" if self.log_loss_difference_se is None else f" ± {self.log_loss_difference_se:.4f}"
            scores = (
                f"model log loss {self.model_log_loss:.4f} vs market mid {self.market_log_loss:.4f} "
                f"(difference {self.log_loss_difference:+.4f}{se}) on {self.contracts} contracts"
            )
        return (
            f"{self.bot}: {self.decisions} scored decisions, {scores}; realised P&L after fees "
            f"${self.realized_pnl:.2f} on {self.settled_trades} settled trades"
        )


@dataclass(frozen=True, slots=True)
class EdgeVerdict:
    allowed: bool
    refusal: Refusal | None = None
    overridden: bool = False  # allowed only because of the override
    gated: bool = False  # the rule was applied (live mode)
    detail: str = ""


def edge_gate(
    mode: Mode,
    evidence: EdgeEvidence | None,
    *,
    min_decisions: int = DEFAULT_MIN_DECISIONS,
    override: bool = False,
    unavailable: str = "",
) -> EdgeVerdict:
    """Whether a bot may place an order now. ``evidence`` None = the scorecard could not be computed
    (``unavailable`` says why)."""
    if mode is not Mode.LIVE:
        return EdgeVerdict(True, detail=f"{mode.value} mode is not gated")
    if override:
        why = "KALSHI_BOTS_LIVE_WITHOUT_EDGE=yes: live orders without evidence of an edge"
        return EdgeVerdict(True, overridden=True, gated=True, detail=why)
    if evidence is None:
        return _refuse(f"the scorecard could not be computed ({unavailable or 'no figures'}): no live order")
    shown = evidence.describe()
    if evidence.decisions < min_decisions:
        return _refuse(f"{shown}; needs at least {min_decisions} scored decisions")
    diff = evidence.log_loss_difference
    if diff is None or not diff < 0:
        return _refuse(f"{shown}; the model does not beat the market mid on log loss")
    if evidence.realized_pnl < 0:
        return _refuse(f"{shown}; realised P&L after fees is negative")
    return EdgeVerdict(True, gated=True, detail=shown)


def _refuse(detail: str) -> EdgeVerdict:
    return EdgeVerdict(False, Refusal(NoTradeReason.NO_EDGE_EVIDENCE, detail), gated=True, detail=detail)
