"""The dashboard's HTML building blocks: how a value is written (money, New York time, age) and the
table and stat-tile markup every card shares.

Every value goes through :func:`html.escape` here or in the card that calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape

from kalshi_bots.domain.markets import NEW_YORK


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


def join_rows(rows: Iterable[str]) -> str:
    return "".join(rows)


def table(head: Sequence[str], body: str, table_id: str, empty: str) -> str:
    """A scrollable table; a heading starting with ``>`` is a right-aligned number column, and an
    empty body becomes one dim row saying ``empty``."""
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
