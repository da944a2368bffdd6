"""``weather`` (18:00 and 20:00 America/New_York): trade daily-high brackets where the model has an edge.

The decision is :mod:`kalshi_bots.domain.weather_decision`, the same pure rule the weather backtest
replays; this job only does the I/O around it. For each configured city (default: every city of
:mod:`kalshi_bots.domain.cities`):

1. list the series' open events and its fees; keep **today's** and **tomorrow's** climate day (LST, from
   the event ticker, never from ``close_time``);
2. per event: :func:`event_refusal` (brackets tile the line, rules name the city's station, shard
   trading) before any forecast is fetched; then the NWS forecast high (and, for today, the observed max)
   and :func:`price_event`: the event's best side and its edge;
3. across all events, best edge first, edge >= ``weather.min_edge`` (one balance read, and only if any
   event clears it): one open position per event, then :func:`size_pick` (tick grid, Kelly) and the
   shared order path (budget ``weather``, pending record before the IOC, never re-sent) until the budget
   refuses.

Idempotency: the client_order_id is per (bot, market, **trading slot**) (:func:`slot_client_order_id`),
never per triggering minute, and every order claims its event (``OrderPlan.exclusive_group``, see
:mod:`.claims`) between writing its record and the POST, so any number of overlapping runs (18:00 and
18:01, a retry, a late run) place at most one order per market and hold one position per event.

Stale forecasts (``StaleDataError``) and missing data refuse the event or city, never a default. What the
run did not trade, and why, are :class:`Note` values; what it asked the order path for, :class:`Order`
values (the result's ``data`` holds their JSON). A store failure raises to the runner (no more orders).

In ``live`` mode orders also need the edge gate's consent (:mod:`.edge`, ``no_edge_evidence``), asked once
per run right before the first order; paper and demo are never gated. Every event the decision priced
(:func:`price_event` found a quoted side) is recorded as a decision snapshot (brackets, quotes, the
model's P(NO), the forecast; :func:`~kalshi_bots.domain.market_snapshot.weather_snapshot`), after the
orders, for the scorecard and the gate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.edge import edge_gate_refusal
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.order_plan import OrderPlan, plan_order
from kalshi_bots.app.placement import Placement, PlacementStatus, place_order
from kalshi_bots.app.recorder import decision_snapshot_stored
from kalshi_bots.app.results import JobReport, Outcome
from kalshi_bots.app.schedule import JobName, rule_for
from kalshi_bots.domain.cities import CITIES, WeatherCity, city_for_series
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.market_snapshot import TradeDecision, weather_snapshot
from kalshi_bots.domain.models import (
    Bot,
    Event,
    ExchangeStatus,
    FeeSchedule,
)
from kalshi_bots.domain.orders import client_order_id, trading_slot
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.weather_decision import (
    Horizon,
    Observation,
    WeatherInputs,
    WeatherPick,
    WeatherTrade,
    edge_refusal,
    event_day,
    event_refusal,
    horizon,
    price_event,
    size_pick,
)
from kalshi_bots.ports.errors import ExternalServiceError, StaleDataError

logger = logging.getLogger(__name__)

BOT = Bot.WEATHER
# A refused order after which the next candidate would fare no better: stop placing.
_STOP_REASONS = frozenset(
    {NoTradeReason.BUDGET_EXCEEDED, NoTradeReason.KILL_SWITCH, NoTradeReason.LOSS_LIMIT}
)


@dataclass(frozen=True, slots=True)
class Note:
    """Something the run did not trade (a city, an event, a market, the bot), and why."""

    where: str
    refusal: Refusal

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.refusal.reason.value, "detail": self.refusal.detail}


@dataclass(frozen=True, slots=True)
class Order:
    """One order the run asked the order path for, and what became of it."""

    trade: WeatherTrade
    placement: Placement

    @property
    def event_ticker(self) -> str:
        return self.trade.pick.event.event_ticker

    def to_json(self) -> dict[str, Any]:
        pick, reason = self.trade.pick, self.placement.reason
        return {
            "ticker": pick.market.ticker,
            "side": pick.side.value,
            "contracts": self.trade.contracts,
            "edge": pick.edge,
            "placement": self.placement.status.value,
            "reason": "" if reason is None else reason.value,
        }


@dataclass(slots=True)
class _Run:
    """What one run noted and ordered, in order."""

    notes: list[Note] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)

    def note(self, where: str, refusal: Refusal) -> None:
        self.notes.append(Note(where, refusal))
        log_event(
            logger,
            "weather.refused",
            f"{where}: {refusal.reason.value} {refusal.detail}",
            decision=TradeDecision.NO_TRADE,
            ticker=where,
            reason=refusal.reason,
            detail=refusal.detail,
        )

    def sent(self) -> list[Order]:
        return [o for o in self.orders if o.placement.status is not PlacementStatus.REFUSED]

    def report(self, candidates: int) -> JobReport:
        data = json_safe(
            {
                "placed": [o.to_json() for o in self.orders],
                "refusals": [n.to_json() for n in self.notes],
                "candidates": candidates,
            }
        )
        if self.sent():
            return JobReport(Outcome.OK, data=data)
        return JobReport(Outcome.NO_TRADE, self._last_refusal(), data=data)

    def _last_refusal(self) -> NoTradeReason:
        """Why nothing was sent: the last order the path refused, else the last note, else no events."""
        refused = [o.placement.refusal for o in self.orders if o.placement.refusal is not None]
        if refused:
            return refused[-1].reason
        return self.notes[-1].refusal.reason if self.notes else NoTradeReason.NO_EVENTS

    def verdict(self, event_ticker: str, report: JobReport) -> tuple[TradeDecision, str]:
        """What the run decided for one event (its decision snapshot): traded, or the event's own
        last refusal (the run's reason when the event has none of its own)."""
        if any(o.event_ticker == event_ticker for o in self.sent()):
            return TradeDecision.TRADE, ""
        own = [n for n in self.notes if n.where.startswith(event_ticker)]
        return TradeDecision.NO_TRADE, own[-1].refusal.reason.value if own else report.reason_text


def weather(deps: Deps, scheduled_for: datetime) -> JobReport:
    now = deps.clock.now()
    gate = risk.gate_refusal(deps.store, risk.trading_day(now), deps.params.budget)  # StoreError: raises
    if gate is not None:
        reason = gate.reason
        log_event(
            logger,
            "weather.refused",
            f"no trade: {reason.value}",
            decision=TradeDecision.NO_TRADE,
            reason=reason,
        )
        return JobReport(Outcome.NO_TRADE, reason)
    run = _Run()
    status = deps.exchange.exchange_status()
    picks: list[WeatherPick] = []
    for city in _cities(deps):
        picks.extend(_city_picks(deps, city, now, status, run))
    held = {t.contract_ticker.rsplit("-", 1)[0] for t in deps.store.open_trades() if t.bot is BOT}
    _trade(deps, scheduled_for, now, picks, held, run)
    report = run.report(len(picks))
    _record_priced(deps, scheduled_for, now, picks, run, report)
    return report


def _record_priced(  # noqa: PLR0917 (internal step of one run)
    deps: Deps, scheduled_for: datetime, now: datetime, picks: list[WeatherPick], run: _Run, report: JobReport
) -> None:
    """Each priced event's decision snapshot, as the scorecard and the edge gate need: after the
    orders, so it never delays one; built and stored inside the recorder's guard, so a snapshot that
    cannot be built or stored is logged and never changes the run's result."""
    for pick in picks:
        event_ticker = pick.event.event_ticker
        decision, reason = run.verdict(event_ticker, report)
        build = partial(
            weather_snapshot,
            pick,
            scheduled_for=scheduled_for,
            at=now,
            bot=BOT,
            mode=deps.params.mode.value,
            decision=decision,
            reason=reason,
        )
        decision_snapshot_stored(deps, build, event_ticker)


def _cities(deps: Deps) -> list[WeatherCity]:
    configured = deps.params.weather.cities
    return [city_for_series(s) for s in configured] if configured else list(CITIES)


def _city_picks(
    deps: Deps, city: WeatherCity, now: datetime, status: ExchangeStatus, run: _Run
) -> list[WeatherPick]:
    try:
        events = deps.exchange.list_events(city.series, "open")
        fees = deps.exchange.series_fees(city.series)
    except ExternalServiceError as exc:
        run.note(city.series, Refusal(NoTradeReason.MARKET_DATA_UNAVAILABLE, str(exc)))
        return []
    found: list[WeatherPick] = []
    for event in events:
        pick = _event_pick(deps, city, event, fees, now, status)
        if isinstance(pick, Refusal):
            run.note(event.event_ticker, pick)
        elif pick is not None:
            found.append(pick)
    return found


def _event_pick(  # noqa: PLR0917 (internal step of one loop)
    deps: Deps,
    city: WeatherCity,
    event: Event,
    fees: FeeSchedule,
    now: datetime,
    status: ExchangeStatus,
) -> WeatherPick | Refusal | None:
    """The event's best side, why it has none, or None for an event of another day (not traded)."""
    day = event_day(event)
    if isinstance(day, Refusal):
        return day
    when = horizon(day, city, now)
    if when is None:
        return None
    # What is wrong with the event itself is known before a forecast is fetched for it.
    refusal = event_refusal(event, city, status)
    if refusal is not None:
        return refusal
    inputs = _model_inputs(deps, city, day, when)
    if isinstance(inputs, Refusal):
        return inputs
    params = deps.params.weather
    pick = price_event(
        event, series_fees=fees, status=status, city=city, inputs=inputs, now=now, params=params
    )
    if not isinstance(pick, Refusal):
        model = pick.model
        log_event(
            logger,
            "weather.priced",
            f"{event.event_ticker} best {pick.market.ticker} {pick.side.value} edge {pick.edge:.3f}",
            ticker=pick.market.ticker,
            side=pick.side,
            edge=pick.edge,
            p_model=pick.p_model,
            price=pick.price,
            mean_f=model.mean_f,
            sigma_f=model.sigma_f,
            observed_max_f=model.observed_max_f,
        )
    return pick


def _model_inputs(deps: Deps, city: WeatherCity, day: date, when: Horizon) -> WeatherInputs | Refusal:
    """The NWS forecast high for ``day`` and, for today's event, the climate report's max so far."""
    try:
        forecast = deps.weather.forecast_high(city.latitude, city.longitude, day)
        if when is Horizon.TOMORROW:
            return WeatherInputs(float(forecast.high_f))
        observed = deps.weather.observed_max(city.station_icao, city.cli_location, day)
    except StaleDataError as exc:
        return Refusal(NoTradeReason.FORECAST_STALE, str(exc))
    except ExternalServiceError as exc:
        return Refusal(NoTradeReason.WEATHER_DATA_UNAVAILABLE, str(exc))
    observation = Observation(observed.climate_date, float(observed.max_f), observed.final)
    return WeatherInputs(float(forecast.high_f), observation)


def _trade(  # noqa: PLR0917
    deps: Deps,
    scheduled_for: datetime,
    now: datetime,
    picks: list[WeatherPick],
    held: set[str],
    run: _Run,
) -> None:
    params = deps.params.weather
    good: list[WeatherPick] = []
    for pick in picks:
        low = edge_refusal(pick, params.min_edge)
        if low is None:
            good.append(pick)
        else:
            run.note(pick.event.event_ticker, low)
    good.sort(key=lambda p: p.edge, reverse=True)
    gate = edge_gate_refusal(deps, BOT, now) if good else None  # live mode: only with evidence of an edge
    if gate is not None:
        run.note(BOT, gate)
        good = []
    bankroll = deps.exchange.balance() if good else Decimal(0)
    for pick in good:
        if pick.event.event_ticker in held:
            run.note(
                pick.event.event_ticker, Refusal(NoTradeReason.ALREADY_TRADED, "open position in this event")
            )
            continue
        trade = size_pick(pick, bankroll, params)  # before anything is written: tick grid, Kelly
        if isinstance(trade, Refusal):
            run.note(pick.market.ticker, trade)
            continue
        placement = place_order(deps, _plan(deps, scheduled_for, now, trade))
        run.orders.append(Order(trade, placement))
        refusal = placement.refusal
        if refusal is not None and refusal.reason in _STOP_REASONS:
            break  # budget spent or halted: the next candidate would fare no better
        if placement.status is not PlacementStatus.REFUSED:
            held.add(pick.event.event_ticker)


def _plan(deps: Deps, scheduled_for: datetime, now: datetime, trade: WeatherTrade) -> OrderPlan:
    pick = trade.pick
    market = pick.market
    return plan_order(
        bot=BOT,
        mode=deps.params.mode,
        now=now,
        scheduled_for=scheduled_for,
        client_order_id=slot_client_order_id(market.ticker, scheduled_for),
        market=market,
        side=pick.side,
        price=pick.price,
        contracts=trade.contracts,
        fee_per_contract=trade.fee_per_contract,
        model_prob=pick.p_model,
        edge=trade.edge,
        kelly_fraction=trade.kelly_applied,
        strike=market.floor_strike if market.floor_strike is not None else market.cap_strike,
        exclusive_group=pick.event.event_ticker,
    )


def slot_client_order_id(ticker: str, scheduled_for: datetime) -> str:
    """One id per (bot, market, trading slot): a run at 18:00, one at 18:01, a retry and a late run
    all decide for the 18:00 slot and share the id; the 20:00 slot is another decision."""
    rule = rule_for(JobName.WEATHER)
    slot = trading_slot(scheduled_for, rule.hours or range(24), ZoneInfo(rule.timezone))
    return client_order_id(BOT, ticker, slot)
