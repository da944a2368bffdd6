"""The live scorecard: has a bot's model beaten the market on what it actually looked at? (pure)

From the recorded **decision** snapshots (paper, demo or live) and their settlements:

- **Contracts scored**: every contract a decision looked at (:attr:`StrikeQuote.looked_at`: the hourly
  bot's selected strike; every quoted bracket the weather bot priced) that has the model's P(NO), a
  two-sided quote and a yes/no result. The model's P(NO) and the market's (the bid-ask mid) are scored
  alike with :mod:`kalshi_bots.domain.scoring`: log loss, Brier, and paired differences model - market
  with standard errors clustered by event (the strikes of one event settle together).
- **Decisions**: snapshots with at least one scored contract. The edge gate counts these.
- **P&L**: the bot's settled trades from the trade log: realised P&L after fees (as reconcile books it)
  against what the model expected when it traded, ``fill * P(win) - fill * price - fees``, with the
  mean per contract and its standard error (trades as independent draws).

Lines are per bot over the whole period and per ISO week (UTC) of the decision or trade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from kalshi_bots.domain.edge_gate import EdgeEvidence
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, Trigger
from kalshi_bots.domain.models import Bot, Side, TradeRecord
from kalshi_bots.domain.scoring import Comparison, TradeResult, compare, pnl_summary

ALL_WEEKS = "all"


def iso_week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class ScoredContract:
    bot: Bot
    week: str
    decision: str  # which decision looked at it: "<scheduled minute>#<event>"
    event_ticker: str
    ticker: str
    model_p_no: float
    market_p_no: float  # the bid-ask mid
    no_won: int  # 1 = the NO side paid


@dataclass(frozen=True, slots=True)
class SettledTrade:
    bot: Bot
    week: str
    contracts: Decimal
    cost: Decimal  # price paid, all contracts, without fees
    fees: Decimal
    model_p_win: float
    won: bool
    pnl: Decimal  # realised, after fees

    @property
    def expected_pnl(self) -> Decimal:
        return self.contracts * Decimal(repr(self.model_p_win)) - self.cost - self.fees


def scored_contracts(
    snapshots: Iterable[MarketSnapshot], results: Mapping[str, EventResult]
) -> tuple[list[ScoredContract], dict[tuple[str, str], int]]:
    """The scored rows, and how many decision snapshots each (bot, week) recorded in all."""
    rows: list[ScoredContract] = []
    recorded: dict[tuple[str, str], int] = {}
    for snap in snapshots:
        if snap.trigger is not Trigger.DECISION:
            continue
        week = iso_week(snap.at)
        recorded[(snap.bot, week)] = recorded.get((snap.bot, week), 0) + 1
        result = results.get(snap.event_ticker)
        if result is None:
            continue
        for s in snap.looked_at:
            outcome, mid = result.outcome(s.ticker), s.market_mid_no
            if s.model_p_no is None or mid is None or not outcome or not 0.0 <= mid <= 1.0:
                continue
            decision = f"{snap.scheduled_for.isoformat()}#{snap.event_ticker}"
            no_won = int(outcome == "no")
            rows.append(
                ScoredContract(
                    snap.bot, week, decision, snap.event_ticker, s.ticker, s.model_p_no, mid, no_won
                )
            )
    return rows, recorded


def settled_trades(trades: Iterable[TradeRecord]) -> tuple[list[SettledTrade], dict[tuple[str, str], int]]:
    """Filled trades with a yes/no settlement, and how many more are still open per (bot, week)."""
    out: list[SettledTrade] = []
    still_open: dict[tuple[str, str], int] = {}
    for t in trades:
        if t.fill_count <= 0:
            continue
        week = iso_week(t.created_at)
        if t.pnl_dollars is None or t.settlement_result not in ("yes", "no"):
            still_open[(t.bot, week)] = still_open.get((t.bot, week), 0) + 1
            continue
        won = (t.settlement_result == "yes") == (t.side is Side.YES)
        cost = t.fill_count * t.price_cents / 100
        out.append(
            SettledTrade(t.bot, week, t.fill_count, cost, t.fees_dollars, t.model_prob, won, t.pnl_dollars)
        )
    return out, still_open


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One bot over one period (``week`` = ``2026-W48``, or ``all``)."""

    bot: Bot
    week: str
    decisions_recorded: int
    decisions: int  # decisions with at least one scored contract
    contracts: int
    model_log_loss: float | None
    market_log_loss: float | None
    log_loss_difference: float | None  # model - market mid: negative = the model did better
    log_loss_difference_se: float | None
    model_brier: float | None
    market_brier: float | None
    brier_difference: float | None
    brier_difference_se: float | None
    trades: int  # settled
    open_trades: int
    contracts_traded: Decimal
    realized_pnl: Decimal  # after fees
    expected_pnl: Decimal  # what the model expected of the same trades
    fees: Decimal
    pnl_per_contract: float | None
    pnl_per_contract_se: float | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("contracts_traded", "realized_pnl", "expected_pnl", "fees"):
            out[name] = str(out[name])
        return out


def score_line(
    bot: Bot,
    week: str,
    rows: Sequence[ScoredContract],
    trades: Sequence[SettledTrade],
    *,
    recorded: int,
    still_open: int,
) -> ScoreLine:
    comparison: Comparison | None = None
    if rows:
        comparison = compare(
            [r.model_p_no for r in rows],
            [r.market_p_no for r in rows],
            [r.no_won for r in rows],
            [r.event_ticker for r in rows],
        )
    pnl = pnl_summary([_trade_result(t) for t in trades if _whole(t.contracts)])
    zero = Decimal(0)
    return ScoreLine(
        bot=bot,
        week=week,
        decisions_recorded=recorded,
        decisions=len({r.decision for r in rows}),
        contracts=len(rows),
        model_log_loss=None if comparison is None else comparison.model.log_loss,
        market_log_loss=None if comparison is None else comparison.market.log_loss,
        log_loss_difference=None if comparison is None else comparison.log_loss_difference.difference,
        log_loss_difference_se=None if comparison is None else comparison.log_loss_difference.standard_error,
        model_brier=None if comparison is None else comparison.model.brier,
        market_brier=None if comparison is None else comparison.market.brier,
        brier_difference=None if comparison is None else comparison.brier_difference.difference,
        brier_difference_se=None if comparison is None else comparison.brier_difference.standard_error,
        trades=len(trades),
        open_trades=still_open,
        contracts_traded=sum((t.contracts for t in trades), zero),
        realized_pnl=sum((t.pnl for t in trades), zero),
        expected_pnl=sum((t.expected_pnl for t in trades), zero),
        fees=sum((t.fees for t in trades), zero),
        pnl_per_contract=pnl.mean_pnl_per_contract,
        pnl_per_contract_se=pnl.standard_error,
    )


def _whole(contracts: Decimal) -> bool:
    return contracts == contracts.to_integral_value() and contracts > 0


def _trade_result(t: SettledTrade) -> TradeResult:
    n = int(t.contracts)
    return TradeResult(price=t.cost / n, fee=t.fees / n, won=t.won, contracts=n)


@dataclass(frozen=True, slots=True)
class BotScorecard:
    bot: Bot
    total: ScoreLine
    weeks: tuple[ScoreLine, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "bot": self.bot.value,
            "total": self.total.as_dict(),
            "weeks": [w.as_dict() for w in self.weeks],
        }


def bot_scorecards(
    snapshots: Iterable[MarketSnapshot],
    results: Mapping[str, EventResult],
    trades: Iterable[TradeRecord],
    bots: Sequence[Bot],
) -> tuple[BotScorecard, ...]:
    """One :class:`BotScorecard` per bot in ``bots`` (in that order), empty lines included."""
    rows, recorded = scored_contracts(snapshots, results)
    settled, still_open = settled_trades(trades)
    cards = []
    for bot in bots:
        bot_rows = [r for r in rows if r.bot == bot]
        bot_trades = [t for t in settled if t.bot == bot]
        weeks = sorted(
            {w for (b, w) in recorded if b == bot}
            | {t.week for t in bot_trades}
            | {w for (b, w) in still_open if b == bot}
        )
        lines = tuple(
            score_line(
                bot,
                week,
                [r for r in bot_rows if r.week == week],
                [t for t in bot_trades if t.week == week],
                recorded=recorded.get((bot, week), 0),
                still_open=still_open.get((bot, week), 0),
            )
            for week in weeks
        )
        total = score_line(
            bot,
            ALL_WEEKS,
            bot_rows,
            bot_trades,
            recorded=sum(n for (b, _), n in recorded.items() if b == bot),
            still_open=sum(n for (b, _), n in still_open.items() if b == bot),
        )
        cards.append(BotScorecard(bot, total, lines))
    return tuple(cards)


def edge_evidence(line: ScoreLine) -> EdgeEvidence:
    """The figures the edge gate reads, from a bot's whole-period line."""
    return EdgeEvidence(
        bot=line.bot,
        decisions=line.decisions,
        contracts=line.contracts,
        model_log_loss=line.model_log_loss,
        market_log_loss=line.market_log_loss,
        log_loss_difference=line.log_loss_difference,
        log_loss_difference_se=line.log_loss_difference_se,
        settled_trades=line.trades,
        realized_pnl=line.realized_pnl,
    )


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Every bot's lines over ``since <= time < until`` (decisions by their minute, trades by creation)."""

    generated_at: datetime
    since: datetime
    until: datetime
    bots: tuple[BotScorecard, ...]

    def bot(self, name: Bot) -> BotScorecard | None:
        return next((b for b in self.bots if b.bot == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "bots": [b.as_dict() for b in self.bots],
        }
