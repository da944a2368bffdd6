"""Replay 1-minute prices hour by hour through the live decision code (KXBTCD / KXETHD shape).

Per complete clock hour H (bars present at H:44 and H:59 and enough history for the model):

- decision at H:45:00 UTC: spot = close of the H:44 bar (the price at 45:00), 15 minutes left;
- settlement at (H+1):00: Kalshi averages 60 one-second BRTI prints before the hour. With 1-minute
  bars the proxy is the H:59 bar's typical price (O + H + L + C) / 4
  (:meth:`~kalshi_bots.app.backtest.bars.MinuteBars.settlement_proxy`); NO wins iff it is not strictly
  above the strike;
- the decision strike and the trade come from :func:`kalshi_bots.domain.decision.decide_hourly`; every
  ladder strike is priced with the live :func:`kalshi_bots.domain.pricing.prob_no_law` under the
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
)
from kalshi_bots.domain.decision import HourlyDecision, decide_hourly
from kalshi_bots.domain.hourly_model import HourlyModel
from kalshi_bots.domain.markets import select_strike
from kalshi_bots.domain.models import Asset, FeeSchedule, FeeType, PriceTick
from kalshi_bots.domain.pricing import prob_no_law

HOUR_S = 3600
HISTORY_MINUTES = 121  # the 120-minute window plus its anchor


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    decision_minute: int = 45
    ladder_width_pct: float = 1.0
    strike_distance_bps: int = 20
    min_edge: float = 0.03
    kelly_multiplier: float = 0.25
    max_fraction: float = 0.25
    max_contracts: int = 5
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
    spot: Decimal
    settle: float
    features: Features
    decision_strike: Decimal | None  # what the live strike rule picks (model-independent)

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
    decision: HourlyDecision | None
    pnl: Decimal
    bankroll_after: Decimal


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
    threshold_bps = cfg.strike_distance_bps
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
                spot=spot,
                settle=bars.settlement_proxy(k),
                features=compute_features(window, decision_time, needs, live),
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
    """Run every hour through ``decide_hourly``; price the whole ladder; track bankroll and P&L."""
    cfg = config or ReplayConfig()
    chosen = dict(model.grid[0] if params is None else params)
    result = ReplayResult(model=model.name, params=chosen)
    bankroll = cfg.bankroll
    law = model.law(chosen)
    settlement = settlement_of(law, cfg)
    for sample in samples:
        sigma = model.sigma(sample.features, chosen)
        if sigma is None or sigma <= 0:
            result.skipped_no_sigma += 1
            continue
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
        decision = decide_hourly(
            spot=sample.spot,
            vol_15m_std_pct=sigma,
            now=sample.decision_time,
            event=event,
            fee_schedule=cfg.fee_schedule,
            bankroll=bankroll,
            min_edge=cfg.min_edge,
            strike_distance_bps=cfg.strike_distance_bps,
            kelly_multiplier=cfg.kelly_multiplier,
            max_fraction=cfg.max_fraction,
            max_contracts=cfg.max_contracts,
            settlement_average_s=settlement,
            tail_nu=law.tail_nu,
        )
        for strike in strikes if cfg.price_ladder else [decision.strike] if decision.strike else []:
            p = price_no(sample, strike, sigma, law, cfg)
            result.ladder.append(
                LadderRow(
                    decision_time=sample.decision_time,
                    spot=sample.spot,
                    strike=strike,
                    minutes_left=minutes,
                    sigma_pct=sigma,
                    p_no=p,
                    settle=sample.settle,
                    outcome_no=int(sample.settle <= float(strike)),
                    decision_strike=strike == decision.strike,
                )
            )
        pnl = trade_pnl(decision, sample.settle)
        bankroll = max(Decimal(0), bankroll + pnl)
        result.hours.append(HourResult(sample, sigma, decision, pnl, bankroll))
    return result


def trade_pnl(decision: HourlyDecision, settle: float) -> Decimal:
    """Dollar P&L of the decision's NO order, bought at the ask and held to settlement, fees paid."""
    if not decision.trade or decision.strike is None or decision.no_ask is None:
        return Decimal(0)
    fee = (decision.fee_per_contract or Decimal(0)) * decision.contracts
    cost = decision.no_ask * decision.contracts + fee
    payout = Decimal(decision.contracts) if settle <= float(decision.strike) else Decimal(0)
    return payout - cost
