"""Job events in words: one human line per meaningful event, for the terminal and the alerts.

:func:`human_line` reads what :func:`kalshi_bots.app.logs.log_event` recorded (an ``event`` name and its
``fields``) and returns a :class:`HumanLine` (a ``kind`` the terminal colours by, and the text), or
``None`` for routine chatter (a price stored, a reconcile pass with nothing to do), which stays in the
JSON log. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TRADE = "trade"  # an order filled
    NO_TRADE = "no-trade"  # a deliberate refusal, or an order that found nothing to buy
    FILL = "fill"  # a fill learnt later (reconcile)
    WIN = "win"  # a settlement with a profit
    LOSS = "loss"  # a settlement with a loss
    ERROR = "error"
    WARNING = "warning"
    HALT = "halt"  # kill switch or loss halt
    INFO = "info"
    ROUTINE = "routine"  # a routine success (the terminal shows the first one per job)


@dataclass(frozen=True, slots=True)
class HumanLine:
    kind: Kind
    text: str
    job: str = ""


REASONS: Mapping[str, str] = {
    "exchange_closed": "the exchange is not trading",
    "shard_closed": "the market's exchange shard is not trading",
    "vol_stale": "volatility is stale (collector behind)",
    "vol_insufficient": "not enough price history for volatility yet",
    "price_stale": "the Coinbase price is stale",
    "event_missing": "the market's event is not listed",
    "no_qualifying_strike": "no strike far enough above spot",
    "no_quote": "nobody is selling at any sensible price",
    "fee_type_unknown": "the series uses a fee type we do not model",
    "edge_too_small": "edge too small after fees",
    "size_zero": "position size rounds to zero (bankroll too small)",
    "budget_exceeded": "today's budget is used up",
    "loss_limit": "daily loss limit reached: trading halted for today",
    "kill_switch": "kill switch is on (kalshi-bots resume)",
    "already_traded": "already traded this market",
    "invalid_input": "invalid market data",
    "close_time_mismatch": "the event closes at an unexpected time",
    "too_late": "too close to the market's close",
    "store_unavailable": "the store cannot be read",
    "stale_data": "input data is stale",
    "transient_error": "a service did not answer (network, timeout or 5xx)",
    "order_outcome_unknown": "order sent, outcome unknown (reconcile will resolve it)",
    "order_rejected": "the exchange rejected the order",
    "unexpected_error": "unexpected error (see the log file)",
    "market_data_unavailable": "Kalshi market data unavailable",
    "weather_data_unavailable": "NWS data unavailable",
    "forecast_stale": "the NWS forecast is stale",
    "station_mismatch": "the market settles on another station",
    "not_filled": "not filled: nobody sold at our price",
    "partial": "some lookups failed (retried next run)",
    "no_events": "no weather events open",
    "order_not_found": "the order never reached the exchange",
}
# ``<service>_<ErrorType>`` reasons (the runner's mapping of ports.errors): what the type means.
ERROR_TYPES: Mapping[str, str] = {
    "AuthError": "refused our credentials (check the API key and mode)",
    "NotFoundError": "answered 'not found'",
    "RejectedError": "rejected the request",
    "MalformedResponseError": "sent a reply we cannot read",
}
HALT_REASONS = frozenset({"kill_switch", "loss_limit"})
GENERIC_DETAILS = frozenset({"", "risk gate", "order path"})
# Routine outcomes of these jobs are not news; their failures are.
QUIET_JOBS = frozenset({"collect-prices-btc", "collect-prices-eth", "cleanup", "reconcile"})


def reason_words(reason: str) -> str:
    """Words for a reason code (``kalshi_AuthError`` -> "kalshi: AuthError" when unknown)."""
    code = reason.split(":", 1)[0].strip()
    if code in REASONS:
        return REASONS[code]
    service, _, error = code.partition("_")
    if error in ERROR_TYPES:
        return f"{service.capitalize() if service != 'nws' else 'NWS'} {ERROR_TYPES[error]}"
    return code.replace("_", " ", 1) if code else "no reason given"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _cents(value: Any) -> str:
    number = _decimal(value)
    return "?" if number is None else f"{number.normalize():f}c"


def money(value: Decimal) -> str:
    sign = "-" if value < 0 else "+"
    return f"{sign}${abs(value):,.2f}"


def order_words(f: Mapping[str, Any]) -> str:
    """``BUY NO 5 x KXBTCD-26NOV2909-T96499.99 @ 81c  model 0.86  edge +3.9pp``."""
    text = f"BUY {f.get('side', '?')} {f.get('quantity', '?')} x {f.get('contract_ticker', '?')} @ "
    text += _cents(f.get("price_cents"))
    model, edge = f.get("model_prob"), f.get("edge")
    if isinstance(model, int | float) and model > 0:
        text += f"  model {model:.2f}"
    if isinstance(edge, int | float) and edge != 0:
        text += f"  edge {edge * 100:+.1f}pp"
    return text


def _trade_recorded(f: Mapping[str, Any]) -> HumanLine:
    order = order_words(f)
    status = f.get("status")
    fees = _decimal(f.get("fees_dollars")) or Decimal(0)
    filled = _decimal(f.get("fill_count")) or Decimal(0)
    if status == "executed":
        quantity = _decimal(f.get("quantity"))
        part = "" if quantity is None or filled >= quantity else f"  filled {filled.normalize():f}"
        return HumanLine(Kind.TRADE, f"{order}  fee {_cents(fees * 100)}{part}")
    if status == "failed":
        words = reason_words(str(f.get("reason") or "not_filled"))
        return HumanLine(
            Kind.NO_TRADE, f"{order}  {words if words.startswith('not filled') else 'not filled: ' + words}"
        )
    if status == "rejected":
        return HumanLine(Kind.ERROR, f"REJECTED {order}: {f.get('reason') or 'no reason given'}")
    return HumanLine(Kind.WARNING, f"SENT {order}: outcome unknown, left pending for reconcile")


def _refused(f: Mapping[str, Any]) -> HumanLine | None:
    reason = str(f.get("reason") or "")
    where = f.get("asset") or f.get("event_ticker") or ""
    if f.get("event") == "weather.refused":
        if f.get("ticker"):
            return None  # one per city and bracket: the run's summary line says it
        where = "weather"
    text = f"no trade {where}: {reason_words(reason)}".replace("  ", " ")
    detail = str(f.get("detail") or "")
    if reason == "edge_too_small" and isinstance(f.get("edge"), int | float):
        detail = f"best edge {f['edge'] * 100:+.1f}pp on {f.get('ticker')}"
    if detail not in GENERIC_DETAILS:
        text += f" ({detail})"
    return HumanLine(Kind.HALT if reason in HALT_REASONS else Kind.NO_TRADE, text)


def _settled(f: Mapping[str, Any]) -> HumanLine:
    pnl = _decimal(f.get("pnl"))
    result = f.get("settlement_result") or "?"
    if pnl is None:
        return HumanLine(Kind.INFO, f"SETTLED {f.get('ticker')}: result {result} (P&L not modelled)")
    verdict = "won" if pnl > 0 else "lost"
    kind = Kind.WIN if pnl > 0 else Kind.LOSS
    return HumanLine(kind, f"SETTLED {f.get('ticker')}: result {result}, {verdict}  P&L {money(pnl)}")


def _resolved(f: Mapping[str, Any]) -> HumanLine:
    if f.get("status") == "executed":
        count = _decimal(f.get("fill_count")) or Decimal(0)
        return HumanLine(
            Kind.FILL, f"FILLED {f.get('ticker')}: {count.normalize():f} contracts (found by reconcile)"
        )
    why = reason_words(str(f.get("reason") or ""))
    return HumanLine(
        Kind.INFO, f"order {f.get('client_order_id')} on {f.get('ticker')}: {why}; budget released"
    )


def _finished(f: Mapping[str, Any]) -> HumanLine | None:
    job, outcome, reason = str(f.get("job") or ""), f.get("outcome"), str(f.get("reason") or "")
    if outcome == "error":
        detail = str(f.get("detail") or "")
        text = f"ERROR {job}: {reason_words(reason)}" + (f" ({detail})" if detail else "")
        return HumanLine(Kind.ERROR, text, job)
    if outcome == "ok" and job in QUIET_JOBS:
        return HumanLine(Kind.ROUTINE, f"{job}: ok", job)
    if job == "weather" and outcome == "no-trade":
        return HumanLine(Kind.NO_TRADE, f"no trade weather: {reason_words(reason)}", job)
    if outcome in ("ok", "no-trade"):
        return HumanLine(Kind.ROUTINE, f"{job}: {outcome}", job)
    return None


def human_line(event: str, fields: Mapping[str, Any]) -> HumanLine | None:
    """The line for one logged event, or ``None`` when the event is routine (JSON log only)."""
    f = {**fields, "event": event}
    job = str(fields.get("job") or "")
    line: HumanLine | None
    if event == "trade.recorded":
        line = _trade_recorded(f)
    elif event in ("trade.refused", "weather.refused"):
        line = _refused(f)
    elif event == "reconcile.settled":
        line = _settled(f)
    elif event == "reconcile.resolved":
        line = _resolved(f)
    elif event == "reconcile.discovered":
        line = HumanLine(
            Kind.WARNING, f"FOUND an order on the exchange missing from the log: {f.get('ticker')}"
        )
    elif event == "kill_switch.changed":
        on = bool(f.get("on"))
        text = (
            f"HALT: kill switch ON ({f.get('reason')})" if on else "RESUME: kill switch off, trading allowed"
        )
        line = HumanLine(Kind.HALT, text)
    elif event == "run.finished":
        line = _finished(f)
    else:
        return None
    if line is not None and not line.job and job:
        line = HumanLine(line.kind, line.text, job)
    return line
