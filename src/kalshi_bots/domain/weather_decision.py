"""The weather decision: the ONE rule the live job and the weather backtest both call.

Pure: the event with its quoted markets, the fee schedule, the exchange status, the model inputs (the
forecast high for the event's day and, for today's event, the observed max so far), the time, the city,
the parameters and the bankroll are arguments. Every refusal is a :class:`Refusal` with a
:class:`NoTradeReason`; nothing raises on bad input.

Per event, in this order (the live job stops at the first refusal and so does the backtest):

1. the event's climate day from its ticker; only **today's** and **tomorrow's** (the city's climate day
   at ``now``) are traded (:func:`horizon`);
2. the event's active markets must tile the line exactly once (``event_missing``), every market's
   ``rules_primary`` must name the city's settlement station (``station_mismatch``, :func:`station_problem`)
   and its shard must be trading (``shard_closed``) (:func:`event_refusal`: no forecast is needed, so the
   job checks it before fetching one);
3. the model (:mod:`kalshi_bots.domain.weather_model`): tomorrow N(forecast, sigma_day_ahead); today
   max(observed, N(...)), refused if the observation is for another day (``forecast_stale``) or missing
   (``weather_data_unavailable``);
4. P(YES) per bracket (:func:`kalshi_bots.domain.weather.event_probabilities`); per bracket the YES side
   at the YES ask and the NO side at the NO ask, edge = P(side) - (ask + fee of one contract); the best
   edge of the event is its :class:`WeatherPick` (no usable ask at all: ``no_quote``);
5. :func:`size_pick`: edge >= ``min_edge`` (``edge_too_small``), the ask on the market's tick grid
   (``price_off_tick``), Kelly at the all-in cost (``size_zero``); the trade's fee and edge are those of
   the actual size.

Steps 1-4 are :func:`price_event`, step 5 :func:`size_pick`, both together :func:`decide_weather`. The
live job ranks the events' picks by edge before sizing them (one balance read, best edge first, one
position per event) and the backtest sizes each event's pick alone; the rule applied is the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeGuard

from kalshi_bots.domain.cities import WeatherCity
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.errors import DomainError, UnknownFeeTypeError
from kalshi_bots.domain.fees import edge_after_fee, effective_fee_schedule, fee_per_contract
from kalshi_bots.domain.markets import ACTIVE_STATUS
from kalshi_bots.domain.models import Event, ExchangeStatus, FeeSchedule, Market, Side
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.sanity import tick_refusal
from kalshi_bots.domain.sizing import size_order
from kalshi_bots.domain.weather import brackets_partition, event_probabilities, weather_event_date
from kalshi_bots.domain.weather_model import HighModel, WeatherParams, today_model, tomorrow_model

_CLI_TOKEN = re.compile(r"\bCLI([A-Z]{3})\b")


class Horizon(StrEnum):
    """Which of the two climate days the bot trades an event is about."""

    TODAY = "today"
    TOMORROW = "tomorrow"


@dataclass(frozen=True, slots=True)
class Observation:
    """The climate report's maximum so far (°F) for ``climate_date``; ``final`` once the day is over."""

    climate_date: date
    max_f: float
    final: bool


@dataclass(frozen=True, slots=True)
class WeatherInputs:
    """What the model reads for one event: the forecast high of its day and, for today's, the observation."""

    forecast_high_f: float
    observed: Observation | None = None


@dataclass(frozen=True, slots=True)
class WeatherPick:
    """The best side of the best bracket of one event, priced: every number the decision used."""

    event: Event
    market: Market
    side: Side
    price: Decimal  # ask of the side bought
    p_model: float  # probability that side wins
    fee_per_contract: Decimal  # of one contract (the worst case, since an order's fee is rounded up once)
    edge: float  # p_model - (price + fee_per_contract)
    fees: FeeSchedule
    model: HighModel
    p_yes: tuple[tuple[str, float], ...]  # P(YES) of every active bracket, by ticker


@dataclass(frozen=True, slots=True)
class WeatherTrade:
    """A decision to buy ``contracts`` of ``pick.side`` at up to ``pick.price``."""

    pick: WeatherPick
    contracts: int
    fee_per_contract: Decimal  # of the actual order size
    edge: float  # pick.p_model - (pick.price + fee_per_contract)
    kelly_applied: float


def event_day(event: Event) -> date | Refusal:
    """The climate day the event is about, from its ticker."""
    try:
        return weather_event_date(event.event_ticker)
    except DomainError as exc:
        return Refusal(NoTradeReason.INVALID_INPUT, str(exc))


def horizon(day: date, city: WeatherCity, now: datetime) -> Horizon | None:
    """TODAY or TOMORROW in the city's climate days at ``now``; None for any other day."""
    today = city.climate_date_of(now)
    if day == today:
        return Horizon.TODAY
    if day == today + timedelta(days=1):
        return Horizon.TOMORROW
    return None


def active_markets(event: Event) -> list[Market]:
    return [m for m in event.markets if m.status == ACTIVE_STATUS]


def station_problem(rules_primary: str, city: WeatherCity) -> str:
    """Why the rule text does not match the city's settlement station, or ``""`` if it does.

    The rule must name the city's CLI product (``CLINYC``...) or, in the older NWS wording without a
    code, the settlement site's name ("Central Park", "Midway"...). Another CLI product, or no
    recognisable station at all, is a mismatch.
    """
    text = rules_primary.strip()
    if not text:
        return "rules_primary is empty"
    named = {m.group(0) for m in _CLI_TOKEN.finditer(text)}
    if named:
        if named == {city.cli_pil}:
            return ""
        return f"rules name {sorted(named)}, expected {city.cli_pil}"
    site = _site_name(city)
    if site and site.lower() in text.lower():
        return ""
    return f"rules name neither {city.cli_pil} nor {site!r}"


def _site_name(city: WeatherCity) -> str:
    """The settlement site from the table's name: "New York (Central Park)" -> "Central Park"."""
    match = re.search(r"\(([^)]+)\)", city.name)
    site = match.group(1) if match else ""
    return "" if site.lower() in ("intl", "") else site


def event_refusal(event: Event, city: WeatherCity, status: ExchangeStatus) -> Refusal | None:
    """What is wrong with the event itself (no forecast needed): brackets, station, shard."""
    markets = active_markets(event)
    if not markets or not brackets_partition(markets):
        return Refusal(NoTradeReason.EVENT_MISSING, "active brackets missing or not a partition")
    for market in markets:
        problem = station_problem(market.rules_primary, city)
        if problem:
            return Refusal(NoTradeReason.STATION_MISMATCH, f"{market.ticker}: {problem}")
    index = event.exchange_index if event.exchange_index is not None else markets[0].exchange_index
    if not status.shard_trading(index):
        return Refusal(NoTradeReason.SHARD_CLOSED, f"shard {index}")
    return None


def high_model(
    day: date,
    when: Horizon,
    inputs: WeatherInputs,
    *,
    now: datetime,
    city: WeatherCity,
    params: WeatherParams,
) -> HighModel | Refusal:
    """The forecast model of the event's high (:mod:`kalshi_bots.domain.weather_model`)."""
    if when is Horizon.TOMORROW:
        return tomorrow_model(inputs.forecast_high_f, params)
    observed = inputs.observed
    if observed is None:
        return Refusal(NoTradeReason.WEATHER_DATA_UNAVAILABLE, f"no observed max for {day}")
    if observed.climate_date != day:
        return Refusal(
            NoTradeReason.FORECAST_STALE, f"observed max is for {observed.climate_date}, wanted {day}"
        )
    return today_model(
        inputs.forecast_high_f, observed.max_f, final=observed.final, now=now, city=city, params=params
    )


def usable_ask(ask: Decimal | None) -> TypeGuard[Decimal]:
    """A side the decision can price and buy: an ask strictly between 0 and 1 (an empty book shows
    bid 0 / ask 1, a missing side None)."""
    return ask is not None and ask.is_finite() and 0 < ask < 1


def quoted_markets(event: Event) -> list[Market]:
    """The active brackets with at least one usable ask: the ones :func:`best_side` considers."""
    return [m for m in active_markets(event) if usable_ask(m.yes_ask) or usable_ask(m.no_ask)]


def best_side(event: Event, fees: FeeSchedule, model: HighModel) -> WeatherPick | Refusal:
    """The side (YES at the YES ask, NO at the NO ask) of the bracket with the largest edge."""
    markets = active_markets(event)
    probs = event_probabilities(markets, model.mean_f, model.sigma_f, observed_max_f=model.observed_max_f)
    p_yes = tuple((m.ticker, probs[m.ticker]) for m in markets)
    best: WeatherPick | None = None
    try:
        for market in markets:
            p = probs[market.ticker]
            for side, ask, p_side in ((Side.YES, market.yes_ask, p), (Side.NO, market.no_ask, 1.0 - p)):
                if not usable_ask(ask):
                    continue
                fee = fee_per_contract(1, ask, fees)
                edge = edge_after_fee(p_side, ask, fee)
                if best is None or edge > best.edge:  # the first of equal edges wins
                    best = WeatherPick(event, market, side, ask, p_side, fee, edge, fees, model, p_yes)
    except UnknownFeeTypeError as exc:
        return Refusal(NoTradeReason.FEE_TYPE_UNKNOWN, str(exc))
    return best if best is not None else Refusal(NoTradeReason.NO_QUOTE, "")


def price_event(
    event: Event,
    *,
    series_fees: FeeSchedule,
    status: ExchangeStatus,
    city: WeatherCity,
    inputs: WeatherInputs,
    now: datetime,
    params: WeatherParams,
) -> WeatherPick | Refusal:
    """Steps 1-4 of the module doc: the event's best side, or why it has none."""
    day = event_day(event)
    if isinstance(day, Refusal):
        return day
    when = horizon(day, city, now)
    if when is None:
        return Refusal(NoTradeReason.OUTSIDE_HORIZON, f"{day} is neither today nor tomorrow in {city.name}")
    refusal = event_refusal(event, city, status)
    if refusal is not None:
        return refusal
    try:
        model = high_model(day, when, inputs, now=now, city=city, params=params)
        if isinstance(model, Refusal):
            return model
        return best_side(event, effective_fee_schedule(series_fees, event), model)
    except DomainError as exc:  # a non-finite forecast, a bracket that cannot be priced...
        return Refusal(NoTradeReason.INVALID_INPUT, str(exc))


def edge_refusal(pick: WeatherPick, min_edge: float) -> Refusal | None:
    if pick.edge < min_edge:
        return Refusal(NoTradeReason.EDGE_TOO_SMALL, f"best edge {pick.edge:.4f}")
    return None


def size_pick(pick: WeatherPick, bankroll: Decimal, params: WeatherParams) -> WeatherTrade | Refusal:
    """Step 5 of the module doc: the edge gate, the tick grid, then Kelly sizing against ``bankroll``."""
    refusal = edge_refusal(pick, params.min_edge) or tick_refusal(pick.market, pick.price)
    if refusal is not None:
        return refusal
    try:
        sizing = size_order(
            bankroll,
            pick.p_model,
            pick.price,
            pick.fee_per_contract,
            params.kelly_multiplier,
            params.max_fraction,
            params.max_contracts,
        )
        if sizing.contracts == 0:
            return Refusal(NoTradeReason.SIZE_ZERO, "")
        fee = fee_per_contract(sizing.contracts, pick.price, pick.fees)
    except DomainError as exc:  # a negative or non-finite bankroll
        return Refusal(NoTradeReason.INVALID_INPUT, str(exc))
    edge = edge_after_fee(pick.p_model, pick.price, fee)
    return WeatherTrade(pick, sizing.contracts, fee, edge, sizing.applied_fraction)


def decide_weather(
    event: Event,
    *,
    series_fees: FeeSchedule,
    status: ExchangeStatus,
    city: WeatherCity,
    inputs: WeatherInputs,
    now: datetime,
    params: WeatherParams,
    bankroll: Decimal,
) -> WeatherTrade | Refusal:
    """The whole decision for one event: :func:`price_event`, then :func:`size_pick`."""
    pick = price_event(
        event, series_fees=series_fees, status=status, city=city, inputs=inputs, now=now, params=params
    )
    return pick if isinstance(pick, Refusal) else size_pick(pick, bankroll, params)
