"""``weather`` (18:00 and 20:00 America/New_York): trade daily-high brackets where the model has an edge.

For each configured city (default: every city of :mod:`kalshi_bots.domain.cities`):

1. list the series' open events and keep **today's** and **tomorrow's** climate day (LST, from the
   event ticker, never from ``close_time``);
2. per event: refuse it unless its active markets' brackets tile the line exactly once, every market's
   ``rules_primary`` names the city's settlement station, and the market's shard is trading;
3. price it with :mod:`.weather_model` (today: observed max so far + what the rest of the day can add;
   tomorrow: NWS forecast high, sigma 2.6 °F) -> P(YES) per bracket (strike semantics from
   ``strike_type``/``floor_strike``/``cap_strike``, domain.pricing);
4. per bracket, the better of buying YES at the YES ask or NO at the NO ask, edge = P - (ask + fee per
   contract); per event, the best bracket;
5. across all events, best edge first, above ``weather.min_edge``: size with Kelly and place through the
   shared order path (budget ``weather``, pending record before the IOC, never re-sent) until the
   budget refuses. One open position per event at a time.

Idempotency: the client_order_id is per (bot, market, **trading slot**) (:func:`slot_client_order_id`),
never per triggering minute, and every order claims its event (``OrderPlan.exclusive_group``, see
:mod:`.claims`) between writing its record and the POST, so any number of overlapping runs (18:00 and
18:01, a retry, a late run) place at most one order per market and hold one position per event.

Stale forecasts (``StaleDataError``) and missing data refuse the event or city, never a default.

In ``live`` mode orders also need the edge gate's consent (:mod:`.edge`, ``no_edge_evidence``). Every
priced event is recorded as a decision snapshot (brackets, quotes, the model's P(NO), the forecast),
after the orders, for the scorecard and the gate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from kalshi_bots.app import risk
from kalshi_bots.app.deps import Deps
from kalshi_bots.app.edge import edge_refusal
from kalshi_bots.app.logs import json_safe, log_event
from kalshi_bots.app.placement import BUDGET_EXCEEDED, OrderPlan, PlacementStatus, place_order
from kalshi_bots.app.recorder import decision_snapshot_stored
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName, rule_for
from kalshi_bots.app.weather_model import HighModel, station_problem, today_model, tomorrow_model
from kalshi_bots.domain.cities import CITIES, WeatherCity, city_for_series
from kalshi_bots.domain.decision import NoTradeReason
from kalshi_bots.domain.errors import DomainError, UnknownFeeTypeError
from kalshi_bots.domain.fees import effective_fee_schedule, fee_per_contract
from kalshi_bots.domain.market_snapshot import MarketSnapshot, Trigger, ladder
from kalshi_bots.domain.models import (
    BookSide,
    Event,
    ExchangeStatus,
    FeeSchedule,
    Market,
    OrderIntent,
    TimeInForce,
    TradeRecord,
    TradeStatus,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.orders import buy_no_intent, client_order_id, trading_slot
from kalshi_bots.domain.sanity import tick_refusal
from kalshi_bots.domain.sizing import size_order
from kalshi_bots.domain.weather import brackets_partition, event_probabilities, weather_event_date
from kalshi_bots.ports.errors import ExternalServiceError, StaleDataError

logger = logging.getLogger(__name__)

JOB = "weather"
BOT = "weather"
ACTIVE = "active"
_STOP_REASONS = frozenset({BUDGET_EXCEEDED, risk.KILL_SWITCH, risk.LOSS_LIMIT, risk.STORE_UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class Candidate:
    city: WeatherCity
    event: Event
    market: Market
    side: Side
    price: Decimal  # ask of the outcome bought
    p_model: float  # probability that outcome wins
    fee_per_contract: Decimal  # for one contract (the worst case); recomputed for the order's size
    edge: float
    fees: FeeSchedule


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
    candidates: list[Candidate] = []
    priced: list[MarketSnapshot] = []
    for city in _cities(deps):
        candidates.extend(_city_candidates(deps, city, _Pricing(now, scheduled_for, notes, priced), status))
    held = {t.contract_ticker.rsplit("-", 1)[0] for t in deps.store.open_trades() if t.bot == BOT}
    result = _trade(deps, scheduled_for, now, candidates, held, notes)
    _record_priced(deps, priced, result)
    return result


@dataclass(frozen=True, slots=True)
class _Pricing:
    """The run's time and what pricing collects: refusal notes and one snapshot per priced event."""

    now: datetime
    scheduled_for: datetime
    notes: list[dict[str, Any]]
    priced: list[MarketSnapshot]


def _record_priced(deps: Deps, priced: list[MarketSnapshot], result: JobResult) -> None:
    """Each priced event's snapshot, as the scorecard and the edge gate need (after the orders, so
    it never delays one; a store failure is logged, never raised)."""
    sent = {
        str(p["ticker"]).rsplit("-", 1)[0]
        for p in result.data.get("placed", [])
        if p.get("placement") != PlacementStatus.REFUSED.value
    }
    notes = result.data.get("refusals", [])
    for snapshot in priced:
        if snapshot.event_ticker in sent:
            decision, reason = "trade", ""
        else:
            own = [n for n in notes if str(n.get("where", "")).startswith(snapshot.event_ticker)]
            decision, reason = "no-trade", str(own[-1]["reason"]) if own else result.reason
        build = partial(replace, snapshot, decision=decision, reason=reason)
        decision_snapshot_stored(deps, build, snapshot.event_ticker)


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


def _city_candidates(deps: Deps, city: WeatherCity, run: _Pricing, status: ExchangeStatus) -> list[Candidate]:
    now, notes = run.now, run.notes
    today = city.climate_date_of(now)
    wanted = {today, today + timedelta(days=1)}
    try:
        events = deps.exchange.list_events(city.series, "open")
        fees = deps.exchange.series_fees(city.series)
    except ExternalServiceError as exc:
        _note(notes, city.series, "market_data_unavailable", str(exc))
        return []
    found: list[Candidate] = []
    for event in events:
        try:
            day = weather_event_date(event.event_ticker)
        except DomainError as exc:
            _note(notes, event.event_ticker, NoTradeReason.INVALID_INPUT, str(exc))
            continue
        if day not in wanted:
            continue
        event_fees = effective_fee_schedule(fees, event)
        best = _event_candidate(deps, city, event, day, today, run, status, event_fees)
        if best is not None:
            found.append(best)
    return found


def _event_candidate(  # noqa: PLR0917 (internal step of one loop)
    deps: Deps,
    city: WeatherCity,
    event: Event,
    day: date,
    today: date,
    run: _Pricing,
    status: ExchangeStatus,
    fees: FeeSchedule,
) -> Candidate | None:
    now, notes = run.now, run.notes
    where = event.event_ticker
    markets = [m for m in event.markets if m.status == ACTIVE]
    if not markets or not brackets_partition(markets):
        _note(notes, where, NoTradeReason.EVENT_MISSING, "active brackets missing or not a partition")
        return None
    for market in markets:
        problem = station_problem(market.rules_primary, city)
        if problem:
            _note(notes, where, "station_mismatch", f"{market.ticker}: {problem}")
            return None
    index = event.exchange_index if event.exchange_index is not None else markets[0].exchange_index
    if not status.shard_trading(index):
        _note(notes, where, NoTradeReason.SHARD_CLOSED, f"shard {index}")
        return None
    try:
        model = _model(deps, city, day, today, now)
    except StaleDataError as exc:
        _note(notes, where, "forecast_stale", str(exc))
        return None
    except ExternalServiceError as exc:
        _note(notes, where, "weather_data_unavailable", str(exc))
        return None
    probs = event_probabilities(markets, model.mean_f, model.sigma_f, observed_max_f=model.observed_max_f)
    try:
        options = [c for m in markets for c in _sides(city, event, m, probs[m.ticker], fees)]
    except UnknownFeeTypeError as exc:
        _note(notes, where, NoTradeReason.FEE_TYPE_UNKNOWN, str(exc))
        return None
    try:  # recording must never cost a trade: a snapshot that cannot be built is skipped, logged
        run.priced.append(_priced_snapshot(deps, event, markets, probs, model, options, run))
    except DomainError as exc:
        log_event(logger, "recorder.decision_not_stored", f"{where}: {exc}", logging.WARNING, ticker=where)
    if not options:
        _note(notes, where, NoTradeReason.NO_QUOTE)
        return None
    best = max(options, key=lambda c: c.edge)
    log_event(
        logger,
        "weather.priced",
        f"{where} best {best.market.ticker} {best.side.value} edge {best.edge:.3f}",
        ticker=best.market.ticker,
        side=best.side,
        edge=best.edge,
        p_model=best.p_model,
        price=best.price,
        mean_f=model.mean_f,
        sigma_f=model.sigma_f,
        observed_max_f=model.observed_max_f,
    )
    return best


def _priced_snapshot(  # noqa: PLR0917 (internal step of one loop)
    deps: Deps,
    event: Event,
    markets: list[Market],
    probs: dict[str, float],
    model: HighModel,
    options: list[Candidate],
    run: _Pricing,
) -> MarketSnapshot:
    """What this run priced: every bracket with the model's P(NO); the quoted ones were looked at."""
    return MarketSnapshot(
        scheduled_for=run.scheduled_for,
        at=run.now,
        trigger=Trigger.DECISION,
        bot=BOT,
        mode=deps.params.mode.value,
        series_ticker=event.series_ticker,
        event_ticker=event.event_ticker,
        close_time=max(m.close_time for m in markets),
        strikes=ladder(markets, {t: 1.0 - p for t, p in probs.items()}, {c.market.ticker for c in options}),
        model="weather",
        forecast_mean_f=model.mean_f,
        forecast_sigma_f=model.sigma_f,
        observed_max_f=model.observed_max_f,
    )


def _model(deps: Deps, city: WeatherCity, day: date, today: date, now: datetime) -> HighModel:
    params = deps.params.weather
    forecast = deps.weather.forecast_high(city.latitude, city.longitude, day)
    if day != today:
        return tomorrow_model(float(forecast.high_f), params)
    observed = deps.weather.observed_max(city.station_icao, city.cli_location, day)
    if observed.climate_date != day:
        raise StaleDataError("nws", f"observed max is for {observed.climate_date}, wanted {day}")
    return today_model(
        float(forecast.high_f), float(observed.max_f), final=observed.final, now=now, city=city, params=params
    )


def _sides(
    city: WeatherCity, event: Event, market: Market, p_yes: float, fees: FeeSchedule
) -> list[Candidate]:
    out: list[Candidate] = []
    for side, ask, p in ((Side.YES, market.yes_ask, p_yes), (Side.NO, market.no_ask, 1.0 - p_yes)):
        if ask is None or not ask.is_finite() or not (0 < ask < 1):
            continue  # no quote on that side (an empty book shows bid 0 / ask 1)
        fee = fee_per_contract(1, ask, fees)
        out.append(Candidate(city, event, market, side, ask, p, fee, p - float(ask + fee), fees))
    return out


def _trade(  # noqa: PLR0917
    deps: Deps,
    scheduled_for: datetime,
    now: datetime,
    candidates: list[Candidate],
    held: set[str],
    notes: list[dict[str, Any]],
) -> JobResult:
    params = deps.params.weather
    placed: list[dict[str, Any]] = []
    good = sorted((c for c in candidates if c.edge >= params.min_edge), key=lambda c: c.edge, reverse=True)
    for c in candidates:
        if c.edge < params.min_edge:
            _note(notes, c.event.event_ticker, NoTradeReason.EDGE_TOO_SMALL, f"best edge {c.edge:.4f}")
    gate = edge_refusal(deps, BOT, now) if good else None  # live mode: only with evidence of an edge
    if gate is not None:
        _note(notes, BOT, gate.reason, gate.detail)
        good = []
    bankroll = deps.exchange.balance() if good else Decimal(0)
    for c in good:
        if c.event.event_ticker in held:
            _note(notes, c.event.event_ticker, NoTradeReason.ALREADY_TRADED, "open position in this event")
            continue
        # Before anything is written: an ask off the market's grid cannot be sent as a limit price.
        off_tick = tick_refusal(c.market, c.price)
        if off_tick is not None:
            _note(notes, c.market.ticker, off_tick.reason, off_tick.detail)
            continue
        sizing = size_order(
            bankroll,
            c.p_model,
            c.price,
            c.fee_per_contract,
            params.kelly_multiplier,
            params.max_fraction,
            params.max_contracts,
        )
        if sizing.contracts == 0:
            _note(notes, c.market.ticker, NoTradeReason.SIZE_ZERO)
            continue
        fee = fee_per_contract(sizing.contracts, c.price, c.fees)
        placement = place_order(
            deps, _plan(deps, scheduled_for, now, c, sizing.contracts, fee, sizing.applied_fraction)
        )
        placed.append(
            {
                "ticker": c.market.ticker,
                "side": c.side.value,
                "contracts": sizing.contracts,
                "edge": c.edge,
                "placement": placement.status.value,
                "reason": placement.reason,
            }
        )
        if placement.status is PlacementStatus.REFUSED and placement.reason in _STOP_REASONS:
            break  # budget spent, halted or the store failing: the next candidate would fare no better
        if placement.status is not PlacementStatus.REFUSED:
            held.add(c.event.event_ticker)
    data = json_safe({"placed": placed, "refusals": notes, "candidates": len(candidates)})
    sent = [p for p in placed if p["placement"] != PlacementStatus.REFUSED.value]
    if sent:
        return JobResult(JOB, scheduled_for, Outcome.OK, data=data)
    reason = placed[-1]["reason"] if placed else (notes[-1]["reason"] if notes else "no_events")
    return JobResult(JOB, scheduled_for, Outcome.NO_TRADE, str(reason), data=data)


def _plan(  # noqa: PLR0917
    deps: Deps,
    scheduled_for: datetime,
    now: datetime,
    c: Candidate,
    contracts: int,
    fee: Decimal,
    kelly: float,
) -> OrderPlan:
    coid = slot_client_order_id(c.market.ticker, scheduled_for)
    index = c.market.exchange_index
    intent = (
        OrderIntent(
            c.market.ticker, BookSide.BID, c.price, contracts, coid, TimeInForce.IMMEDIATE_OR_CANCEL, index
        )
        if c.side is Side.YES
        else buy_no_intent(c.market.ticker, c.price, contracts, coid, index)
    )
    strike = c.market.floor_strike if c.market.floor_strike is not None else c.market.cap_strike
    record = TradeRecord(
        created_at=now,
        client_order_id=coid,
        bot=BOT,
        mode=deps.params.mode,
        contract_ticker=c.market.ticker,
        side=c.side,
        quantity=contracts,
        price_cents=c.price * 100,
        btc_price=None,
        strike_price=strike,
        model_prob=c.p_model,
        market_prob=float(c.price),
        edge=c.p_model - float(c.price + fee),
        kelly_fraction=kelly,
        status=TradeStatus.PENDING,
        scheduled_for=scheduled_for,
    )
    return OrderPlan(
        BOT, risk.trading_day(now), intent, record, c.price + fee, exclusive_group=c.event.event_ticker
    )


def slot_client_order_id(ticker: str, scheduled_for: datetime) -> str:
    """One id per (bot, market, trading slot): a run at 18:00, one at 18:01, a retry and a late run
    all decide for the 18:00 slot and share the id; the 20:00 slot is another decision."""
    rule = rule_for(JobName.WEATHER)
    slot = trading_slot(scheduled_for, rule.hours or range(24), ZoneInfo(rule.timezone))
    return client_order_id(BOT, ticker, slot)
