"""The dashboard's money cards: headline P&L tiles, the equity curve, open positions, today's budgets,
P&L by bot and by day, and the filterable trade list.

All of it reads the one portfolio read model (``DashboardData.portfolio``), so these cards and
``kalshi-bots pnl --json`` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape

from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.domain.portfolio import PnlLine, Position, trade_day
from kalshi_bots.entrypoints.dashboard_data import DashboardData
from kalshi_bots.entrypoints.dashboard_html import join_rows, money, ny, stat, table, tone


@dataclass(frozen=True, slots=True)
class TradeFilter:
    bot: str = ""
    day: date | None = None

    def keep(self, trade: TradeRecord) -> bool:
        if self.bot and trade.bot != self.bot:
            return False
        return self.day is None or trade_day(trade) == self.day


def headline_stats(data: DashboardData) -> str:
    pf = data.portfolio
    total = pf.pnl.total
    today_line = next(
        (line for line in pf.pnl.by_day if line.key == data.now.astimezone(NEW_YORK).date().isoformat()), None
    )
    today_net = today_line.net if today_line else Decimal(0)
    marked = [p.unrealized for p in pf.positions if p.unrealized is not None]
    unrealized = sum(marked, Decimal(0)) if marked else None
    rate = "–" if total.win_rate is None else f"{total.win_rate:.0%}"
    stats = "".join(
        [
            stat("Net P&L, all time", money(total.net, signed=True), tone(total.net), "pnl-all-net"),
            stat(
                "Net P&L, trades placed today",
                money(today_net, signed=True),
                tone(today_net),
                "pnl-today-net",
            ),
            stat("Fees paid (settled)", money(total.fees), "", "pnl-all-fees"),
            stat("Win rate", f"{rate} of {total.settled}", "", "win-rate"),
            stat("Open positions", str(len(pf.positions)), "", "open-count"),
            stat("Unrealized", money(unrealized, signed=True), tone(unrealized), "unrealized"),
        ]
    )
    return f'<div class="grid">{stats}</div>'


def equity_svg(points: Sequence[tuple[datetime, Decimal]]) -> str:
    """Cumulative net realized P&L per settled trade, as an inline SVG polyline with a zero line."""
    if not points:
        return '<p class="dim">No settled trades yet: the curve starts with the first settlement.</p>'
    values = [Decimal(0), *(v for _, v in points)]
    low, high = min(*values, Decimal(0)), max(*values, Decimal(0))
    span = (high - low) or Decimal(1)
    width, height, pad = 600, 200, 10
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y(v: Decimal) -> float:
        return float(pad + (high - v) / span * (height - 2 * pad))

    coords = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    last = values[-1]
    color = "#3fb950" if last >= 0 else "#f85149"
    return (
        f'<svg id="equity" viewBox="0 0 {width} {height}" role="img" aria-label="equity curve: net P&amp;L '
        f'{escape(money(last, signed=True))} over {len(points)} settled trades">'
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(Decimal(0)):.1f}" y2="{y(Decimal(0)):.1f}" '
        f'stroke="#444c56" stroke-dasharray="4 4"/>'
        f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}"/></svg>'
        f'<div class="dim">{len(points)} settled trades · high {escape(money(high, signed=True))} · '
        f"low {escape(money(low, signed=True))}</div>"
    )


def equity_card(data: DashboardData) -> str:
    return (
        '<div class="card"><h2>Equity (cumulative net realized P&amp;L)</h2>'
        f"{equity_svg(data.portfolio.pnl.equity)}</div>"
    )


def position_row(p: Position) -> str:
    cells = [
        escape(p.bot),
        escape(p.ticker),
        escape(p.side.value),
        f'<td class="num">{p.contracts:f}</td>',
        f'<td class="num">{p.average_price * 100:.0f}c</td>',
        f'<td class="num">{escape(money(p.cost + p.fees))}</td>',
        f'<td class="num">{"no quote" if p.mark_price is None else f"{p.mark_price * 100:.0f}c"}</td>',
        f'<td class="num {tone(p.unrealized)}">{escape(money(p.unrealized, signed=True))}</td>',
        f'<td class="num">{escape(money(p.max_loss))}</td>',
    ]
    tds = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
    return f'<tr data-ticker="{escape(p.ticker)}">{tds}</tr>'


def positions_card(data: DashboardData) -> str:
    pf = data.portfolio
    quote_note = f'<div class="warn">quotes: {escape(pf.quote_problem)}</div>' if pf.quote_problem else ""
    return (
        '<div class="card"><h2>Open positions</h2>'
        + table(
            [
                "bot",
                "ticker",
                "side",
                ">contracts",
                ">avg",
                ">cost+fees",
                ">mark",
                ">unrealized",
                ">max loss",
            ],
            join_rows(position_row(p) for p in pf.positions),
            "positions",
            "no open positions",
        )
        + quote_note
        + "</div>"
    )


def budget_row(bot: str, limit: Decimal, spent: Decimal) -> str:
    left = max(Decimal(0), limit - spent)
    used = 0 if limit <= 0 else min(100, int(spent / limit * 100))
    return (
        f'<tr data-bot="{escape(bot)}"><td>{escape(bot)}</td><td class="num">{escape(money(spent))}</td>'
        f'<td class="num">{escape(money(left))}</td><td class="num">{escape(money(limit))}</td>'
        f'<td><div class="bar"><span style="width:{used}%"></span></div></td></tr>'
    )


def budgets_card(data: DashboardData) -> str:
    budgets = join_rows(budget_row(b.bot, b.limit, b.spent) for b in (*data.budgets, data.global_budget))
    return (
        f'<div class="card"><h2>Budget today</h2><div class="dim">realized P&amp;L today (settled): '
        f'<span id="realized-today">{escape(money(data.realized_today, signed=True))}</span></div>'
        + table(["bot", ">used", ">left", ">limit", ""], budgets, "budgets", "")
        + "</div>"
    )


def pnl_row(line: PnlLine) -> str:
    rate = "–" if line.win_rate is None else f"{line.win_rate:.0%}"
    return (
        f'<tr data-key="{escape(line.key)}"><td>{escape(line.key)}</td><td class="num">{line.settled}</td>'
        f'<td class="num">{line.wins}</td><td class="num">{rate}</td>'
        f'<td class="num">{escape(money(line.gross, signed=True))}</td>'
        f'<td class="num">{escape(money(line.fees))}</td>'
        f'<td class="num {tone(line.net)}">{escape(money(line.net, signed=True))}</td></tr>'
    )


def pnl_card(title: str, first: str, lines: Sequence[PnlLine], table_id: str) -> str:
    """A P&L breakdown table (by bot, by day): ``first`` names the key column."""
    return (
        f'<div class="card"><h2>{title}</h2>'
        + table(
            [first, ">trades", ">wins", ">win%", ">gross", ">fees", ">net"],
            join_rows(pnl_row(x) for x in lines),
            table_id,
            "no settled trades yet",
        )
        + "</div>"
    )


def pnl_cards(data: DashboardData) -> str:
    pnl = data.portfolio.pnl
    return pnl_card("P&amp;L by bot", "bot", pnl.by_bot, "pnl-by-bot") + pnl_card(
        "P&amp;L by day (New York date placed)", "day", list(reversed(pnl.by_day)), "pnl-by-day"
    )


def trade_row(t: TradeRecord) -> str:
    fee = f"{t.fees_dollars * 100:.0f}c" if t.fees_dollars else "–"
    result = t.settlement_result or ("open" if t.fill_count > 0 else t.status.value)
    pnl = t.pnl_dollars
    cells = [
        f"<td>{escape(ny(t.created_at))}</td>",
        f"<td>{escape(t.bot)}</td>",
        f"<td>{escape(t.contract_ticker)}</td>",
        f"<td>{escape(t.side.value)}</td>",
        f'<td class="num">{t.fill_count:f}/{t.quantity}</td>',
        f'<td class="num">{t.price_cents:.0f}c</td>',
        f'<td class="num">{t.model_prob:.2f}</td>',
        f'<td class="num">{t.market_prob:.2f}</td>',
        f'<td class="num">{t.edge * 100:+.1f}pp</td>',
        f'<td class="num">{fee}</td>',
        f"<td>{escape(result)}</td>",
        f'<td class="num {tone(pnl)}" data-pnl="{"" if pnl is None else pnl}">'
        f"{escape(money(pnl, signed=True))}</td>",
    ]
    return f'<tr data-coid="{escape(t.client_order_id)}">{"".join(cells)}</tr>'


def filter_form(selected: TradeFilter, bots: Sequence[str]) -> str:
    options = '<option value="">all bots</option>' + "".join(
        f'<option value="{escape(b)}"{" selected" if b == selected.bot else ""}>{escape(b)}</option>'
        for b in bots
    )
    day = "" if selected.day is None else selected.day.isoformat()
    return (
        f'<form method="get" action="/" id="trade-filter"><select name="bot">{options}</select> '
        f'<input type="date" name="day" value="{escape(day)}"> <button>Filter</button></form>'
    )


# The newest trades only, so the page stays light however long the history grows.
TRADES_SHOWN = 500


def trades_card(data: DashboardData, selected: TradeFilter) -> str:
    pf = data.portfolio
    trades = [t for t in reversed(pf.trades) if selected.keep(t)]
    bots = sorted({t.bot for t in pf.trades})
    return (
        f'<div class="card"><h2>Trades</h2>{filter_form(selected, bots)}'
        + table(
            [
                "placed (NY)",
                "bot",
                "ticker",
                "side",
                ">filled",
                ">price",
                ">model p",
                ">market p",
                ">edge",
                ">fee",
                "result",
                ">P&L",
            ],
            join_rows(trade_row(t) for t in trades[:TRADES_SHOWN]),
            "trades",
            "no trades" + (" match the filter" if selected.bot or selected.day else " yet"),
        )
        + "</div>"
    )
