"""Positions and P&L: pure computations over trade records and last quotes (the one read model).

The CLI (``positions``, ``pnl``), the dashboard and the daily-summary alert all read these figures, so
they cannot disagree. Definitions, in dollars:

- **open position**: executed trades with filled contracts and no settlement yet, grouped by
  (bot, ticker, side). ``cost`` = contracts × fill price; ``fees`` = fees paid.
- **mark**: what the contracts would sell for now, at the **bid of our side** (NO bid for a NO
  position); a market that already shows its result marks at $1 or $0. No bid -> no mark ("no quote").
- **unrealized** = mark value - cost - fees. **max loss** = cost + fees (a contract can expire worthless);
  **max gain** = contracts × $1 - cost - fees.
- **realized** (``pnl``): settled trades only, ``pnl_dollars`` as reconcile booked it (payout - cost -
  fees). ``gross`` = net + fees. A win is a settled trade with net > 0.
- **day**: the New York date the trade was *placed*. (The daily loss halt counts realized P&L on the
  day a trade *settled*; the two differ only for trades that settle after midnight ET.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import Market, Outcome, TradeRecord, TradeStatus

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Quote:
    """The last public quote of a market, as far as marking a position needs it."""

    ticker: str
    yes_bid: Decimal | None
    no_bid: Decimal | None
    result: str = ""  # "yes" | "no" once the market shows its outcome

    @classmethod
    def of(cls, market: Market) -> Quote:
        return cls(market.ticker, market.yes_bid, market.no_bid, market.result)

    def mark(self, side: Outcome) -> Decimal | None:
        """Value of one contract of ``side`` now: $1/$0 once decided, else the side's bid."""
        if self.result in ("yes", "no"):
            return ONE if (self.result == "yes") == (side is Outcome.YES) else ZERO
        bid = self.yes_bid if side is Outcome.YES else self.no_bid
        # An empty book shows a zero bid: that is "nobody buys", not "worth nothing".
        return bid if bid is not None and bid > 0 else None


@dataclass(frozen=True, slots=True)
class Position:
    bot: str
    ticker: str
    side: Outcome
    contracts: Decimal
    cost: Decimal
    fees: Decimal
    opened_at: datetime
    mark_price: Decimal | None = None  # per contract; None = no quote

    @property
    def average_price(self) -> Decimal:
        return self.cost / self.contracts if self.contracts else ZERO

    @property
    def max_loss(self) -> Decimal:
        return self.cost + self.fees

    @property
    def max_gain(self) -> Decimal:
        return self.contracts - self.cost - self.fees

    @property
    def value(self) -> Decimal | None:
        return None if self.mark_price is None else self.contracts * self.mark_price

    @property
    def unrealized(self) -> Decimal | None:
        value = self.value
        return None if value is None else value - self.cost - self.fees


def is_open(trade: TradeRecord) -> bool:
    return trade.status is TradeStatus.EXECUTED and trade.fill_count > 0 and trade.settlement_result is None


def open_positions(trades: Iterable[TradeRecord], quotes: Mapping[str, Quote]) -> list[Position]:
    """Open positions, oldest first, marked from ``quotes`` (ticker -> quote; missing = no quote)."""
    groups: dict[tuple[str, str, Outcome], list[TradeRecord]] = defaultdict(list)
    for trade in trades:
        if is_open(trade):
            groups[(trade.bot, trade.contract_ticker, trade.side)].append(trade)
    positions = []
    for (bot, ticker, side), group in groups.items():
        quote = quotes.get(ticker)
        positions.append(
            Position(
                bot=bot,
                ticker=ticker,
                side=side,
                contracts=sum((t.fill_count for t in group), ZERO),
                cost=sum((t.fill_count * t.price_cents / 100 for t in group), ZERO),
                fees=sum((t.fees_dollars for t in group), ZERO),
                opened_at=min(t.created_at for t in group),
                mark_price=None if quote is None else quote.mark(side),
            )
        )
    return sorted(positions, key=lambda p: (p.opened_at, p.ticker))


@dataclass(frozen=True, slots=True)
class PnlLine:
    """Realized figures of one group (a day, a bot, or everything)."""

    key: str
    settled: int = 0
    wins: int = 0
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO

    @property
    def losses(self) -> int:
        return self.settled - self.wins

    @property
    def win_rate(self) -> float | None:
        return None if self.settled == 0 else self.wins / self.settled

    def plus(self, trade: TradeRecord) -> PnlLine:
        net = trade.pnl_dollars if trade.pnl_dollars is not None else ZERO
        return PnlLine(
            key=self.key,
            settled=self.settled + 1,
            wins=self.wins + (1 if net > 0 else 0),
            gross=self.gross + net + trade.fees_dollars,
            fees=self.fees + trade.fees_dollars,
            net=self.net + net,
        )


@dataclass(frozen=True, slots=True)
class PnlReport:
    total: PnlLine
    by_day: tuple[PnlLine, ...]  # ascending by day (key = ISO date, New York)
    by_bot: tuple[PnlLine, ...]  # ascending by bot name
    equity: tuple[tuple[datetime, Decimal], ...]  # (placed at, cumulative net) per settled trade


def trade_day(trade: TradeRecord) -> date:
    """The New York date a trade was placed (the ``day`` of the P&L report)."""
    return trade.created_at.astimezone(NEW_YORK).date()


def is_realized(trade: TradeRecord) -> bool:
    return trade.settlement_result is not None and trade.pnl_dollars is not None


def pnl_report(trades: Iterable[TradeRecord]) -> PnlReport:
    settled = sorted((t for t in trades if is_realized(t)), key=lambda t: t.created_at)
    total = PnlLine("all")
    days: dict[str, PnlLine] = {}
    bots: dict[str, PnlLine] = {}
    equity: list[tuple[datetime, Decimal]] = []
    for trade in settled:
        total = total.plus(trade)
        day = trade_day(trade).isoformat()
        days[day] = days.get(day, PnlLine(day)).plus(trade)
        bots[trade.bot] = bots.get(trade.bot, PnlLine(trade.bot)).plus(trade)
        equity.append((trade.created_at, total.net))
    return PnlReport(
        total=total,
        by_day=tuple(days[k] for k in sorted(days)),
        by_bot=tuple(bots[k] for k in sorted(bots)),
        equity=tuple(equity),
    )


def day_line(report: PnlReport, day: date) -> PnlLine:
    for line in report.by_day:
        if line.key == day.isoformat():
            return line
    return PnlLine(day.isoformat())
