"""The hourly crypto bot's decision on its gathered inputs: the ONE function the live job and the crypto
backtest both call, so a replay applies exactly the gates the bot applies.

:func:`decide_hour` runs, in order, on :class:`HourlyInputs`:

1. the event: the reply is the event asked for and carries only its markets (``foreign_market``); the
   exchange and the event's shard are trading (``exchange_closed``, ``shard_closed``);
2. the volatility input: VOL/LATEST exists, is recent and not from the future (``vol_insufficient``,
   ``vol_stale``, ``future_timestamp``), and the model's reading of it has an estimate (the model input's
   minimum data, :func:`kalshi_bots.domain.hourly_model.hourly_model_input`: ``vol_insufficient``);
3. the price: recent and not from the future (``price_stale``, ``future_timestamp``), within the jump
   limit of what the collector accepted (``spot_disagrees``), strikes that come near it
   (``strikes_implausible``);
4. :func:`kalshi_bots.domain.decision.decide_hourly` (strike, close time, P(NO), edge, Kelly size against
   the bankroll), then the last look at what would be sent (:func:`kalshi_bots.domain.sanity.trade_refusal`:
   the strike within the band, the price on the tick grid).

The rules themselves are :mod:`kalshi_bots.domain.sanity` and :mod:`kalshi_bots.domain.decision`.

**Inputs arrive in steps.** The live job fetches the price only when steps 1-2 pass, and the fees and the
balance only when step 3 passes, so a run that refuses early makes no further calls. A missing
``tick`` or ``series_fees``/``bankroll`` is therefore not an error: the verdict is :class:`Needs` (what to
fetch), and the job calls again with it. The backtest has every input at once and gets the final verdict
in one call. Pure and cheap: re-running the early steps costs microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from kalshi_bots.domain.decision import HourlyDecision, HourlyTrade, Refusal, decide_hourly
from kalshi_bots.domain.fees import effective_fee_schedule
from kalshi_bots.domain.hourly_model import ModelInput
from kalshi_bots.domain.markets import HourlyTarget
from kalshi_bots.domain.models import Event, ExchangeStatus, FeeSchedule, PriceTick, VolatilitySnapshot
from kalshi_bots.domain.params import HourlyParams
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.sanity import (
    exchange_refusal,
    foreign_market_refusal,
    fresh_snapshot,
    price_refusal,
    spot_refusal,
    strike_refusal,
    trade_refusal,
)


class Needs(Enum):
    """An input the decision has not been given yet and needs to go on (see the module doc)."""

    PRICE = "price"  # the feed's current price (``HourlyInputs.tick``)
    TERMS = "terms"  # the series' fees and the cash on the event's shard (``series_fees``, ``bankroll``)


@dataclass(frozen=True, slots=True)
class HourlyInputs:
    """Everything one hourly decision reads. ``None`` for the last three = not fetched yet."""

    now: datetime
    target: HourlyTarget  # the event asked for and the instant it must close
    event: Event
    status: ExchangeStatus
    snapshot: VolatilitySnapshot | None  # VOL/LATEST as stored
    # The model's reading of ``snapshot`` (the job: hourly_model_input(params.model, snapshot); the
    # backtest: the replayed model's). Only used once the snapshot has passed its own checks.
    model_input: ModelInput | None
    tick: PriceTick | None = None
    series_fees: FeeSchedule | None = None
    bankroll: Decimal | None = None  # the cash that can back the order (the event's shard)


@dataclass(frozen=True, slots=True)
class HourlyVerdict:
    """What was decided, and :func:`decide_hourly`'s numbers when it ran (for the log and the backtest)."""

    outcome: HourlyTrade | Refusal | Needs
    decision: HourlyDecision | None = None


def decide_hour(inputs: HourlyInputs, params: HourlyParams, max_price_jump_pct: float) -> HourlyVerdict:
    """The gates and the decision of the module doc, stopping at the first refusal (or missing input)."""
    event, now = inputs.event, inputs.now
    refusal = foreign_market_refusal(event, inputs.target.event_ticker) or exchange_refusal(
        inputs.status, event.exchange_index
    )
    if refusal is not None:
        return HourlyVerdict(refusal)
    fresh = fresh_snapshot(inputs.snapshot, now, params.max_vol_age_s)
    if isinstance(fresh, Refusal):
        return HourlyVerdict(fresh)
    vol = inputs.model_input
    if vol is None or vol.vol_15m_std_pct is None:
        detail = "no model input" if vol is None else f"{vol.model}: {vol.detail}"
        return HourlyVerdict(Refusal(NoTradeReason.VOL_INSUFFICIENT, detail))

    tick = inputs.tick
    if tick is None:
        return HourlyVerdict(Needs.PRICE)
    refusal = (
        price_refusal(tick, now, params.max_price_age_s)
        or spot_refusal(tick.price, fresh, max_price_jump_pct)
        or strike_refusal(event.markets, tick.price)
    )
    if refusal is not None:
        return HourlyVerdict(refusal)

    if inputs.series_fees is None or inputs.bankroll is None:
        return HourlyVerdict(Needs.TERMS)
    decision = decide_hourly(
        spot=tick.price,
        vol_15m_std_pct=vol.vol_15m_std_pct,
        now=now,
        event=event,
        fee_schedule=effective_fee_schedule(inputs.series_fees, event),
        bankroll=inputs.bankroll,
        min_edge=params.min_edge,
        strike_distance_bps=params.strike_distance_bps,
        kelly_multiplier=params.kelly_multiplier,
        max_fraction=params.max_fraction,
        max_contracts=params.max_contracts,
        expected_close=inputs.target.close_time,
        tail_nu=vol.tail_nu,
        settlement_average_s=vol.settlement_average_s,
    )
    verdict = decision.verdict()
    if isinstance(verdict, Refusal):
        return HourlyVerdict(verdict, decision)
    return HourlyVerdict(trade_refusal(verdict, tick.price) or verdict, decision)
