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

Stale forecasts (``StaleDataError``) and missing data refuse the event or city, never a default.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.placement import BUDGET_EXCEEDED, OrderPlan, PlacementStatus, place_order
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName, rule_for
from kalshi_bots.domain.cities import CITIES, WeatherCity, city_for_series
from kalshi_bots.domain.decision import NoTradeReason, Refusal
from kalshi_bots.domain.models import (
    BookSide,
    Event,
    ExchangeStatus,
    FeeSchedule,
    OrderIntent,
    TimeInForce,
    TradeRecord,
    TradeStatus,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.orders import buy_no_intent, client_order_id, trading_slot
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

JOB = "weather"
BOT = "weather"
_STOP_REASONS = frozenset({BUDGET_EXCEEDED, risk.KILL_SWITCH, risk.LOSS_LIMIT, risk.STORE_UNAVAILABLE})


def weather(deps: Deps, scheduled_for: datetime) -> JobResult:
    now = deps.clock.now()
    gate = risk.gate_refusal(deps.store, risk.trading_day(now), deps.params.budget)
    if gate is not None:
        log_event(logger, "weather.refused", f"no trade: {gate}", decision="no-trade", reason=gate)
        error = gate == risk.STORE_UNAVAILABLE
        return JobResult(
            JOB, scheduled_for, Outcome.ERROR if error else Outcome.NO_TRADE, gate, transient=error
        )
    notes: list[dict[str, Any]] = []
    status = deps.exchange.exchange_status()
    picks: list[WeatherPick] = []
    for city in _cities(deps):
        picks.extend(_city_picks(deps, city, now, status, notes))
    held = {t.contract_ticker.rsplit("-", 1)[0] for t in deps.store.open_trades() if t.bot == BOT}
    return _trade(deps, scheduled_for, now, picks, held, notes)


def _cities(deps: Deps) -> list[WeatherCity]:
    configured = deps.params.weather.cities
    return [city_for_series(s) for s in configured] if configured else list(CITIES)


def _note(notes: list[dict[str, Any]], where: str, reason: str, detail: str = "") -> None:
    notes.append({"where": where, "reason": reason, "detail": detail})
    log_event(
        logger,
        "weather.refused",
        f"{where}: {reason} {detail}",
        decision="no-trade",
        ticker=where,
        reason=reason,
        detail=detail,
    )


def _city_picks(
    deps: Deps, city: WeatherCity, now: datetime, status: ExchangeStatus, notes: list[dict[str, Any]]
) -> list[WeatherPick]:
    try:
        events = deps.exchange.list_events(city.series, "open")
        fees = deps.exchange.series_fees(city.series)
    except ExternalServiceError as exc:
        _note(notes, city.series, NoTradeReason.MARKET_DATA_UNAVAILABLE, str(exc))
        return []
    found: list[WeatherPick] = []
    for event in events:
        pick = _event_pick(deps, city, event, fees, now, status)
        if isinstance(pick, Refusal):
            _note(notes, event.event_ticker, pick.reason, pick.detail)
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
    notes: list[dict[str, Any]],
) -> JobResult:
    params = deps.params.weather
    placed: list[dict[str, Any]] = []
    good: list[WeatherPick] = []
    for pick in picks:
        low = edge_refusal(pick, params.min_edge)
        if low is None:
            good.append(pick)
        else:
            _note(notes, pick.event.event_ticker, low.reason, low.detail)
    good.sort(key=lambda p: p.edge, reverse=True)
    bankroll = deps.exchange.balance() if good else Decimal(0)
    for pick in good:
        if pick.event.event_ticker in held:
            _note(notes, pick.event.event_ticker, NoTradeReason.ALREADY_TRADED, "open position in this event")
            continue
        trade = size_pick(pick, bankroll, params)  # before anything is written: tick grid, Kelly
        if isinstance(trade, Refusal):
            _note(notes, pick.market.ticker, trade.reason, trade.detail)
            continue
        placement = place_order(deps, _plan(deps, scheduled_for, now, trade))
        placed.append(
            {
                "ticker": pick.market.ticker,
                "side": pick.side.value,
                "contracts": trade.contracts,
                "edge": pick.edge,
                "placement": placement.status.value,
                "reason": placement.reason,
            }
        )
        if placement.status is PlacementStatus.REFUSED and placement.reason in _STOP_REASONS:
            break  # budget spent, halted or the store failing: the next candidate would fare no better
        if placement.status is not PlacementStatus.REFUSED:
            held.add(pick.event.event_ticker)
    data = json_safe({"placed": placed, "refusals": notes, "candidates": len(picks)})
    sent = [p for p in placed if p["placement"] != PlacementStatus.REFUSED.value]
    if sent:
        return JobResult(JOB, scheduled_for, Outcome.OK, data=data)
    reason = placed[-1]["reason"] if placed else (notes[-1]["reason"] if notes else "no_events")
    return JobResult(JOB, scheduled_for, Outcome.NO_TRADE, str(reason), data=data)


def _plan(deps: Deps, scheduled_for: datetime, now: datetime, trade: WeatherTrade) -> OrderPlan:
    pick = trade.pick
    market, price, contracts = pick.market, pick.price, trade.contracts
    coid = slot_client_order_id(market.ticker, scheduled_for)
    index = market.exchange_index
    intent = (
        OrderIntent(
            market.ticker, BookSide.BID, price, contracts, coid, TimeInForce.IMMEDIATE_OR_CANCEL, index
        )
        if pick.side is Side.YES
        else buy_no_intent(market.ticker, price, contracts, coid, index)
    )
    strike = market.floor_strike if market.floor_strike is not None else market.cap_strike
    record = TradeRecord(
        created_at=now,
        client_order_id=coid,
        bot=BOT,
        mode=deps.params.mode,
        contract_ticker=market.ticker,
        side=pick.side,
        quantity=contracts,
        price_cents=price * 100,
        btc_price=None,
        strike_price=strike,
        model_prob=pick.p_model,
        market_prob=float(price),
        edge=trade.edge,
        kelly_fraction=trade.kelly_applied,
        status=TradeStatus.PENDING,
        scheduled_for=scheduled_for,
    )
    return OrderPlan(
        BOT,
        risk.trading_day(now),
        intent,
        record,
        price + trade.fee_per_contract,
        exclusive_group=pick.event.event_ticker,
    )


def slot_client_order_id(ticker: str, scheduled_for: datetime) -> str:
    """One id per (bot, market, trading slot): a run at 18:00, one at 18:01, a retry and a late run
    all decide for the 18:00 slot and share the id; the 20:00 slot is another decision."""
    rule = rule_for(JobName.WEATHER)
    slot = trading_slot(scheduled_for, rule.hours or range(24), ZoneInfo(rule.timezone))
    return client_order_id(BOT, ticker, slot)
