"""The hourly crypto decision: the ONE function the live job and the backtester both call.

Pure: every input is an argument. The checks on the inputs themselves (exchange/shard open, staleness
and timestamps of the VOL item and the price, spot against the collector, the event's markets and
strikes, the tick grid) are the pure rules of :mod:`kalshi_bots.domain.sanity`; budget, loss limit,
kill switch and "already traded" need the store and stay in the job. All report a :class:`NoTradeReason`,
and :meth:`HourlyDecision.verdict` turns a decision into a value: :class:`HourlyTrade` or :class:`Refusal`.

Steps (spec "BTC Trading Bot Data Flow" 6-9, with fees):

1. strike: first active "greater" market with ``floor_strike >= spot * (1 + bps / 10000)``;
2. its ``close_time`` must be the next top of the hour after ``now`` (on the fall-back night two instants
   share one ticker, so this is what makes the ticker safe);
3. ``P(NO) = Phi(z)`` with ``sigma = vol_15m * sqrt(T / 15)`` (the spec), or the unit-variance
   Student-t on ``ln(K / spot)`` when ``tail_nu`` is set (:func:`pricing.prob_no_law`);
4. fee per contract: computed for a single contract first (the worst case, since an order's fee is
   rounded up to the cent once), and ``edge = P(NO) - (NO ask + fee per contract)`` must be
   ``>= min_edge``;
5. Kelly size at the all-in cost; the reported fee and edge are then those of the actual order size
   (never worse than the worst case that passed the gate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from kalshi_bots.domain.errors import DomainError, UnknownFeeTypeError
from kalshi_bots.domain.fees import edge_after_fee, fee_per_contract
from kalshi_bots.domain.markets import minutes_until, next_top_of_hour, require_aware, select_strike
from kalshi_bots.domain.models import Event, FeeSchedule, Market
from kalshi_bots.domain.pricing import prob_no_law, scaled_sigma_pct
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.sizing import size_order


@dataclass(frozen=True, slots=True)
class Refusal:
    """A decision not to trade: the reason (log, job result, ``status``) and what triggered it."""

    reason: NoTradeReason
    detail: str


@dataclass(frozen=True, slots=True)
class HourlyTrade:
    """A decision to buy ``contracts`` NO on ``market`` at up to ``no_ask``: every number is known."""

    market: Market
    strike: Decimal
    no_ask: Decimal
    contracts: int
    fee_per_contract: Decimal  # of the actual order size
    p_no: float
    edge: float  # p_no - (no_ask + fee_per_contract)
    kelly_applied: float


@dataclass(frozen=True, slots=True)
class HourlyDecision:
    """What was decided and every number behind it (``None`` = not reached before the refusal)."""

    trade: bool
    reason: NoTradeReason | None
    market: Market | None = None
    strike: Decimal | None = None
    minutes_left: float | None = None
    sigma_scaled_pct: float | None = None
    p_no: float | None = None
    no_ask: Decimal | None = None
    fee_per_contract: Decimal | None = None
    market_prob: float | None = None  # the NO ask as a probability
    edge: float | None = None  # p_no - (no_ask + fee_per_contract)
    kelly_raw: float | None = None
    kelly_applied: float | None = None
    contracts: int = 0
    detail: str = ""

    def verdict(self) -> HourlyTrade | Refusal:
        """The decision as a value: a :class:`HourlyTrade` with every number, or a :class:`Refusal`."""
        if not self.trade:
            return Refusal(self.reason or NoTradeReason.INVALID_INPUT, self.detail)
        market, strike, no_ask, fee = self.market, self.strike, self.no_ask, self.fee_per_contract
        if market is None or strike is None or no_ask is None or fee is None or self.p_no is None:
            return Refusal(NoTradeReason.INVALID_INPUT, "a trade decision without its numbers")
        return HourlyTrade(
            market=market,
            strike=strike,
            no_ask=no_ask,
            contracts=self.contracts,
            fee_per_contract=fee,
            p_no=self.p_no,
            edge=self.edge if self.edge is not None else edge_after_fee(self.p_no, no_ask, fee),
            kelly_applied=self.kelly_applied or 0.0,
        )


def _refuse(partial: HourlyDecision, reason: NoTradeReason, detail: str) -> HourlyDecision:
    """``partial`` carries every number computed before the refusal, for the log and the backtest."""
    return replace(partial, trade=False, reason=reason, detail=detail, contracts=0)


def _input_problem(spot: Decimal, vol: float | None, bankroll: Decimal, now: datetime) -> str:
    if not isinstance(spot, Decimal) or not spot.is_finite() or spot <= 0:
        return f"spot must be a positive finite Decimal, got {spot!r}"
    if vol is not None and not (isinstance(vol, float | int) and math.isfinite(vol) and vol >= 0):
        return f"vol_15m_std_pct must be a finite number >= 0, got {vol!r}"
    if not isinstance(bankroll, Decimal) or not bankroll.is_finite() or bankroll < 0:
        return f"bankroll must be a finite Decimal >= 0, got {bankroll!r}"
    if now.tzinfo is None or now.utcoffset() is None:
        return f"now must be timezone-aware, got {now.isoformat()}"
    return ""


def decide_hourly(
    *,
    spot: Decimal,
    vol_15m_std_pct: float | None,
    now: datetime,
    event: Event | None,
    fee_schedule: FeeSchedule,
    bankroll: Decimal,
    min_edge: float = 0.03,
    strike_distance_bps: int = 20,
    kelly_multiplier: float = 0.25,
    max_fraction: float = 0.25,
    max_contracts: int = 5,
    expected_close: datetime | None = None,
    settlement_average_s: float = 0.0,
    tail_nu: float | None = None,
) -> HourlyDecision:
    """Decide whether to buy NO on the hourly event, and how many contracts.

    ``expected_close`` defaults to the next top of the hour after ``now``. ``settlement_average_s``
    (default 0 = the spec's formula) models the 60-second settlement average, see pricing. ``tail_nu``
    (default None = the spec's normal law) prices the log move with Student-t tails of that many degrees
    of freedom, scaled to the same variance (:func:`pricing.prob_no_t`; docs/model.md). The live job
    gets ``vol_15m_std_pct``, ``tail_nu`` and ``settlement_average_s`` from
    :func:`kalshi_bots.domain.hourly_model.hourly_model_input`. Never
    raises on bad input: any rule violation is an ``INVALID_INPUT`` refusal saying what was wrong.
    """
    try:
        return _decide(
            spot=spot,
            vol_15m_std_pct=vol_15m_std_pct,
            now=now,
            event=event,
            fee_schedule=fee_schedule,
            bankroll=bankroll,
            min_edge=min_edge,
            strike_distance_bps=strike_distance_bps,
            kelly_multiplier=kelly_multiplier,
            max_fraction=max_fraction,
            max_contracts=max_contracts,
            expected_close=expected_close,
            settlement_average_s=settlement_average_s,
            tail_nu=tail_nu,
        )
    except DomainError as exc:
        return _refuse(HourlyDecision(trade=False, reason=None), NoTradeReason.INVALID_INPUT, str(exc))


def _decide(
    *,
    spot: Decimal,
    vol_15m_std_pct: float | None,
    now: datetime,
    event: Event | None,
    fee_schedule: FeeSchedule,
    bankroll: Decimal,
    min_edge: float,
    strike_distance_bps: int,
    kelly_multiplier: float,
    max_fraction: float,
    max_contracts: int,
    expected_close: datetime | None,
    settlement_average_s: float,
    tail_nu: float | None,
) -> HourlyDecision:
    d = HourlyDecision(trade=False, reason=None)
    problem = _input_problem(spot, vol_15m_std_pct, bankroll, now)
    if problem:
        return _refuse(d, NoTradeReason.INVALID_INPUT, problem)
    if vol_15m_std_pct is None or vol_15m_std_pct <= 0:
        # Zero realised vol means a flat (likely stuck) feed; pricing on it would claim certainty.
        return _refuse(d, NoTradeReason.VOL_INSUFFICIENT, f"vol_15m_std_pct is {vol_15m_std_pct!r}")
    if event is None or not event.markets:
        return _refuse(d, NoTradeReason.EVENT_MISSING, "no event or the event has no markets")

    market = select_strike(event.markets, spot, strike_distance_bps)
    if market is None or market.floor_strike is None:
        detail = (
            f"no active 'greater' market >= {strike_distance_bps} bps above {spot} in {event.event_ticker}"
        )
        return _refuse(d, NoTradeReason.NO_QUALIFYING_STRIKE, detail)
    d = replace(d, market=market, strike=market.floor_strike)
    close = require_aware(expected_close, "expected_close") if expected_close else next_top_of_hour(now)
    if require_aware(market.close_time, "close_time") != close:
        detail = f"{market.ticker} closes {market.close_time.isoformat()}, expected {close.isoformat()}"
        return _refuse(d, NoTradeReason.CLOSE_TIME_MISMATCH, detail)

    minutes_left = minutes_until(close, now)
    vol = vol_15m_std_pct
    p_no = prob_no_law(
        spot,
        market.floor_strike,
        minutes_left,
        vol,
        tail_nu=tail_nu,
        settlement_average_s=settlement_average_s,
    )
    sigma = scaled_sigma_pct(vol, minutes_left)
    d = replace(d, minutes_left=minutes_left, sigma_scaled_pct=sigma, p_no=p_no)

    no_ask = market.no_ask
    if no_ask is None or not no_ask.is_finite() or not (0 < no_ask < 1):
        return _refuse(d, NoTradeReason.NO_QUOTE, f"{market.ticker} has no usable NO ask ({no_ask})")
    d = replace(d, no_ask=no_ask, market_prob=float(no_ask))

    try:
        worst_fee = fee_per_contract(1, no_ask, fee_schedule)
    except UnknownFeeTypeError as exc:
        return _refuse(d, NoTradeReason.FEE_TYPE_UNKNOWN, str(exc))
    edge = edge_after_fee(p_no, no_ask, worst_fee)
    d = replace(d, fee_per_contract=worst_fee, edge=edge)
    if edge < min_edge:
        return _refuse(d, NoTradeReason.EDGE_TOO_SMALL, f"edge {edge:.4f} < min_edge {min_edge}")

    sizing = size_order(bankroll, p_no, no_ask, worst_fee, kelly_multiplier, max_fraction, max_contracts)
    d = replace(d, kelly_raw=sizing.kelly_raw, kelly_applied=sizing.applied_fraction)
    if sizing.contracts == 0:
        return _refuse(d, NoTradeReason.SIZE_ZERO, f"Kelly sizing gives 0 contracts (bankroll {bankroll})")

    fee = fee_per_contract(sizing.contracts, no_ask, fee_schedule)
    return replace(
        d,
        trade=True,
        fee_per_contract=fee,
        edge=edge_after_fee(p_no, no_ask, fee),
        contracts=sizing.contracts,
    )
