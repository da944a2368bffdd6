"""``trade-hourly --asset BTC|ETH`` (at :45): the spec's 11 steps on today's API, failing closed.

Refusals (``Outcome.NO_TRADE``, ``reason`` = a :class:`NoTradeReason` value, logged, no order):
``too_late`` (under a minute before the target hour closes), kill switch, daily loss limit, already
traded this hour, event missing, exchange or crypto shard not trading, VOL/LATEST older than
``max_vol_age_s`` or without the model's volatility input (:func:`hourly_model_input`: too few recent
minute prices), Coinbase price older than ``max_price_age_s`` (exchange time vs our clock), no qualifying
strike, no NO ask, unknown fee type, edge too small, size zero, close time not the target top of the
hour, budget exceeded.
A store that cannot be read is ``Outcome.ERROR`` with reason ``store_unavailable`` (no order either).

One order per asset and hour: the client_order_id is derived from the bot and the **target hour** (the
event's close instant), not from the minute the job was triggered, so ``--at 10:44`` and ``--at 10:45``,
a platform retry and two concurrent runs all map to the same id; the second finds the first's trade
record and refuses ``already_traded``. The order path itself is :mod:`.placement`.

Spec step -> code: 1 (minute 45) is the schedule's job; 2 balance -> ``exchange.balance()``; 3 VOL/LATEST;
4 Coinbase price; 5 next hour's event (:func:`markets.hourly_target`); 6-9 :func:`decide_hourly`;
10 :func:`placement.place_order`; 11 the trade record (written pending before 10, completed after).
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.placement import OrderPlan, Placement, PlacementStatus, place_order
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.domain.decision import HourlyDecision, NoTradeReason, decide_hourly
from kalshi_bots.domain.fees import effective_fee_schedule
from kalshi_bots.domain.hourly_model import hourly_model_input
from kalshi_bots.domain.markets import HourlyTarget, hourly_target, minutes_until
from kalshi_bots.domain.models import Asset, TradeRecord, TradeStatus
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.orders import buy_no_intent, client_order_id
from kalshi_bots.ports.errors import NotFoundError, StoreError

logger = logging.getLogger(__name__)

MIN_MINUTES_LEFT = 1.0
TOO_LATE = "too_late"  # not a NoTradeReason of the pure decision: it is about when the job ran


def bot_name(asset: Asset) -> str:
    return f"{asset.value.lower()}-hourly"


def job_name(asset: Asset) -> str:
    return f"trade-hourly-{asset.value.lower()}"


def hour_client_order_id(asset: Asset, target: HourlyTarget) -> str:
    """The one client_order_id this bot may use for the hour closing at ``target.close_time``."""
    return client_order_id(bot_name(asset), target.event_ticker, target.close_time)


class _Refusal(Exception):  # noqa: N818 (control flow, not an error)
    """A reason not to trade; ``error`` marks store failures (exit non-zero), not choices."""

    def __init__(self, reason: str, detail: str, error: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = str(reason)
        self.detail = detail
        self.error = error


def trade_hourly(deps: Deps, scheduled_for: datetime, *, asset: Asset) -> JobResult:
    target = hourly_target(asset, scheduled_for)
    coid = hour_client_order_id(asset, target)
    facts: dict[str, Any] = {
        "asset": asset.value,
        "event_ticker": target.event_ticker,
        "client_order_id": coid,
    }
    try:
        decision, spot, now = _gather_and_decide(deps, asset, target, coid, facts)
    except _Refusal as refusal:
        return _refused(asset, scheduled_for, refusal, facts)
    if not decision.trade:
        reason = decision.reason.value if decision.reason else NoTradeReason.INVALID_INPUT.value
        facts.update(_decision_facts(decision))
        return _refused(asset, scheduled_for, _Refusal(reason, decision.detail), facts)
    facts.update(_decision_facts(decision))
    return _place(
        deps,
        asset,
        scheduled_for=scheduled_for,
        now=now,
        spot=spot,
        decision=decision,
        coid=coid,
        facts=facts,
    )


def _gather_and_decide(
    deps: Deps, asset: Asset, target: HourlyTarget, coid: str, facts: dict[str, Any]
) -> tuple[HourlyDecision, Decimal, datetime]:
    params = deps.params.hourly
    now = deps.clock.now()
    left = minutes_until(target.close_time, now)
    if left < MIN_MINUTES_LEFT:
        # A run this late (catch-up, retry, or --at in the past with a real clock) would price a market
        # that is closing or closed; with no time left the model turns deterministic. Never trade it.
        raise _Refusal(TOO_LATE, f"{left:.1f} min before {target.close_time.isoformat()}")
    day = risk.trading_day(now)
    gate = risk.gate_refusal(deps.store, day, deps.params.budget)
    if gate is not None:
        raise _Refusal(gate, "risk gate", error=gate == risk.STORE_UNAVAILABLE)
    try:
        if deps.store.get_trade(coid) is not None:
            raise _Refusal(NoTradeReason.ALREADY_TRADED, f"trade {coid} exists for {target.event_ticker}")
        snapshot = deps.store.get_volatility(asset)
    except StoreError as exc:
        raise _Refusal(risk.STORE_UNAVAILABLE, str(exc), error=True) from exc

    try:
        event = deps.exchange.get_event(target.event_ticker)
    except NotFoundError as exc:
        raise _Refusal(NoTradeReason.EVENT_MISSING, str(exc)) from exc
    status = deps.exchange.exchange_status()
    if not (status.exchange_active and status.trading_active):
        raise _Refusal(NoTradeReason.EXCHANGE_CLOSED, "exchange not trading")
    if not status.shard_trading(event.exchange_index):
        raise _Refusal(NoTradeReason.SHARD_CLOSED, f"shard {event.exchange_index} not trading")

    if snapshot is None:
        raise _Refusal(NoTradeReason.VOL_INSUFFICIENT, "no VOL/LATEST item")
    vol_age_s = (now - snapshot.computed_at).total_seconds()
    facts["vol_age_s"] = vol_age_s
    if vol_age_s > params.max_vol_age_s:
        raise _Refusal(
            NoTradeReason.VOL_STALE, f"VOL/LATEST is {vol_age_s:.0f}s old (max {params.max_vol_age_s})"
        )
    vol = hourly_model_input(params.model, snapshot)  # the one model input, shared with the backtest
    facts.update(vol_model=vol.model, vol_returns=vol.returns)
    if vol.vol_15m_std_pct is None:
        raise _Refusal(NoTradeReason.VOL_INSUFFICIENT, f"{vol.model}: {vol.detail}")

    tick = deps.prices.current_price(asset)
    price_age_s = (now - tick.at).total_seconds()
    facts["price_age_s"] = price_age_s
    if price_age_s > params.max_price_age_s:
        raise _Refusal(
            NoTradeReason.PRICE_STALE, f"price is {price_age_s:.0f}s old (max {params.max_price_age_s})"
        )

    fees = effective_fee_schedule(deps.exchange.series_fees(asset.hourly_series), event)
    # Kelly sizes against the cash that can back this order: collateral is per shard (crypto: shard 2).
    bankroll = deps.exchange.balance(event.exchange_index)
    facts["bankroll"] = bankroll
    decision = decide_hourly(
        spot=tick.price,
        vol_15m_std_pct=vol.vol_15m_std_pct,
        now=now,
        event=event,
        fee_schedule=fees,
        bankroll=bankroll,
        min_edge=params.min_edge,
        strike_distance_bps=params.strike_distance_bps,
        kelly_multiplier=params.kelly_multiplier,
        max_fraction=params.max_fraction,
        max_contracts=params.max_contracts,
        expected_close=target.close_time,
        tail_nu=vol.tail_nu,
        settlement_average_s=vol.settlement_average_s,
    )
    return decision, tick.price, now


def _place(
    deps: Deps,
    asset: Asset,
    *,
    scheduled_for: datetime,
    now: datetime,
    spot: Decimal,
    decision: HourlyDecision,
    coid: str,
    facts: dict[str, Any],
) -> JobResult:
    market, no_ask, fee = decision.market, decision.no_ask, decision.fee_per_contract
    if market is None or no_ask is None or fee is None or decision.p_no is None or decision.edge is None:
        raise ValueError("decide_hourly returned trade=True without its numbers")
    intent = buy_no_intent(market.ticker, no_ask, decision.contracts, coid, market.exchange_index)
    record = TradeRecord(
        created_at=now,
        client_order_id=coid,
        bot=bot_name(asset),
        mode=deps.params.mode,
        contract_ticker=market.ticker,
        side=Side.NO,
        quantity=decision.contracts,
        price_cents=no_ask * 100,
        btc_price=spot,
        strike_price=market.floor_strike,
        model_prob=decision.p_no,
        market_prob=float(no_ask),
        edge=decision.edge,
        kelly_fraction=decision.kelly_applied or 0.0,
        status=TradeStatus.PENDING,
        scheduled_for=scheduled_for,
    )
    plan = OrderPlan(bot_name(asset), risk.trading_day(now), intent, record, no_ask + fee)
    placement = place_order(deps, plan)
    return _placed(asset, scheduled_for, placement, facts)


def _placed(asset: Asset, scheduled_for: datetime, placement: Placement, facts: dict[str, Any]) -> JobResult:
    record = placement.record
    data = dict(facts)
    data["placement"] = placement.status.value
    if record is not None:
        data.update(
            status=record.status.value,
            order_id=record.order_id,
            fill_count=str(record.fill_count),
            fees_dollars=str(record.fees_dollars),
        )
    if placement.status is PlacementStatus.REFUSED:
        return _refused(
            asset, scheduled_for, _Refusal(placement.reason, "order path", placement.store_failed), data
        )
    log_event(
        logger,
        "trade.placed",
        f"{facts.get('ticker')} {placement.status.value} {placement.reason}",
        decision="trade",
        **data,
    )
    if (
        placement.status in (PlacementStatus.FILLED, PlacementStatus.NOT_FILLED)
        and not placement.store_failed
    ):
        return JobResult(job_name(asset), scheduled_for, Outcome.OK, placement.reason, data=json_safe(data))
    # Rejected by the exchange, outcome unknown (pending for reconcile) or record not updated.
    return JobResult(
        job_name(asset),
        scheduled_for,
        Outcome.ERROR,
        placement.reason.split(":")[0],
        placement.reason,
        transient=False,
        data=json_safe(data),
    )


def _refused(asset: Asset, scheduled_for: datetime, refusal: _Refusal, facts: dict[str, Any]) -> JobResult:
    reason = refusal.reason
    log_event(
        logger,
        "trade.refused",
        f"no trade: {reason} ({refusal.detail})",
        decision="no-trade",
        reason=reason,
        detail=refusal.detail,
        **facts,
    )
    outcome = Outcome.ERROR if refusal.error else Outcome.NO_TRADE
    return JobResult(
        job_name(asset),
        scheduled_for,
        outcome,
        reason,
        refusal.detail,
        transient=refusal.error,
        data=json_safe(facts),
    )


def _decision_facts(d: HourlyDecision) -> dict[str, Any]:
    return {
        "ticker": None if d.market is None else d.market.ticker,
        "strike": d.strike,
        "minutes_left": d.minutes_left,
        "sigma_scaled_pct": d.sigma_scaled_pct,
        "p_no": d.p_no,
        "no_ask": d.no_ask,
        "fee_per_contract": d.fee_per_contract,
        "market_prob": d.market_prob,
        "edge": d.edge,
        "kelly_raw": d.kelly_raw,
        "kelly_applied": d.kelly_applied,
        "contracts": d.contracts,
    }
