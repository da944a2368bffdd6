"""The dashboard's "Model vs market" card: the live scorecard (app/scorecard_view.py) per bot."""

from __future__ import annotations

from html import escape

from kalshi_bots.app.scorecard_view import METRIC
from kalshi_bots.domain.scorecard import ScoreLine
from kalshi_bots.entrypoints.dashboard_data import DashboardData
from kalshi_bots.entrypoints.dashboard_html import money, scroll_table


def _score(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def scorecard_row(line: ScoreLine) -> str:
    diff = "-"
    if line.log_loss_difference is not None:
        se = "" if line.log_loss_difference_se is None else f" ± {line.log_loss_difference_se:.4f}"
        diff = f"{line.log_loss_difference:+.4f}{se}"
    cells = (
        (f"{line.decisions}/{line.decisions_recorded}", "decisions"),
        (str(line.contracts), "contracts"),
        (_score(line.model_log_loss), "model"),
        (_score(line.market_log_loss), "market"),
        (diff, "diff"),
        (f"{line.trades} (+{line.open_trades} open)", "trades"),
        (money(line.realized_pnl, signed=True), "pnl"),
        (money(line.expected_pnl, signed=True), "expected"),
    )
    return (
        f'<tr data-bot="{escape(line.bot)}"><td>{escape(line.bot)}</td>'
        + "".join(f'<td class="num" data-col="{col}">{escape(text)}</td>' for text, col in cells)
        + "</tr>"
    )


def scorecard_card(data: DashboardData) -> str:
    """The live scorecard (app/scorecard_view.py): model vs market log loss on the contracts each
    decision looked at, realised P&L after fees against what the model expected."""
    card = data.scorecard
    period = f"last {card.days} days"
    if card.problem:
        body = f'<p class="warn" id="scorecard-problem">Scorecard unavailable: {escape(card.problem)}</p>'
    elif card.empty:
        body = (
            f'<p class="dim" id="scorecard-empty">Nothing recorded yet ({period}): each trading run records '
            "its decision, and the scorecard fills in as their markets settle "
            "(<code>kalshi-bots scorecard</code>).</p>"
        )
    else:
        head = "".join(
            f"<th>{escape(k)}</th>"
            for k in (
                "bot",
                "decisions scored/recorded",
                "contracts",
                "log loss model",
                "market mid",
                "model − market",
                "settled trades",
                "P&L after fees",
                "model expected",
            )
        )
        rows = "".join(scorecard_row(line) for line in card.lines)
        body = f'<div class="dim">{escape(period)} · {escape(METRIC)}</div>' + scroll_table(
            "scorecard", head, rows
        )
    return f'<div class="card"><h2>Model vs market</h2>{body}</div>'
