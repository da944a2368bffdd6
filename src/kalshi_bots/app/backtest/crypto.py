"""Replay 1-minute prices hour by hour through the live decision code (KXBTCD / KXETHD shape).

Per complete clock hour H (bars present at H:44 and H:59 and enough history for the model):

- decision at H:45:00 UTC: spot = close of the H:44 bar (the price at 45:00), 15 minutes left;
- settlement at (H+1):00: Kalshi averages 60 one-second BRTI prints before the hour. With 1-minute
  bars the proxy is the H:59 bar's typical price (O + H + L + C) / 4
  (:meth:`~kalshi_bots.app.backtest.bars.MinuteBars.settlement_proxy`); NO wins iff it is not strictly
  above the strike;
- the trade is the live job's whole decision, :func:`kalshi_bots.domain.hourly_decision.decide_hour`, on
  the recorded inputs: the VOL/LATEST item the collector would have stored at :45 (its trailing minute
  prices), the price tick, the synthetic ladder (:mod:`.ladder`), the fee schedule and the running
  bankroll. So the replay applies the job's gates (staleness and timestamps of the VOL item and the
  price, spot against the collector's prices, strike plausibility, the model input's minimum data, the
  tick grid) and its strike rule, edge and Kelly sizing; on complete one-minute bars the time gates pass
  by construction (both inputs are stamped at the decision). Not replayed: the store-backed rules
  (daily budget, loss limit, kill switch, one order per hour is given by construction);
- every ladder strike is priced with the live :func:`kalshi_bots.domain.pricing.prob_no_law` under the
  model's law (normal or Student-t, and its settlement-average length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from kalshi_bots.app.backtest.bars import MINUTE_S, MinuteBars
from kalshi_bots.app.backtest.ladder import strike_grid, synthetic_event
from kalshi_bots.app.backtest.models import (
    ALL_FEATURES,
    Features,
    Law,
    Params,
    VolModel,
    compute_features,
    stored_snapshot,
)
from kalshi_bots.app.deps import JobParams
from kalshi_bots.domain.decision import HourlyDecision, HourlyTrade, Refusal
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_decision import HourlyInputs, Needs, decide_hour
from kalshi_bots.domain.hourly_model import HourlyModel, ModelInput
from kalshi_bots.domain.markets import hourly_target, select_strike
from kalshi_bots.domain.models import (
    Asset,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    PriceTick,
    VolatilitySnapshot,
)
from kalshi_bots.domain.params import HourlyParams
from kalshi_bots.domain.pricing import prob_no_law
from kalshi_bots.domain.reasons import NoTradeReason

HOUR_S = 3600
HISTORY_MINUTES = 121  # the 120-minute window plus its anchor
TRADING = ExchangeStatus(exchange_active=True, trading_active=True)  # a replayed hour is a trading hour


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    decision_minute: int = 45
    ladder_width_pct: float = 1.0
    # The live trading rules (strike distance, min edge, Kelly, caps, input ages); its ``model`` is not
    # read here: each replayed model supplies its own input.
    rules: HourlyParams = field(default_factory=HourlyParams)
    max_price_jump_pct: float = field(default_factory=lambda: JobParams().max_price_jump_pct)
    bankroll: Decimal = Decimal(100)
    half_spread: Decimal = Decimal("0.01")
    fee_schedule: FeeSchedule = field(default_factory=lambda: FeeSchedule(FeeType.QUADRATIC))
    settlement_average_s: float = 0.0  # for models that do not fix it; 0 = the spec's formula
    price_ladder: bool = True  # False: score the decision strike only (faster; --strikes decision)


@dataclass(frozen=True, slots=True)
class HourSample:
    """Everything about one replayable hour that does not depend on the model."""

    decision_time: datetime
    close_time: datetime
    tick: PriceTick  # the price at the decision (the H:44 bar's close, stamped at its end)
    snapshot: VolatilitySnapshot  # the VOL/LATEST item the collector would have stored at the decision
    settle: float
    features: Features
    decision_strike: Decimal | None  # what the live strike rule picks (model-independent)

    @property
    def spot(self) -> Decimal:
        return self.tick.price

    @property
    def minutes_left(self) -> float:
        return (self.close_time - self.decision_time).total_seconds() / 60.0


@dataclass(frozen=True, slots=True)
class LadderRow:
    decision_time: datetime
    spot: Decimal
    strike: Decimal
    minutes_left: float
    sigma_pct: float  # the model's vol_15m_std_pct
    p_no: float
    settle: float
    outcome_no: int
    decision_strike: bool


@dataclass(frozen=True, slots=True)
class HourResult:
    sample: HourSample
    sigma_pct: float | None
    verdict: HourlyTrade | Refusal  # the live decision on this hour's inputs
    decision: HourlyDecision | None  # decide_hourly's numbers, when the gates let it run
    pnl: Decimal
    bankroll_after: Decimal

    @property
    def trade(self) -> HourlyTrade | None:
        return self.verdict if isinstance(self.verdict, HourlyTrade) else None


@dataclass(slots=True)
class ReplayResult:
    model: str
    params: dict[str, float]
    ladder: list[LadderRow] = field(default_factory=list)
    hours: list[HourResult] = field(default_factory=list)
    skipped_no_sigma: int = 0

    @property
    def decision_rows(self) -> list[LadderRow]:
        return [r for r in self.ladder if r.decision_strike]


def bar_ticks(bars: MinuteBars) -> list[PriceTick]:
    """One tick per bar, stamped at the bar's close (open + 60 s), as the live collector stores them."""
    asset = bars.asset
    return [
        PriceTick(asset, datetime.fromtimestamp(t + MINUTE_S, UTC), Decimal(repr(c)))
        for t, c in zip(bars.ts, bars.close, strict=True)
    ]


def collect_hours(
    bars: MinuteBars,
    config: ReplayConfig | None = None,
    needs: frozenset[str] = ALL_FEATURES,
    live: HourlyModel | None = None,
) -> list[HourSample]:
    """The replayable hours, with their model-independent features (the expensive part, done once).

    ``needs`` limits the window statistics computed to those the models to be replayed read; ``live``
    is the settings' model (feature ``live``).
    """
    cfg = config or ReplayConfig()
    threshold_bps = cfg.rules.strike_distance_bps
    ticks = bar_ticks(bars)
    samples: list[HourSample] = []
    first_hour = bars.ts[0] - bars.ts[0] % HOUR_S
    for hour in range(first_hour, bars.ts[-1] + 1, HOUR_S):
        j = bars.at(hour + (cfg.decision_minute - 1) * MINUTE_S)
        k = bars.at(hour + 59 * MINUTE_S)
        if j is None or k is None:
            continue
        decision_time = ticks[j].at
        close_time = datetime.fromtimestamp(hour + HOUR_S, UTC)
        spot = ticks[j].price
        window = ticks[max(0, j - HISTORY_MINUTES) : j + 1]
        snapshot = stored_snapshot(window, decision_time, needs, live)
        unquoted = synthetic_event(
            bars.asset,
            spot=spot,
            close_time=close_time,
            minutes_left=0.0,
            reference_sigma=None,
            # The NO rule only ever picks strikes >= spot * (1 + bps): list just those.
            strikes=[s for s in strike_grid(spot, cfg.ladder_width_pct) if s >= spot],
            half_spread=cfg.half_spread,
        )
        market = select_strike(unquoted.markets, spot, threshold_bps)
        samples.append(
            HourSample(
                decision_time=decision_time,
                close_time=close_time,
                tick=ticks[j],
                snapshot=snapshot,
                settle=bars.settlement_proxy(k),
                features=compute_features(window, snapshot, needs, live),
                decision_strike=None if market is None else market.floor_strike,
            )
        )
    return samples


def price_no(sample: HourSample, strike: Decimal, sigma: float, law: Law, cfg: ReplayConfig) -> float:
    """P(NO) at ``strike`` with the live pricing under the model's law."""
    return prob_no_law(
        sample.spot,
        strike,
        sample.minutes_left,
        sigma,
        tail_nu=law.tail_nu,
        settlement_average_s=settlement_of(law, cfg),
    )


def settlement_of(law: Law, cfg: ReplayConfig) -> float:
    return cfg.settlement_average_s if law.settlement_average_s is None else law.settlement_average_s


def decision_strike_p(
    sample: HourSample, model: VolModel, params: Params, cfg: ReplayConfig
) -> tuple[float, int] | None:
    """(P(NO), outcome) at the live rule's strike, via the live pricing; for the walk-forward fit."""
    if sample.decision_strike is None:
        return None
    sigma = model.sigma(sample.features, params)
    if sigma is None or sigma <= 0:
        return None
    p = price_no(sample, sample.decision_strike, sigma, model.law(params), cfg)
    return p, int(sample.settle <= float(sample.decision_strike))


def replay(
    samples: Sequence[HourSample],
    model: VolModel,
    *,
    params: Params | None = None,
    reference: VolModel | None = None,
    config: ReplayConfig | None = None,
    asset: Asset = Asset.BTC,
) -> ReplayResult:
    """Run every hour through the live ``decide_hour``; price the whole ladder; track bankroll and P&L."""
    cfg = config or ReplayConfig()
    chosen = dict(model.grid[0] if params is None else params)
    result = ReplayResult(model=model.name, params=chosen)
    bankroll = cfg.bankroll
    law = model.law(chosen)
    settlement = settlement_of(law, cfg)
    for sample in samples:
        sigma = model.sigma(sample.features, chosen)
        minutes = sample.minutes_left
        strikes = strike_grid(sample.spot, cfg.ladder_width_pct)
        ref_sigma = reference.sigma(sample.features) if reference is not None else None
        event = synthetic_event(
            asset,
            spot=sample.spot,
            close_time=sample.close_time,
            minutes_left=minutes,
            reference_sigma=ref_sigma,
            strikes=strikes,
            half_spread=cfg.half_spread,
        )
        inputs = HourlyInputs(
            now=sample.decision_time,
            target=hourly_target(asset, sample.decision_time),
            event=event,
            status=TRADING,
            snapshot=sample.snapshot,
            model_input=ModelInput(model.name, sigma, law.tail_nu, settlement, 0),
            tick=sample.tick,
            series_fees=cfg.fee_schedule,
            bankroll=bankroll,
        )
        verdict = decide_hour(inputs, cfg.rules, cfg.max_price_jump_pct)
        outcome = verdict.outcome
        if isinstance(outcome, Needs):
            raise DomainError(f"the replay gives every input, yet the decision asks for {outcome.value}")
        no_estimate = isinstance(outcome, Refusal) and outcome.reason is NoTradeReason.VOL_INSUFFICIENT
        if sigma is None or no_estimate:
            result.skipped_no_sigma += 1  # the model input's minimum data: refused, nothing to price
            continue
        decision = verdict.decision
        strike = None if decision is None else decision.strike
        for k in strikes if cfg.price_ladder else [strike] if strike else []:
            p = price_no(sample, k, sigma, law, cfg)
            result.ladder.append(
                LadderRow(
                    decision_time=sample.decision_time,
                    spot=sample.spot,
                    strike=k,
                    minutes_left=minutes,
                    sigma_pct=sigma,
                    p_no=p,
                    settle=sample.settle,
                    outcome_no=int(sample.settle <= float(k)),
                    decision_strike=k == strike,
                )
            )
        trade = outcome if isinstance(outcome, HourlyTrade) else None
        pnl = trade_pnl(trade, sample.settle)
        bankroll = max(Decimal(0), bankroll + pnl)
        result.hours.append(HourResult(sample, sigma, outcome, decision, pnl, bankroll))
    return result


def trade_pnl(trade: HourlyTrade | None, settle: float) -> Decimal:
    """Dollar P&L of the NO order, bought at the ask and held to settlement, fees paid (None: no trade)."""
    if trade is None:
        return Decimal(0)
    cost = (trade.no_ask + trade.fee_per_contract) * trade.contracts
    payout = Decimal(trade.contracts) if settle <= float(trade.strike) else Decimal(0)
    return payout - cost
