"""``trade-hourly --asset BTC|ETH`` (at :45): the spec's 11 steps on today's API, failing closed.

Refusals (``Outcome.NO_TRADE``, ``reason`` = a :class:`NoTradeReason` value, logged, no order):
``too_late`` (under a minute before the target hour closes), kill switch, daily loss limit, already
traded this hour, event missing, exchange or crypto shard not trading, and the input sanity rules of
:mod:`kalshi_bots.domain.sanity`: a reply carrying another event's markets (``foreign_market``), VOL/LATEST
older than ``max_vol_age_s`` or without the model's volatility input (:func:`hourly_model_input`: too
few recent minute prices), a Coinbase price older than ``max_price_age_s``
(exchange time vs our clock), a price or VOL item stamped in the future (``future_timestamp``), spot
farther than ``max_price_jump_pct`` from the collector's last accepted price (``spot_disagrees``), strikes
that do not come near spot (``strikes_implausible``); then the decision's own: no qualifying strike, no
NO ask, unknown fee type, edge too small, size zero, close time not the target top of the hour; a NO ask
off the market's tick grid (``price_off_tick``); budget exceeded. Every one of them is decided before
anything is written. A store that cannot be read is ``Outcome.ERROR`` with reason ``store_unavailable``
(no order either): the risk gate and the order path report it, and a failed read of this job's own
propagates to the runner, which maps it.

The gates and the decision are ONE pure function, :func:`kalshi_bots.domain.hourly_decision.decide_hour`,
which the crypto backtest replays on recorded inputs; this module only fetches the inputs in the order
that function asks for them (:class:`~kalshi_bots.domain.hourly_decision.Needs`), so a run that refuses
early makes no further calls.

One order per asset and hour: the client_order_id is derived from the bot and the **target hour** (the
event's close instant), not from the minute the job was triggered, so ``--at 10:44`` and ``--at 10:45``,
a platform retry and two concurrent runs all map to the same id; the second finds the first's trade
record and refuses ``already_traded``. The order path itself is :mod:`.placement`.

Spec step -> code: 1 (minute 45) is the schedule's job; 2 balance -> ``exchange.balance()``; 3 VOL/LATEST;
4 Coinbase price; 5 next hour's event (:func:`markets.hourly_target`); 6-9 :func:`decide_hour`;
10 :func:`placement.place_order`; 11 the trade record (written pending before 10, completed after).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.placement import (
    ORDER_REJECTED,
    OUTCOME_UNKNOWN,
    OrderPlan,
    Placement,
    PlacementStatus,
    place_order,
)
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.domain.decision import HourlyDecision, HourlyTrade, NoTradeReason, Refusal
from kalshi_bots.domain.hourly_decision import HourlyInputs, Needs, decide_hour
from kalshi_bots.domain.hourly_model import hourly_model_input
from kalshi_bots.domain.markets import HourlyTarget, hourly_target
from kalshi_bots.domain.models import Asset, TradeRecord, TradeStatus, VolatilitySnapshot
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.orders import buy_no_intent, client_order_id
from kalshi_bots.domain.sanity import too_late
from kalshi_bots.ports.errors import NotFoundError

logger = logging.getLogger(__name__)

MIN_MINUTES_LEFT = 1.0
# Placement statuses that are errors of the run, with the reason they are reported under.
_PLACEMENT_ERRORS = {PlacementStatus.REJECTED: ORDER_REJECTED, PlacementStatus.UNKNOWN: OUTCOME_UNKNOWN}


def bot_name(asset: Asset) -> str:
    return f"{asset.value.lower()}-hourly"


def job_name(asset: Asset) -> str:
    return f"trade-hourly-{asset.value.lower()}"


def hour_client_order_id(asset: Asset, target: HourlyTarget) -> str:
    """The one client_order_id this bot may use for the hour closing at ``target.close_time``."""
    return client_order_id(bot_name(asset), target.event_ticker, target.close_time)


@dataclass(frozen=True, slots=True)
class _Run:
    asset: Asset
    scheduled_for: datetime
    target: HourlyTarget
    client_order_id: str

    def context(self) -> dict[str, Any]:
        return {
            "asset": self.asset.value,
            "event_ticker": self.target.event_ticker,
            "client_order_id": self.client_order_id,
        }


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the run has read so far; its facts go into the log and the result, refused or not."""

    now: datetime
    snapshot: VolatilitySnapshot | None = None
    inputs: HourlyInputs | None = None
    decision: HourlyDecision | None = None

    def facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.snapshot is not None:
            out["vol_age_s"] = (self.now - self.snapshot.computed_at).total_seconds()
        inputs = self.inputs
        if inputs is not None and inputs.tick is not None:
            out["spot"] = inputs.tick.price
            out["price_age_s"] = (self.now - inputs.tick.at).total_seconds()
        if inputs is not None and inputs.model_input is not None:
            out.update(vol_model=inputs.model_input.model, vol_returns=inputs.model_input.returns)
        if inputs is not None and inputs.bankroll is not None:
            out["bankroll"] = inputs.bankroll
        if self.decision is not None:
            out.update(_decision_facts(self.decision))
        return out


def trade_hourly(deps: Deps, scheduled_for: datetime, *, asset: Asset) -> JobResult:
    target = hourly_target(asset, scheduled_for)
    run = _Run(asset, scheduled_for, target, hour_client_order_id(asset, target))
    now = deps.clock.now()
    late = too_late(target.close_time, now, MIN_MINUTES_LEFT)
    if late is not None:
        return _refused(run, _Seen(now), late)
    gate = risk.gate_refusal(deps.store, risk.trading_day(now), deps.params.budget)
    if gate == risk.STORE_UNAVAILABLE:
        return _store_error(run, _Seen(now), "risk gate")
    if gate is not None:  # kill switch or loss limit
        return _no_trade(run, _Seen(now), gate, "risk gate")
    seen, verdict = _gather_and_decide(deps, run, _Seen(now))
    if isinstance(verdict, Refusal):
        return _refused(run, seen, verdict)
    return _place(deps, run, seen, verdict)


def _gather_and_decide(deps: Deps, run: _Run, seen: _Seen) -> tuple[_Seen, HourlyTrade | Refusal]:
    """Read the inputs in the order :func:`decide_hour` asks for them; a refusal stops the reading."""
    params, target = deps.params.hourly, run.target
    if deps.store.get_trade(run.client_order_id) is not None:
        detail = f"trade {run.client_order_id} exists for {target.event_ticker}"
        return seen, Refusal(NoTradeReason.ALREADY_TRADED, detail)
    snapshot = deps.store.get_volatility(run.asset)
    seen = replace(seen, snapshot=snapshot)
    try:
        event = deps.exchange.get_event(target.event_ticker)
    except NotFoundError as exc:
        return seen, Refusal(NoTradeReason.EVENT_MISSING, str(exc))
    # The one model input, shared with the backtest (``backtest crypto --model live``).
    vol = None if snapshot is None else hourly_model_input(params.model, snapshot)
    inputs = HourlyInputs(seen.now, target, event, deps.exchange.exchange_status(), snapshot, vol)
    while True:
        verdict = decide_hour(inputs, params, deps.params.max_price_jump_pct)
        seen = replace(seen, inputs=inputs, decision=verdict.decision)
        if verdict.outcome is Needs.PRICE:
            inputs = replace(inputs, tick=deps.prices.current_price(run.asset))
        elif verdict.outcome is Needs.TERMS:
            fees = deps.exchange.series_fees(run.asset.hourly_series)
            # Kelly sizes against the cash that can back this order: collateral is per shard (crypto: 2).
            bankroll = deps.exchange.balance(event.exchange_index)
            inputs = replace(inputs, series_fees=fees, bankroll=bankroll)
        else:
            return seen, verdict.outcome


def _place(deps: Deps, run: _Run, seen: _Seen, trade: HourlyTrade) -> JobResult:
    market, no_ask = trade.market, trade.no_ask
    intent = buy_no_intent(market.ticker, no_ask, trade.contracts, run.client_order_id, market.exchange_index)
    record = TradeRecord(
        created_at=seen.now,
        client_order_id=run.client_order_id,
        bot=bot_name(run.asset),
        mode=deps.params.mode,
        contract_ticker=market.ticker,
        side=Side.NO,
        quantity=trade.contracts,
        price_cents=no_ask * 100,
        btc_price=seen.inputs.tick.price
        if seen.inputs is not None and seen.inputs.tick is not None
        else None,
        strike_price=trade.strike,
        model_prob=trade.p_no,
        market_prob=float(no_ask),
        edge=trade.edge,
        kelly_fraction=trade.kelly_applied,
        status=TradeStatus.PENDING,
        scheduled_for=run.scheduled_for,
    )
    day = risk.trading_day(seen.now)
    plan = OrderPlan(bot_name(run.asset), day, intent, record, no_ask + trade.fee_per_contract)
    return _placed(run, seen, place_order(deps, plan))


def _placed(run: _Run, seen: _Seen, placement: Placement) -> JobResult:
    if placement.status is PlacementStatus.REFUSED:
        if placement.store_failed:
            return _store_error(run, seen, "order path")
        return _no_trade(run, seen, placement.reason, "order path")  # budget, already traded
    data = run.context() | seen.facts() | {"placement": placement.status.value}
    record = placement.record
    if record is not None:
        data.update(
            status=record.status.value,
            order_id=record.order_id,
            fill_count=str(record.fill_count),
            fees_dollars=str(record.fees_dollars),
        )
    log_event(
        logger,
        "trade.placed",
        f"{data.get('ticker')} {placement.status.value} {placement.reason}",
        decision="trade",
        **data,
    )
    job, sched = job_name(run.asset), run.scheduled_for
    error_reason = _PLACEMENT_ERRORS.get(placement.status)
    if error_reason is None and not placement.store_failed:
        return JobResult(job, sched, Outcome.OK, placement.reason, data=json_safe(data))
    # Rejected by the exchange, outcome unknown (pending for reconcile) or record not updated.
    return JobResult(
        job,
        sched,
        Outcome.ERROR,
        error_reason or placement.reason or "record_update_failed",
        placement.reason,
        transient=False,
        data=json_safe(data),
    )


def _refused(run: _Run, seen: _Seen, refusal: Refusal) -> JobResult:
    return _no_trade(run, seen, refusal.reason.value, refusal.detail)


def _no_trade(run: _Run, seen: _Seen, reason: str, detail: str) -> JobResult:
    """``reason`` is a NoTradeReason value (the risk gate and the order path report theirs as text)."""
    facts = run.context() | seen.facts()
    log_event(
        logger,
        "trade.refused",
        f"no trade: {reason} ({detail})",
        decision="no-trade",
        reason=reason,
        detail=detail,
        **facts,
    )
    return JobResult(
        job_name(run.asset), run.scheduled_for, Outcome.NO_TRADE, reason, detail, data=json_safe(facts)
    )


def _store_error(run: _Run, seen: _Seen, where: str) -> JobResult:
    """The store failed where the risk gate or the order path reads it: no order, a retry may help."""
    facts = run.context() | seen.facts()
    log_event(
        logger,
        "trade.refused",
        f"no trade: {risk.STORE_UNAVAILABLE} ({where})",
        logging.ERROR,
        decision="no-trade",
        reason=risk.STORE_UNAVAILABLE,
        detail=where,
        **facts,
    )
    return JobResult(
        job_name(run.asset),
        run.scheduled_for,
        Outcome.ERROR,
        risk.STORE_UNAVAILABLE,
        where,
        transient=True,
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
