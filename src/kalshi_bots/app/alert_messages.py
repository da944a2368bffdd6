"""What each alert says: the text people read and the fields machines get, built from the same read
models as the CLI and the dashboard (:mod:`.event_text`, :mod:`kalshi_bots.domain.portfolio`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_bots.app.event_text import human_line, money, order_words
from kalshi_bots.app.logs import json_safe
from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.ports.notifier import Alert

if TYPE_CHECKING:
    from kalshi_bots.app.scorecard_view import ScorecardView


def trade_fields(trade: TradeRecord) -> dict[str, Any]:
    fields: dict[str, Any] = json_safe(
        {
            "bot": trade.bot,
            "mode": trade.mode,
            "client_order_id": trade.client_order_id,
            "contract_ticker": trade.contract_ticker,
            "side": trade.side,
            "quantity": trade.quantity,
            "price_cents": trade.price_cents,
            "model_prob": trade.model_prob,
            "market_prob": trade.market_prob,
            "edge": trade.edge,
            "status": trade.status,
            "fill_count": trade.fill_count,
            "fees_dollars": trade.fees_dollars,
            "reason": trade.reason,
        }
    )
    return fields


def trade_alert(trade: TradeRecord, event: str) -> Alert:
    fields = trade_fields(trade)
    line = human_line("trade.recorded", fields)
    text = line.text if line is not None else order_words(fields)
    if event == "trade.filled":
        text = f"FILLED (found by reconcile) {text}"
    return Alert(event, text, fields)


def settlement_alert(trade: TradeRecord) -> Alert:
    fields = trade_fields(trade) | json_safe(
        {"settlement_result": trade.settlement_result, "pnl_dollars": trade.pnl_dollars}
    )
    line = human_line(
        "reconcile.settled",
        {
            "ticker": trade.contract_ticker,
            "settlement_result": trade.settlement_result,
            "pnl": fields["pnl_dollars"],
        },
    )
    return Alert("trade.settled", line.text if line else f"SETTLED {trade.contract_ticker}", fields)


def summary_alert(
    trades: list[TradeRecord], day_key: str, kill_switch: str | None, card: ScorecardView | None = None
) -> Alert:
    """The daily summary from the same read model as ``pnl`` and ``positions`` (no quotes: bounded),
    and the live scorecard's line per bot when given (model vs market, P&L against expectation)."""
    # Imported here: the daily summary is the one alert that reads the portfolio, and every watched
    # cold start imports this module (issue 13's import budget).
    from kalshi_bots.domain.portfolio import day_line, open_positions, pnl_report

    report = pnl_report(trades)
    today = day_line(report, datetime.fromisoformat(day_key).date())
    positions = open_positions(trades, {})
    at_risk = sum((p.max_loss for p in positions), Decimal(0))
    rate = "-" if report.total.win_rate is None else f"{report.total.win_rate:.0%}"
    text = (
        f"Daily summary {day_key} (New York): {today.settled} settled, {today.wins} won, net "
        f"{money(today.net)} (fees ${today.fees:.2f}). All time: net {money(report.total.net)} over "
        f"{report.total.settled} settled trades, win rate {rate}. Open: {len(positions)} position(s), "
        f"max loss ${at_risk:.2f}. Kill switch {'ON' if kill_switch else 'off'}."
    )
    if card is not None:
        text += " " + card.words()
    fields = json_safe(
        {
            "day": day_key,
            "day_settled": today.settled,
            "day_wins": today.wins,
            "day_net": today.net,
            "day_fees": today.fees,
            "all_net": report.total.net,
            "all_settled": report.total.settled,
            "win_rate": report.total.win_rate,
            "open_positions": len(positions),
            "max_loss_open": at_risk,
            "kill_switch": bool(kill_switch),
        }
    )
    if card is not None:
        fields["scorecard"] = {"days": card.days, "problem": card.problem, "bots": card.as_fields()}
    return Alert("daily.summary", text, fields)


def kill_switch_alert(on: bool, reason: str, source: str) -> Alert:
    text = (
        f"HALT: kill switch ON from {source} ({reason})" if on else f"RESUME: kill switch off from {source}"
    )
    return Alert("kill_switch.changed", text, {"on": on, "reason": reason, "source": source})
