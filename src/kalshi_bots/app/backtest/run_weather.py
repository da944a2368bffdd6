"""The weather backtest as one pure call: several stated (mean, sigma) scenarios, scored and traded alike
(every trade decided by the live rule, :func:`kalshi_bots.domain.weather_decision.decide_weather`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.app.backtest.metrics import Scores, score
from kalshi_bots.app.backtest.weather import (
    BANKROLL,
    BracketRow,
    WeatherEvent,
    market_mean,
    persistence_mean,
    persistence_sd,
    score_event,
)
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.weather_model import WeatherParams

MEAN_SOURCES = ("market", "persistence")


@dataclass(frozen=True, slots=True)
class Scenario:
    dataset: str
    mean_source: str
    sigma_source: str


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: Scenario
    rows: tuple[BracketRow, ...]
    events: int
    skipped_events: int
    scores: Scores | None
    market_scores: Scores | None  # the market's own probabilities on the same brackets
    refusals: tuple[tuple[str, int], ...] = ()  # the live rule's no-trade reasons, with their counts

    @property
    def label(self) -> str:
        s = self.scenario
        return f"{s.dataset}: mean={s.mean_source}, sigma={s.sigma_source}"

    @property
    def trades(self) -> list[BracketRow]:
        return [r for r in self.rows if r.side]

    @property
    def pnl(self) -> Decimal:
        """P&L of one contract per trade."""
        return sum((r.pnl for r in self.rows), Decimal(0))

    @property
    def pnl_sized(self) -> Decimal:
        """P&L of the trades as the live rule sized them."""
        return sum((r.pnl_sized for r in self.rows), Decimal(0))


def _mean(event: WeatherEvent, source: str, cli: Mapping[date, int]) -> float | None:
    if source == "market":
        return market_mean(event)
    if source == "persistence":
        return persistence_mean(cli, event.day + _offset_days(event))
    raise ValueError(f"unknown mean source {source!r}; choose one of {', '.join(MEAN_SOURCES)}")


def _offset_days(event: WeatherEvent) -> timedelta:
    # Persistence uses the last complete climate day before the decision's own day: a decision on
    # day - 1 sees day - 2's high at the latest, so the persistence lead matches the decision.
    return timedelta(days=(event.decision_time.date() - event.day).days)


def run_scenario(
    scenario: Scenario,
    events: Sequence[WeatherEvent],
    cli: Mapping[date, int],
    sigmas: Mapping[str, float],
    *,
    params: WeatherParams | None = None,
    bankroll: Decimal = BANKROLL,
) -> ScenarioResult:
    """``params``: the live weather rules (default: the bot's defaults); the scenario's sigma replaces
    ``sigma_day_ahead_f`` and its mean is the forecast."""
    rules = params or WeatherParams()
    rows: list[BracketRow] = []
    refusals: Counter[str] = Counter()
    skipped = 0
    for event in events:
        mean = _mean(event, scenario.mean_source, cli)
        if scenario.sigma_source == "persistence":
            sigma = persistence_sd(cli, event.day, lag=1 - _offset_days(event).days)
        else:
            sigma = sigmas.get(scenario.sigma_source)
        if mean is None or sigma is None or sigma <= 0:
            skipped += 1
            continue
        scored = score_event(event, mean, sigma, rules, bankroll=bankroll)
        rows += scored.rows
        if isinstance(scored.verdict, Refusal):
            refusals[scored.verdict.reason.value] += 1
    scores = score([r.p_yes for r in rows], [r.outcome_yes for r in rows]) if rows else None
    with_market = [r for r in rows if r.market_p is not None]
    market = (
        score(
            [min(max(r.market_p or 0.0, 0.0), 1.0) for r in with_market], [r.outcome_yes for r in with_market]
        )
        if with_market
        else None
    )
    return ScenarioResult(
        scenario, tuple(rows), len(events) - skipped, skipped, scores, market, tuple(sorted(refusals.items()))
    )


def scenario_dict(r: ScenarioResult) -> dict[str, Any]:
    trades = r.trades
    return {
        "dataset": r.scenario.dataset,
        "mean_source": r.scenario.mean_source,
        "sigma_source": r.scenario.sigma_source,
        "events": r.events,
        "skipped_events": r.skipped_events,
        "brackets": len(r.rows),
        "model": None if r.scores is None else r.scores.as_dict(),
        "market_price_as_probability": None if r.market_scores is None else r.market_scores.as_dict(),
        "trades": len(trades),
        "wins": sum(1 for t in trades if t.pnl > 0),
        "contracts": sum(t.contracts for t in trades),
        "pnl_dollars_1_contract_each": str(r.pnl),
        "pnl_dollars_sized": str(r.pnl_sized),
        "no_trade_reasons": dict(r.refusals),
    }
