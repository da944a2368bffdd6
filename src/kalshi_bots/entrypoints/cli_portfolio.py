"""``trades``, ``positions`` and ``pnl``: the trade log and its read model
(:mod:`kalshi_bots.app.portfolio_view`) as text or JSON.

All three only read: a missing store is an error naming the path, never a new empty database.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from typing import Any

from kalshi_bots import bootstrap
from kalshi_bots.app.portfolio_view import Portfolio, load_portfolio, pnl_json, position_json
from kalshi_bots.config import Settings
from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.domain.portfolio import PnlLine, Position
from kalshi_bots.entrypoints.cli_output import UsageError


def signed_dollars(value: Decimal | None) -> str:
    if value is None:
        return "-"
    sign = "-" if value < 0 else "+"
    return f"{sign}${abs(value):,.2f}"


def dollars(value: Decimal | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def cents(value: Decimal | None) -> str:
    return "no quote" if value is None else f"{value * 100:.0f}c"


def _load(settings: Settings, *, quotes: bool) -> Portfolio:
    store = bootstrap.open_existing_store(settings)
    market = bootstrap.display_market_data(settings) if quotes else None
    return load_portfolio(store, market)


def position_line(p: Position) -> str:
    return (
        f"{p.bot:11} {p.side.value:3} {p.contracts:>4} x {p.ticker:32} avg {cents(p.average_price):>4}  "
        f"cost {dollars(p.cost):>8}  fees {dollars(p.fees):>6}  mark {cents(p.mark_price):>8}  "
        f"unrealized {signed_dollars(p.unrealized):>9}  max loss {dollars(p.max_loss)}"
    )


def cmd_positions(args: argparse.Namespace, settings: Settings) -> int:
    portfolio = _load(settings, quotes=not args.no_quotes)
    if args.json:
        payload = {
            "positions": [position_json(p) for p in portfolio.positions],
            "quote_problem": portfolio.quote_problem or None,
        }
        print(json.dumps(payload, indent=2))
        return 0
    if not portfolio.positions:
        print("no open positions")
        return 0
    for position in portfolio.positions:
        print(position_line(position))
    cost = sum((p.cost + p.fees for p in portfolio.positions), Decimal(0))
    marked = [p.unrealized for p in portfolio.positions if p.unrealized is not None]
    unrealized = signed_dollars(sum(marked, Decimal(0))) if marked else "-"
    print(f"total: {len(portfolio.positions)} open, cost+fees {dollars(cost)}, unrealized {unrealized}")
    if portfolio.quote_problem:
        print(f"quotes: {portfolio.quote_problem}")
    return 0


def pnl_row(line: PnlLine) -> str:
    rate = "-" if line.win_rate is None else f"{line.win_rate:.0%}"
    return (
        f"{line.key:12} {line.settled:>5} {line.wins:>4} {line.losses:>6} {rate:>5}  "
        f"{signed_dollars(line.gross):>10} {dollars(line.fees):>8} {signed_dollars(line.net):>10}"
    )


PNL_HEADER = (
    f"{'':12} {'trades':>5} {'wins':>4} {'losses':>6} {'win%':>5}  {'gross':>10} {'fees':>8} {'net':>10}"
)


def cmd_pnl(args: argparse.Namespace, settings: Settings) -> int:
    report = _load(settings, quotes=False).pnl
    if args.json:
        print(json.dumps(pnl_json(report), indent=2))
        return 0
    if report.total.settled == 0:
        print("no settled trades yet: realized P&L appears once a traded market settles (reconcile)")
        return 0
    print("by day (New York date the trade was placed)")
    print(PNL_HEADER)
    for line in report.by_day:
        print(pnl_row(line))
    print("\nby bot")
    print(PNL_HEADER)
    for line in report.by_bot:
        print(pnl_row(line))
    print()
    print(pnl_row(report.total))
    return 0


# --- trades -----------------------------------------------------------------------------------------


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


SPEC_TRADE_ATTRIBUTES = (
    "pk",
    "sk",
    "contract_ticker",
    "side",
    "quantity",
    "price_cents",
    "btc_price",
    "strike_price",
    "model_prob",
    "market_prob",
    "edge",
    "kelly_fraction",
    "status",
)


def trade_json(trade: TradeRecord) -> dict[str, Any]:
    """The stored row: the spec's attribute names (``edge`` in percentage points) plus ours. Every
    spec attribute is present; one that does not apply (a weather trade's ``btc_price``) is null."""
    from kalshi_bots.adapters.store.codec import trade_item

    row: dict[str, Any] = dict.fromkeys(SPEC_TRADE_ATTRIBUTES)
    row.update((key, _json_number(value)) for key, value in trade_item(trade).items())
    return row


def _trade_line(t: TradeRecord) -> str:
    pnl = "" if t.pnl_dollars is None else f"{t.pnl_dollars:+.2f}"
    strike = "" if t.strike_price is None else f"{t.strike_price}"
    return (
        f"{t.created_at:%Y-%m-%d %H:%M:%S} {t.bot:10} {t.mode.value:5} {t.contract_ticker:28} "
        f"{t.side.value:3} {t.quantity:>3} @ {t.price_cents:>5}c  strike {strike:>10}  "
        f"edge {t.edge * 100:5.1f}pt  {t.status.value:8} filled {t.fill_count} "
        f"{t.settlement_result or ''} {pnl}"
    ).rstrip()


def cmd_trades(args: argparse.Namespace, settings: Settings) -> int:
    day = None
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r} is not a date; use YYYY-MM-DD") from None
    store = bootstrap.open_existing_store(settings)
    trades = store.all_trades() if day is None else store.trades_on(day)
    trades = sorted(trades, key=lambda t: t.created_at)
    if args.json:
        print(json.dumps([trade_json(t) for t in trades], indent=2))
        return 0
    if not trades:
        print("no trades" + (f" on {args.date}" if args.date else " yet"))
    for trade in trades:
        print(_trade_line(trade))
    return 0
