"""The dashboard's one page: server-rendered HTML, inline CSS, an inline SVG equity curve, no JavaScript.

Every value goes through :func:`html.escape`. Elements the browser tests read carry ``id``/``data-*``
attributes. Times are shown in New York time (the markets' zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape

from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.domain.portfolio import PnlLine, Position, trade_day
from kalshi_bots.entrypoints.dashboard_data import DashboardData, JobRow, VolRow
from kalshi_bots.entrypoints.next_runs import in_words


@dataclass(frozen=True, slots=True)
class TradeFilter:
    bot: str = ""
    day: date | None = None

    def keep(self, trade: TradeRecord) -> bool:
        if self.bot and trade.bot != self.bot:
            return False
        return self.day is None or trade_day(trade) == self.day


CSS = """
:root{--bg:#0f1419;--card:#1a2029;--fg:#e6e6e6;--dim:#8b949e;--good:#3fb950;--bad:#f85149;--warn:#d29922;
--accent:#58a6ff;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
body{background:var(--bg);color:var(--fg);margin:0;padding:12px;font-size:15px;line-height:1.4}
h1{font-size:1.25rem;margin:0 0 4px}h2{font-size:1.05rem;margin:0 0 8px}
.meta{color:var(--dim);font-size:.85rem;margin-bottom:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:12px}
.card{background:var(--card);border-radius:8px;padding:10px 12px;margin-bottom:12px}
.grid .card{margin-bottom:0}
.stat .label{color:var(--dim);font-size:.8rem}.stat .value{font-size:1.3rem;font-weight:600}
.good{color:var(--good)}.bad{color:var(--bad)}.warn{color:var(--warn)}.dim{color:var(--dim)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #2d333b;white-space:nowrap}
th{color:var(--dim);font-weight:500}td.num,th.num{text-align:right}
form.inline{display:inline}button,select,input{font:inherit;border-radius:6px;border:1px solid #444c56;
background:#21262d;color:var(--fg);padding:6px 10px}button.danger{background:#6e1b1b;border-color:#a33}
button.ok{background:#1b4d2a;border-color:#2e7d46}.switch{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.bar{background:#2d333b;border-radius:4px;height:8px;min-width:80px}.bar>span{display:block;height:8px;
border-radius:4px;background:var(--accent)}svg{width:100%;height:auto;max-height:220px}
"""


def money(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "–"
    if signed:
        sign = "−" if value < 0 else "+"
        return f"{sign}${abs(value):,.2f}"
    return f"${value:,.2f}"


def tone(value: Decimal | None) -> str:
    if value is None or value == 0:
        return ""
    return "good" if value > 0 else "bad"


def ny(moment: datetime | None, fmt: str = "%b %d %H:%M") -> str:
    return "–" if moment is None else moment.astimezone(NEW_YORK).strftime(fmt)


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f}s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _rows(rows: Iterable[str]) -> str:
    return "".join(rows)


def _table(head: Sequence[str], body: str, table_id: str, empty: str) -> str:
    cells = "".join(
        f'<th class="num">{escape(h[1:])}</th>' if h.startswith(">") else f"<th>{escape(h)}</th>"
        for h in head
    )
    if not body:
        body = f'<tr><td colspan="{len(head)}" class="dim">{escape(empty)}</td></tr>'
    return scroll_table(table_id, cells, body)


def scroll_table(table_id: str, head: str, body: str) -> str:
    return (
        f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def stat(label: str, value: str, css: str = "", stat_id: str = "") -> str:
    ident = f' id="{stat_id}"' if stat_id else ""
    return (
        f'<div class="card stat"><div class="label">{escape(label)}</div>'
        f'<div class="value {css}"{ident}>{escape(value)}</div></div>'
    )


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


def kill_switch_card(data: DashboardData, csrf: str) -> str:
    token = f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
    if data.kill_switch:
        state = (
            '<span class="bad" id="kill-switch" data-on="1">ON</span> '
            f'<span class="dim">{escape(data.kill_switch)}</span>'
        )
        action = (
            f'<form class="inline" method="post" action="/resume">{token}'
            '<button class="ok" id="resume">Resume trading</button></form>'
        )
    else:
        state = (
            '<span class="good" id="kill-switch" data-on="0">off</span> '
            '<span class="dim">trading allowed</span>'
        )
        action = (
            f'<form class="inline" method="post" action="/halt">{token}'
            '<input name="reason" placeholder="reason (optional)" maxlength="120"> '
            '<button class="danger" id="halt">Halt all trading</button></form>'
        )
    return f'<div class="card"><h2>Kill switch</h2><div class="switch">{state} {action}</div></div>'


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


def pnl_row(line: PnlLine) -> str:
    rate = "–" if line.win_rate is None else f"{line.win_rate:.0%}"
    return (
        f'<tr data-key="{escape(line.key)}"><td>{escape(line.key)}</td><td class="num">{line.settled}</td>'
        f'<td class="num">{line.wins}</td><td class="num">{rate}</td>'
        f'<td class="num">{escape(money(line.gross, signed=True))}</td>'
        f'<td class="num">{escape(money(line.fees))}</td>'
        f'<td class="num {tone(line.net)}">{escape(money(line.net, signed=True))}</td></tr>'
    )


def job_row(row: JobRow, now: datetime) -> str:
    last = row.last
    outcome = "–" if last is None else last.outcome
    css = "bad" if outcome.startswith("error") else ("good" if outcome == "ok" else "")
    streak = row.streak
    streak_text = f"{streak.count} {streak.kind}" if streak.count else "–"
    streak_css = "bad" if streak.kind == "error" else ("warn" if streak.count else "")
    until = "" if row.next_run is None else f" ({in_words((row.next_run - now).total_seconds() / 60)})"
    detail = "" if last is None or not last.detail else last.detail[:80]
    return (
        f'<tr data-job="{escape(row.job)}"><td>{escape(row.job)}</td>'
        f"<td>{escape(ny(None if last is None else last.scheduled_for))}</td>"
        f'<td class="{css}" title="{escape(detail)}">{escape(outcome)}</td>'
        f"<td>{escape(ny(row.next_run, '%H:%M'))}{escape(until)}</td>"
        f'<td class="{streak_css}">{escape(streak_text)}</td></tr>'
    )


def vol_row(row: VolRow) -> str:
    snap = row.snapshot
    window = None if snap is None else snap.window(15)
    std = "–" if window is None or window.std_pct is None else f"{window.std_pct:.3f}%"
    price = "–" if snap is None or snap.last_price is None else f"${snap.last_price:,.2f}"
    stale = row.age_s is not None and row.age_s > 180
    return (
        f'<tr><td>{escape(row.asset.value)}</td><td class="num">{std}</td>'
        f'<td class="num">{escape(price)}</td>'
        f'<td class="{"warn" if stale else ""}">{escape(age(row.age_s))}</td></tr>'
    )


def budget_row(bot: str, limit: Decimal, spent: Decimal) -> str:
    left = max(Decimal(0), limit - spent)
    used = 0 if limit <= 0 else min(100, int(spent / limit * 100))
    return (
        f'<tr data-bot="{escape(bot)}"><td>{escape(bot)}</td><td class="num">{escape(money(spent))}</td>'
        f'<td class="num">{escape(money(left))}</td><td class="num">{escape(money(limit))}</td>'
        f'<td><div class="bar"><span style="width:{used}%"></span></div></td></tr>'
    )


def scorecard_card(data: DashboardData) -> str:
    card = data.scorecard
    if card is None:
        body = (
            '<p class="dim" id="scorecard-empty">No scorecard yet (the model-vs-market scorecard '
            "comes with <code>kalshi-bots scorecard</code>).</p>"
        )
    else:
        keys = sorted({k for row in card.rows for k in row})
        head = "".join(f"<th>{escape(k)}</th>" for k in keys)
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(str(r.get(k, '')))}</td>" for k in keys) + "</tr>"
            for r in card.rows
        )
        body = f'<div class="dim">{escape(card.metric)} · {escape(card.generated_at)}</div>' + scroll_table(
            "scorecard", head, rows
        )
    return f'<div class="card"><h2>Model vs market</h2>{body}</div>'


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


def render_page(data: DashboardData, *, csrf: str, selected: TradeFilter, notice: str = "") -> str:
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
    trades = [t for t in reversed(pf.trades) if selected.keep(t)]
    bots = sorted({t.bot for t in pf.trades})
    quote_note = f'<div class="warn">quotes: {escape(pf.quote_problem)}</div>' if pf.quote_problem else ""
    notice_html = f'<div class="card warn" id="notice">{escape(notice)}</div>' if notice else ""
    budgets = _rows(budget_row(b.bot, b.limit, b.spent) for b in (*data.budgets, data.global_budget))
    sections = [
        notice_html,
        f'<div class="grid">{stats}</div>',
        kill_switch_card(data, csrf),
        '<div class="card"><h2>Equity (cumulative net realized P&amp;L)</h2>'
        f"{equity_svg(pf.pnl.equity)}</div>",
        '<div class="card"><h2>Open positions</h2>'
        + _table(
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
            _rows(position_row(p) for p in pf.positions),
            "positions",
            "no open positions",
        )
        + quote_note
        + "</div>",
        f'<div class="card"><h2>Budget today</h2><div class="dim">realized P&amp;L today (settled): '
        f'<span id="realized-today">{escape(money(data.realized_today, signed=True))}</span></div>'
        + _table(["bot", ">used", ">left", ">limit", ""], budgets, "budgets", "")
        + "</div>",
        '<div class="card"><h2>P&amp;L by bot</h2>'
        + _table(
            ["bot", ">trades", ">wins", ">win%", ">gross", ">fees", ">net"],
            _rows(pnl_row(x) for x in pf.pnl.by_bot),
            "pnl-by-bot",
            "no settled trades yet",
        )
        + "</div>",
        '<div class="card"><h2>P&amp;L by day (New York date placed)</h2>'
        + _table(
            ["day", ">trades", ">wins", ">win%", ">gross", ">fees", ">net"],
            _rows(pnl_row(x) for x in reversed(pf.pnl.by_day)),
            "pnl-by-day",
            "no settled trades yet",
        )
        + "</div>",
        f'<div class="card"><h2>Trades</h2>{filter_form(selected, bots)}'
        + _table(
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
            _rows(trade_row(t) for t in trades[:500]),
            "trades",
            "no trades" + (" match the filter" if selected.bot or selected.day else " yet"),
        )
        + "</div>",
        '<div class="card"><h2>Job health</h2>'
        + _table(
            ["job", "last run (NY)", "outcome", "next run (NY)", "streak"],
            _rows(job_row(j, data.now) for j in data.jobs),
            "jobs",
            "no runs yet",
        )
        + "</div>",
        '<div class="card"><h2>Volatility (15-minute sd)</h2>'
        + _table(
            ["asset", ">vol 15m", ">last price", "updated"], _rows(vol_row(v) for v in data.vols), "vols", ""
        )
        + "</div>",
        scorecard_card(data),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="refresh" content="30">'
        f"<title>kalshi-bots · {escape(data.mode)}</title><style>{CSS}</style></head><body>"
        f'<h1>kalshi-bots <span class="dim">{escape(data.mode)} mode</span></h1>'
        f'<div class="meta">store {escape(data.store_label)} · '
        f"{escape(ny(data.now, '%Y-%m-%d %H:%M:%S'))} New York · "
        "refreshes every 30 s</div>" + "".join(sections) + "</body></html>"
    )


def render_unauthorized() -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>401</title></head><body>'
        "<h1>401: token required</h1><p>Open the dashboard with the URL <code>kalshi-bots dashboard</code> "
        "(or <code>run</code>) printed, which carries <code>?token=...</code>.</p></body></html>"
    )
