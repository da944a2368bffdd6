"""What the market recorder keeps: one snapshot of an event's whole ladder, and later its settlement.

A :class:`MarketSnapshot` is written at every trading decision (``trigger = decision``: what the bot
saw when it decided, with the contracts it looked at marked) and, for the hourly ladders, each minute
of the late window (``trigger = minute``). It holds every strike's YES/NO bid and ask with sizes,
spot and the model's inputs, and the model's P(NO) per strike. The settlement arrives later as an
:class:`EventResult` (one per event). :func:`export_rows` turns both into the rows of the export
format (:mod:`kalshi_bots.domain.snapshot_export`, schema v1) that ``backtest quotes`` reads.

Pure: callers pass the time, the event and the probabilities; nothing here reads a clock or a store.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.markets import minutes_until
from kalshi_bots.domain.models import Bot, Event, Market, PriceTick, StrikeType
from kalshi_bots.domain.pricing import prob_no_law

# Every store imports this module, so every cold start does: the export rows and the weather rules are
# imported where they are used (by the export and the weather job), not here (issue 13's import budget).
if TYPE_CHECKING:
    from kalshi_bots.domain.hourly_model import ModelInput
    from kalshi_bots.domain.snapshot_export import Level, SnapshotRow
    from kalshi_bots.domain.weather_decision import WeatherPick

P_DECIMALS = 6  # P(NO) is kept to 1e-6: finer than any quote and than the log-loss clip
OUTCOMES = ("yes", "no")


class Trigger(StrEnum):
    DECISION = "decision"  # a bot's trading run (the hourly :45 decision, a weather run)
    MINUTE = "minute"  # a timed snapshot of the late window (the ``record-market`` job)


@dataclass(frozen=True, slots=True)
class StrikeQuote:
    """One market of the ladder: structured strike fields, best quotes (dollars) and sizes (contracts)."""

    ticker: str
    strike_type: str
    floor_strike: Decimal | None
    cap_strike: Decimal | None
    yes_bid: Decimal | None
    yes_ask: Decimal | None
    no_bid: Decimal | None
    no_ask: Decimal | None
    yes_bid_size: Decimal | None = None  # also the NO ask's size on Kalshi's one book
    yes_ask_size: Decimal | None = None  # also the NO bid's size
    model_p_no: float | None = None
    looked_at: bool = False  # the decision considered trading this contract (the scorecard scores it)

    @property
    def market_mid_no(self) -> float | None:
        """The market's P(NO): the NO bid-ask mid, else one minus the YES mid; None without two sides."""
        if self.no_bid is not None and self.no_ask is not None:
            return float((self.no_bid + self.no_ask) / 2)
        if self.yes_bid is not None and self.yes_ask is not None:
            return 1.0 - float((self.yes_bid + self.yes_ask) / 2)
        return None


class TradeDecision(StrEnum):
    """What a trading run decided (a decision snapshot; the ``decision`` field of the structured log)."""

    TRADE = "trade"
    NO_TRADE = "no-trade"


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """An event's ladder at one instant, with what priced it.

    ``scheduled_for`` (the run's minute) identifies the snapshot: a retried run records nothing new.
    ``at`` is when the ladder was actually read. Hourly snapshots fill spot and the volatility fields;
    weather ones the forecast fields. ``decision``/``reason`` say what a decision did (empty for a
    minute snapshot).
    """

    scheduled_for: datetime
    at: datetime
    trigger: Trigger
    bot: Bot
    mode: str  # the trading mode of a decision; "" for a minute snapshot (market data)
    series_ticker: str
    event_ticker: str
    close_time: datetime
    strikes: tuple[StrikeQuote, ...]
    spot: Decimal | None = None
    spot_time: datetime | None = None
    model: str = ""
    vol_15m_std_pct: float | None = None
    tail_nu: float | None = None
    settlement_average_s: float | None = None
    vol_returns: int | None = None
    forecast_mean_f: float | None = None
    forecast_sigma_f: float | None = None
    observed_max_f: float | None = None
    decision: TradeDecision | None = None  # None: a minute snapshot
    reason: str = ""  # the run's reason value (domain/reasons.py), "" for none

    def __post_init__(self) -> None:
        for name in ("scheduled_for", "at", "close_time", "spot_time"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise DomainError(f"snapshot of {self.event_ticker}: {name} must be timezone-aware")
        if not self.event_ticker or "#" in self.event_ticker:
            raise DomainError(f"snapshot: event {self.event_ticker!r} must be non-empty without '#'")
        for strike in self.strikes:
            p = strike.model_p_no
            if p is not None and not (math.isfinite(p) and 0.0 <= p <= 1.0):
                raise DomainError(f"snapshot of {self.event_ticker}: P(NO) {p!r} of {strike.ticker}")

    @property
    def looked_at(self) -> tuple[StrikeQuote, ...]:
        return tuple(s for s in self.strikes if s.looked_at)

    def reduced(self) -> MarketSnapshot:
        """The same snapshot with only the contracts it looked at (what the scorecard needs)."""
        return replace(self, strikes=self.looked_at)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event the recorder holds snapshots of: what it needs to ask for the settlement."""

    event_ticker: str
    series_ticker: str
    close_time: datetime


@dataclass(frozen=True, slots=True)
class EventResult:
    """The settlement of a recorded event: each market's result (``yes``/``no``; others kept as given)."""

    event_ticker: str
    series_ticker: str
    close_time: datetime
    outcomes: tuple[tuple[str, str], ...]  # (market ticker, result), ordered by ticker

    def outcome(self, ticker: str) -> str:
        """``yes``/``no``, or ``""`` when that market has no such result (void, scalar, not listed)."""
        found = dict(self.outcomes).get(ticker, "")
        return found if found in OUTCOMES else ""


def rounded_p(p: float | None) -> float | None:
    return None if p is None else round(min(1.0, max(0.0, p)), P_DECIMALS)


def strike_quote(market: Market, p_no: float | None, *, looked_at: bool = False) -> StrikeQuote:
    return StrikeQuote(
        ticker=market.ticker,
        strike_type=market.strike_type.value,
        floor_strike=market.floor_strike,
        cap_strike=market.cap_strike,
        yes_bid=market.yes_bid,
        yes_ask=market.yes_ask,
        no_bid=market.no_bid,
        no_ask=market.no_ask,
        yes_bid_size=market.yes_bid_size,
        yes_ask_size=market.yes_ask_size,
        model_p_no=rounded_p(p_no),
        looked_at=looked_at,
    )


def ladder(
    markets: Sequence[Market], p_no: Mapping[str, float | None], looked_at: Collection[str] = ()
) -> tuple[StrikeQuote, ...]:
    """Every market as a :class:`StrikeQuote`, ordered by strike then ticker (a stable layout)."""
    ordered = sorted(markets, key=lambda m: (m.floor_strike is None, m.floor_strike or 0, m.ticker))
    return tuple(strike_quote(m, p_no.get(m.ticker), looked_at=m.ticker in looked_at) for m in ordered)


def hourly_p_no(
    markets: Sequence[Market], spot: Decimal, now: datetime, close_time: datetime, model_input: ModelInput
) -> dict[str, float]:
    """The live pricing of every "greater" strike of an hourly ladder (the decision's own formula:
    :func:`pricing.prob_no_law` with the model's input); empty without a usable volatility."""
    vol = model_input.vol_15m_std_pct
    if vol is None or not math.isfinite(vol) or vol <= 0 or not spot.is_finite() or spot <= 0:
        return {}
    minutes_left = minutes_until(close_time, now)
    out: dict[str, float] = {}
    for m in markets:
        if (
            m.strike_type is not StrikeType.GREATER
            or m.floor_strike is None
            or not m.floor_strike.is_finite()
        ):
            continue
        if m.floor_strike <= 0:
            continue
        out[m.ticker] = prob_no_law(
            spot,
            m.floor_strike,
            minutes_left,
            vol,
            tail_nu=model_input.tail_nu,
            settlement_average_s=model_input.settlement_average_s,
        )
    return out


@dataclass(frozen=True, slots=True)
class LadderInputs:
    """What priced an hourly ladder: spot (None when it could not be read) and the model's input.
    ``priced`` is False when spot or volatility failed a sanity rule: the ladder is kept, unpriced."""

    spot: PriceTick | None
    model_input: ModelInput | None
    priced: bool = True


def hourly_snapshot(
    event: Event,
    close_time: datetime,
    *,
    scheduled_for: datetime,
    at: datetime,
    trigger: Trigger,
    bot: Bot,
    mode: str,
    inputs: LadderInputs,
    looked_at: Collection[str] = (),
    decision: TradeDecision | None = None,
    reason: str = "",
) -> MarketSnapshot:
    """The hourly event's ladder priced with the live model where the inputs allow."""
    tick, model = inputs.spot, inputs.model_input
    p_no: dict[str, float] = {}
    if inputs.priced and tick is not None and model is not None:
        p_no = hourly_p_no(event.markets, tick.price, at, close_time, model)
    return MarketSnapshot(
        scheduled_for=scheduled_for,
        at=at,
        trigger=trigger,
        bot=bot,
        mode=mode,
        series_ticker=event.series_ticker,
        event_ticker=event.event_ticker,
        close_time=close_time,
        strikes=ladder(event.markets, p_no, looked_at),
        spot=None if tick is None else tick.price,
        spot_time=None if tick is None else tick.at,
        model="" if model is None else model.model,
        vol_15m_std_pct=None if model is None else model.vol_15m_std_pct,
        tail_nu=None if model is None else model.tail_nu,
        settlement_average_s=None if model is None else model.settlement_average_s,
        vol_returns=None if model is None else model.returns,
        decision=decision,
        reason=reason,
    )


def weather_snapshot(
    pick: WeatherPick,
    *,
    scheduled_for: datetime,
    at: datetime,
    bot: Bot,
    mode: str,
    decision: TradeDecision | None = None,
    reason: str = "",
) -> MarketSnapshot:
    """What a weather run priced for one event (:func:`weather_decision.price_event`'s pick): every
    active bracket with the model's P(NO) = 1 - P(YES), the quoted ones (those the decision weighed)
    marked looked at, and the forecast model that priced them."""
    from kalshi_bots.domain.weather_decision import active_markets, quoted_markets

    markets = active_markets(pick.event)
    looked = {m.ticker for m in quoted_markets(pick.event)}
    model = pick.model
    return MarketSnapshot(
        scheduled_for=scheduled_for,
        at=at,
        trigger=Trigger.DECISION,
        bot=bot,
        mode=mode,
        series_ticker=pick.event.series_ticker,
        event_ticker=pick.event.event_ticker,
        close_time=max(m.close_time for m in markets),
        strikes=ladder(markets, {t: 1.0 - p for t, p in pick.p_yes}, looked),
        model=Bot.WEATHER.value,  # the weather bot has one model; its snapshots have always named it so
        forecast_mean_f=model.mean_f,
        forecast_sigma_f=model.sigma_f,
        observed_max_f=model.observed_max_f,
        decision=decision,
        reason=reason,
    )


def event_result_of(event: Event, close_time: datetime) -> EventResult | None:
    """The event's settlement once every market has a result; None while any is still open."""
    if not event.markets or any(not m.result for m in event.markets):
        return None
    outcomes = tuple(sorted((m.ticker, m.result.lower()) for m in event.markets))
    return EventResult(event.event_ticker, event.series_ticker, close_time, outcomes)


def _level(price: Decimal | None, size: Decimal | None) -> Level:
    """Sizes are exported as whole contracts (a fractional remainder is dropped)."""
    from kalshi_bots.domain.snapshot_export import Level

    whole = None if size is None or not size.is_finite() or size < 0 else int(size)
    return Level(price, whole if price is not None else None)


def export_rows(snapshot: MarketSnapshot, result: EventResult | None) -> list[SnapshotRow]:
    """The snapshot as export rows (schema v1), one per strike, with the settlement when known."""
    from kalshi_bots.domain.snapshot_export import SnapshotRow

    return [
        SnapshotRow(
            snapshot_time=snapshot.at,
            event_ticker=snapshot.event_ticker,
            market_ticker=s.ticker,
            floor_strike=s.floor_strike,
            close_time=snapshot.close_time,
            yes_bid=_level(s.yes_bid, s.yes_bid_size),
            yes_ask=_level(s.yes_ask, s.yes_ask_size),
            # One book: the NO bid rests against the YES ask, the NO ask against the YES bid.
            no_bid=_level(s.no_bid, s.yes_ask_size),
            no_ask=_level(s.no_ask, s.yes_bid_size),
            spot=snapshot.spot,
            spot_time=snapshot.spot_time,
            model_p_no=s.model_p_no,
            series_ticker=snapshot.series_ticker,
            strike_type=s.strike_type,
            cap_strike=s.cap_strike,
            trigger=snapshot.trigger.value,
            bot=snapshot.bot,
            mode=snapshot.mode,
            vol_model=snapshot.model,
            vol_15m_std_pct=snapshot.vol_15m_std_pct,
            tail_nu=snapshot.tail_nu,
            settlement_average_s=snapshot.settlement_average_s,
            vol_returns=snapshot.vol_returns,
            result="" if result is None else result.outcome(s.ticker),
        )
        for s in snapshot.strikes
    ]
