"""Quotes for marking positions fail soft, and a dead service costs one attempt, not one per ticker."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app.portfolio_view import fetch_quotes, load_portfolio
from kalshi_bots.domain.models import Market, Mode, Outcome, StrikeType, TradeRecord, TradeStatus
from kalshi_bots.ports.errors import NotFoundError, TransientError

T0 = datetime(2026, 3, 10, 14, 45, tzinfo=UTC)


class Quotes:
    """Public market data that knows some tickers and can be down (a fake of the port)."""

    def __init__(self, bids: dict[str, Decimal], down: bool = False) -> None:
        self.bids, self.down, self.calls = bids, down, 0

    def get_market(self, ticker: str) -> Market:
        self.calls += 1
        if self.down:
            raise TransientError("kalshi", "connection refused")
        if ticker not in self.bids:
            raise NotFoundError("kalshi", f"no market {ticker}")
        no_bid = self.bids[ticker]
        return Market(
            ticker, "E", StrikeType.GREATER, None, None, T0, 1 - no_bid - Decimal("0.02"), None, no_bid, None
        )


def record(ticker: str) -> TradeRecord:
    return TradeRecord(
        T0, f"id-{ticker}", "btc-hourly", Mode.PAPER, ticker, Outcome.NO, 5, Decimal(81), None, None,
        0.86, 0.81, 0.039, 0.1, TradeStatus.EXECUTED, fill_count=Decimal(5), fees_dollars=Decimal("0.06"),
    )  # fmt: skip


def test_a_missing_market_is_no_quote_for_that_one_only():
    book = fetch_quotes(Quotes({"A": Decimal("0.9")}), ["A", "B"])  # type: ignore[arg-type]
    assert set(book.quotes) == {"A"} and book.problem == "B: NotFoundError"


def test_a_dead_service_is_tried_once_and_positions_show_no_quote():
    store = MemoryStore()
    for ticker in ("A", "B", "C"):
        store.put_trade(record(ticker))
    store.put_trade(replace(record("D"), settlement_result="no", pnl_dollars=Decimal("0.89")))
    down = Quotes({}, down=True)
    portfolio = load_portfolio(store, down)  # type: ignore[arg-type]
    assert down.calls == 1
    assert [p.mark_price for p in portfolio.positions] == [None, None, None]
    assert portfolio.quote_problem == "market data unavailable (TransientError)"
    assert portfolio.pnl.total.net == Decimal("0.89")  # realized figures need no quotes
