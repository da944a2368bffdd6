"""The dashboard's one page: server-rendered HTML, inline CSS, an inline SVG equity curve, no JavaScript.

This module is the page shell (head, style sheet, title bar) and the order of the cards; the cards live
by subject: money in :mod:`dashboard_money`, operations in :mod:`dashboard_operations`, the model-vs-market
scorecard in :mod:`dashboard_scorecard`, the shared markup in :mod:`dashboard_html`.

Every value goes through :func:`html.escape`. Elements the browser tests read carry ``id``/``data-*``
attributes. Times are shown in New York time (the markets' zone).
"""

from __future__ import annotations

from html import escape

from kalshi_bots.entrypoints.dashboard_data import DashboardData
from kalshi_bots.entrypoints.dashboard_html import ny
from kalshi_bots.entrypoints.dashboard_money import (
    TradeFilter,
    budgets_card,
    equity_card,
    headline_stats,
    pnl_cards,
    positions_card,
    trades_card,
)
from kalshi_bots.entrypoints.dashboard_operations import jobs_card, kill_switch_card, vols_card
from kalshi_bots.entrypoints.dashboard_scorecard import scorecard_card

# TradeFilter is part of this module's interface: the server parses the query string into one.
__all__ = ["TradeFilter", "render_page", "render_unauthorized"]

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


def render_page(data: DashboardData, *, csrf: str, selected: TradeFilter, notice: str = "") -> str:
    notice_html = f'<div class="card warn" id="notice">{escape(notice)}</div>' if notice else ""
    sections = [
        notice_html,
        headline_stats(data),
        kill_switch_card(data, csrf),
        equity_card(data),
        positions_card(data),
        budgets_card(data),
        pnl_cards(data),
        trades_card(data, selected),
        jobs_card(data),
        vols_card(data),
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
