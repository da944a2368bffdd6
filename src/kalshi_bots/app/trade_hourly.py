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
anything is written. A store that cannot be read raises ``StoreError`` wherever it is read (the risk gate,
the order path, the job's own reads): the runner maps it once, to ``Outcome.ERROR`` with reason
``store_unavailable``, and no order is sent.

The gates and the decision are ONE pure function, :func:`kalshi_bots.domain.hourly_decision.decide_hour`,
which the crypto backtest replays on recorded inputs; this module only fetches the inputs in the order
that function asks for them (:class:`~kalshi_bots.domain.hourly_decision.Needs`), so a run that refuses
early makes no further calls.

In ``live`` mode a trade decision must then pass the edge gate (:mod:`.edge`: the bot's scorecard shows
an edge, else ``no_edge_evidence``), right before the order; paper and demo are never gated. Every run
that reached the pricing records its decision snapshot (the ladder it read, priced with the same inputs,
the strike it looked at marked) after any order, for the scorecard and the gate; a failed record is
logged, never fatal.

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
from kalshi_bots.app.edge import edge_gate_refusal
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.order_plan import plan_order
from kalshi_bots.app.placement import Placement, PlacementStatus, place_order
from kalshi_bots.app.recorder import decision_snapshot_stored
from kalshi_bots.app.results import JobReport, Outcome
from kalshi_bots.domain.decision import HourlyDecision, HourlyTrade, Refusal
from kalshi_bots.domain.hourly_decision import HourlyInputs, Needs, decide_hour
from kalshi_bots.domain.hourly_model import hourly_model_input
from kalshi_bots.domain.market_snapshot import (
    LadderInputs,
    MarketSnapshot,
    TradeDecision,
    Trigger,
    hourly_snapshot,
)
from kalshi_bots.domain.markets import HourlyTarget, hourly_target
from kalshi_bots.domain.models import Asset, Bot, Side, VolatilitySnapshot
from kalshi_bots.domain.orders import client_order_id
from kalshi_bots.domain.reasons import ErrorReason, NoTradeReason
from kalshi_bots.domain.sanity import too_late
from kalshi_bots.ports.errors import NotFoundError

logger = logging.getLogger(__name__)

MIN_MINUTES_LEFT = 1.0
# Placements that are errors of the run (the order was rejected, or its outcome is unknown).
_PLACEMENT_ERRORS = frozenset({PlacementStatus.REJECTED, PlacementStatus.UNKNOWN})


def hour_client_order_id(asset: Asset, target: HourlyTarget) -> str:
    """The one client_order_id this bot may use for the hour closing at ``target.close_time``."""
    return client_order_id(Bot.hourly(asset), target.event_ticker, target.close_time)


@dataclass(frozen=True, slots=True)
class _Run:
    asset: Asset
    scheduled_for: datetime
    target: HourlyTarget
    client_order_id: str

    @property
    def bot(self) -> Bot:
        return Bot.hourly(self.asset)

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


def trade_hourly(deps: Deps, scheduled_for: datetime, *, asset: Asset) -> JobReport:
    target = hourly_target(asset, scheduled_for)
    run = _Run(asset, scheduled_for, target, hour_client_order_id(asset, target))
    now = deps.clock.now()
    # Too late, then the kill switch and the loss limit (a store that cannot say raises: no order).
    gate = too_late(target.close_time, now, MIN_MINUTES_LEFT) or risk.gate_refusal(
        deps.store, risk.trading_day(now), deps.params.budget
    )
    if gate is not None:
        return _refused(run, _Seen(now), gate)
    seen, verdict = _gather_and_decide(deps, run, _Seen(now))
    if not isinstance(verdict, Refusal):  # live mode: only with evidence of an edge (app/edge.py)
        verdict = edge_gate_refusal(deps, run.bot, now) or verdict
    report = (
        _refused(run, seen, verdict) if isinstance(verdict, Refusal) else _place(deps, run, seen, verdict)
    )
    _record_decision(deps, run, seen, report)
    return report


def _record_decision(deps: Deps, run: _Run, seen: _Seen, report: JobReport) -> None:
    """The decision's snapshot (after any order, so it never delays one): the ladder it read, priced
    with the same inputs, the strike it looked at marked. Only decisions that reached the pricing
    (inputs passed every sanity rule) are recorded; a store failure is logged, never raised."""
    decision, inputs = seen.decision, seen.inputs
    if decision is None or inputs is None or deps.snapshots is None:
        return
    event = inputs.event
    looked = () if decision.market is None else (decision.market.ticker,)
    placed = TradeDecision.TRADE if report.data.get("placement") else TradeDecision.NO_TRADE

    def build() -> MarketSnapshot:
        return hourly_snapshot(
            event,
            run.target.close_time,
            scheduled_for=run.scheduled_for,
            at=seen.now,
            trigger=Trigger.DECISION,
            bot=run.bot,
            mode=deps.params.mode.value,
            inputs=LadderInputs(inputs.tick, inputs.model_input),
            looked_at=looked,
            decision=placed,
            reason=report.reason_text,
        )

    decision_snapshot_stored(deps, build, event.event_ticker)


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


def _place(deps: Deps, run: _Run, seen: _Seen, trade: HourlyTrade) -> JobReport:
    tick = seen.inputs.tick if seen.inputs is not None else None
    plan = plan_order(
        bot=run.bot,
        mode=deps.params.mode,
        now=seen.now,
        scheduled_for=run.scheduled_for,
        client_order_id=run.client_order_id,
        market=trade.market,
        side=Side.NO,
        price=trade.no_ask,
        contracts=trade.contracts,
        fee_per_contract=trade.fee_per_contract,
        model_prob=trade.p_no,
        edge=trade.edge,
        kelly_fraction=trade.kelly_applied,
        strike=trade.strike,
        spot=tick.price if tick is not None else None,
    )
    return _placed(run, seen, place_order(deps, plan))


def _placed(run: _Run, seen: _Seen, placement: Placement) -> JobReport:
    refusal = placement.refusal
    if refusal is not None:  # budget, already traded, the last look (kill switch, loss limit)
        return _refused(run, seen, refusal)
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
        f"{data.get('ticker')} {placement.status.value} {placement.detail}".strip(),
        decision=TradeDecision.TRADE,
        **data,
    )
    if placement.status in _PLACEMENT_ERRORS:  # rejected, or sent with no answer (pending for reconcile)
        return JobReport(Outcome.ERROR, placement.reason, placement.detail, data=json_safe(data))
    if not placement.record_saved:  # the outcome is known, the record is reconcile's to complete
        return JobReport(
            Outcome.ERROR, ErrorReason.RECORD_UPDATE_FAILED, placement.detail, data=json_safe(data)
        )
    return JobReport(Outcome.OK, placement.reason, data=json_safe(data))


def _refused(run: _Run, seen: _Seen, refusal: Refusal) -> JobReport:
    """A deliberate no-trade: logged with every fact the run had, no order."""
    facts = run.context() | seen.facts()
    reason, detail = refusal.reason, refusal.detail
    log_event(
        logger,
        "trade.refused",
        f"no trade: {reason.value} ({detail})",
        decision=TradeDecision.NO_TRADE,
        reason=reason,
        detail=detail,
        **facts,
    )
    return JobReport(Outcome.NO_TRADE, reason, detail, data=json_safe(facts))


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
