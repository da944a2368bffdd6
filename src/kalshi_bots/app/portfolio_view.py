"""The positions/P&L read model: trades from the store, last quotes from public market data, and the
pure figures of :mod:`kalshi_bots.domain.portfolio`. Used by ``positions``, ``pnl``, the dashboard and
the daily-summary alert.

Quotes fail soft: a market that cannot be fetched shows "no quote", and after the first transport
failure (network down, timeout) the remaining tickers are not tried, so a page or a summary waits for
at most one timeout instead of one per position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.domain.portfolio import (
    PnlLine,
    PnlReport,
    Position,
    Quote,
    is_open,
    open_positions,
    pnl_report,
)
from kalshi_bots.ports.errors import ExternalServiceError, TransientError
from kalshi_bots.ports.exchange import MarketData
from kalshi_bots.ports.store import TradeLog


@dataclass(frozen=True, slots=True)
class QuoteBook:
    quotes: dict[str, Quote]
    problem: str = ""  # why some quotes are missing ("" = all fetched)


@dataclass(frozen=True, slots=True)
class Portfolio:
    trades: tuple[TradeRecord, ...]  # every logged trade, oldest first
    positions: tuple[Position, ...]
    pnl: PnlReport
    quote_problem: str = ""


def fetch_quotes(market_data: MarketData | None, tickers: Sequence[str]) -> QuoteBook:
    if market_data is None:
        return QuoteBook({}, "quotes not requested" if tickers else "")
    quotes: dict[str, Quote] = {}
    problems: list[str] = []
    for ticker in dict.fromkeys(tickers):
        try:
            quotes[ticker] = Quote.of(market_data.get_market(ticker))
        except TransientError as exc:
            problems.append(f"market data unavailable ({type(exc).__name__})")
            break  # the service is down or slow: do not wait once more per ticker
        except (ExternalServiceError, ValueError) as exc:  # e.g. a delisted ticker, an odd reply
            problems.append(f"{ticker}: {type(exc).__name__}")
    return QuoteBook(quotes, "; ".join(problems))


def open_tickers(trades: Sequence[TradeRecord]) -> list[str]:
    return list(dict.fromkeys(t.contract_ticker for t in trades if is_open(t)))


def load_portfolio(store: TradeLog, market_data: MarketData | None) -> Portfolio:
    """Every trade in the store, open positions marked to the last quotes, realized P&L."""
    trades = sorted(store.all_trades(), key=lambda t: t.created_at)
    return build_portfolio(trades, fetch_quotes(market_data, open_tickers(trades)))


def build_portfolio(trades: Sequence[TradeRecord], book: QuoteBook) -> Portfolio:
    trades = tuple(sorted(trades, key=lambda t: t.created_at))
    return Portfolio(
        trades=trades,
        positions=tuple(open_positions(trades, book.quotes)),
        pnl=pnl_report(trades),
        quote_problem=book.problem,
    )


# --- JSON views (``--json`` and the dashboard's numbers come from these) ------------------------------


def money(value: Any) -> float | None:
    """Dollars for JSON: a number (4 decimals: fees and fills can be finer than a cent)."""
    return None if value is None else float(round(value, 4))


def pnl_line_json(line: PnlLine) -> dict[str, Any]:
    return {
        "key": line.key,
        "settled": line.settled,
        "wins": line.wins,
        "losses": line.losses,
        "win_rate": None if line.win_rate is None else round(line.win_rate, 4),
        "gross": money(line.gross),
        "fees": money(line.fees),
        "net": money(line.net),
    }


def pnl_json(report: PnlReport) -> dict[str, Any]:
    return {
        "all": pnl_line_json(report.total),
        "by_day": [pnl_line_json(line) | {"day": line.key} for line in report.by_day],
        "by_bot": [pnl_line_json(line) | {"bot": line.key} for line in report.by_bot],
    }


def position_json(p: Position) -> dict[str, Any]:
    return {
        "bot": p.bot,
        "ticker": p.ticker,
        "side": p.side.value,
        "contracts": money(p.contracts),
        "average_price": money(p.average_price),
        "cost": money(p.cost),
        "fees": money(p.fees),
        "mark_price": money(p.mark_price),
        "value": money(p.value),
        "unrealized": money(p.unrealized),
        "max_loss": money(p.max_loss),
        "max_gain": money(p.max_gain),
        "opened_at": p.opened_at.isoformat(),
    }
