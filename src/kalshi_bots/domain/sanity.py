"""Input sanity: pure rules that refuse data the trading path cannot trust, before anything is written.

Each rule returns a :class:`~kalshi_bots.domain.decision.Refusal` (a reason and what was wrong) or
``None``; a few return the usable value instead of ``None``. No I/O and no clock: ``now`` is an argument.

- **One jump rule.** :func:`price_problem` is the collector's rule for storing a price (positive, finite,
  within ``max_jump_pct`` of the previous accepted price). The trader holds spot to the same limit
  against what the collector accepted (:func:`spot_refusal`), so it never trades on a price the
  collector would have rejected.
- **Time.** A feed or exchange timestamp may lead our clock by at most :data:`MAX_CLOCK_SKEW`; a
  timestamp from the future would otherwise pass every "too old" check.
- **The event.** Every market must belong to the event asked for, and the strikes must reach spot
  within :data:`STRIKE_BAND_PCT` (strikes scaled by 100 or 1e30 are a broken reply, not an edge).
- **The tick.** The price we would pay, and the YES price we would send, must sit on the market's
  ``price_ranges`` grid (or carry at most the wire's 4 decimals when the grid is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from kalshi_bots.domain.decision import HourlyTrade, Refusal
from kalshi_bots.domain.markets import minutes_until
from kalshi_bots.domain.models import (
    VOL_WINDOWS_MINUTES,
    Event,
    ExchangeStatus,
    Market,
    PriceRange,
    PriceTick,
    VolatilitySnapshot,
)
from kalshi_bots.domain.reasons import NoTradeReason, PriceProblem

MAX_CLOCK_SKEW = timedelta(seconds=5)
# A price is compared with the previous accepted one only within the longest volatility window: after
# a longer gap there is nothing recent enough to say what a plausible move is.
JUMP_LOOKBACK = timedelta(minutes=max(VOL_WINDOWS_MINUTES))
# Hourly strikes are listed around the index an hour before the close; a ladder that does not come
# within this distance of spot on both sides is a broken reply (or a broken spot), never a bargain.
STRIKE_BAND_PCT = 10.0
WIRE_PRICE_QUANTUM = Decimal("0.0001")  # order prices carry at most 4 decimals
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


def _fraction(pct: float) -> Decimal:
    return Decimal(repr(pct)) / _HUNDRED


def beyond_jump_limit(price: Decimal, reference: Decimal, max_jump_pct: float) -> bool:
    """Whether ``price`` is more than ``max_jump_pct`` percent away from ``reference`` (> 0).

    Compared against bounds instead of dividing, so an absurd price (1e999999) cannot overflow.
    """
    limit = _fraction(max_jump_pct)
    return not reference * (_ONE - limit) <= price <= reference * (_ONE + limit)


def price_problem(
    price: Decimal, previous: PriceTick | None, at: datetime, max_jump_pct: float
) -> PriceProblem | None:
    """Why ``price`` (for minute ``at``) must not be stored, or None. ``previous`` is the last accepted."""
    if not price.is_finite() or price <= 0:
        return PriceProblem.INVALID
    if (
        previous is not None
        and at - previous.at <= JUMP_LOOKBACK
        and beyond_jump_limit(price, previous.price, max_jump_pct)
    ):
        return PriceProblem.JUMP
    return None


def ahead_of(stamped: datetime, now: datetime, skew: timedelta = MAX_CLOCK_SKEW) -> bool:
    """Whether a timestamp from a feed or an exchange lies in the future beyond the allowed skew."""
    return stamped - now > skew


def feed_time_problem(stamped: datetime, now: datetime, max_age_s: float) -> PriceProblem | None:
    """A feed's price stamped too long ago (stale) or ahead of our clock (future), else None."""
    if ahead_of(stamped, now):
        return PriceProblem.FUTURE
    if (now - stamped).total_seconds() > max_age_s:
        return PriceProblem.STALE
    return None


# --- the hourly trading path -----------------------------------------------------------------------


def too_late(close_time: datetime, now: datetime, min_minutes_left: float) -> Refusal | None:
    """A run this late (catch-up, retry, ``--at`` in the past) would price a closing market."""
    left = minutes_until(close_time, now)
    if left < min_minutes_left:
        when = f"{left:.1f} min before" if left >= 0 else f"{-left:.1f} min after"
        return Refusal(NoTradeReason.TOO_LATE, f"{when} the close at {close_time.isoformat()}")
    return None


def exchange_refusal(status: ExchangeStatus, exchange_index: int | None) -> Refusal | None:
    if not (status.exchange_active and status.trading_active):
        return Refusal(NoTradeReason.EXCHANGE_CLOSED, "exchange not trading")
    if not status.shard_trading(exchange_index):
        return Refusal(NoTradeReason.SHARD_CLOSED, f"shard {exchange_index} not trading")
    return None


def fresh_snapshot(
    snapshot: VolatilitySnapshot | None, now: datetime, max_age_s: float
) -> VolatilitySnapshot | Refusal:
    """The VOL/LATEST item if it exists, is recent and is not from the future. Whether it holds enough
    minute prices is the model's own rule (``domain.hourly_model.hourly_model_input``)."""
    if snapshot is None:
        return Refusal(NoTradeReason.VOL_INSUFFICIENT, "no VOL/LATEST item")
    if ahead_of(snapshot.computed_at, now):
        return Refusal(
            NoTradeReason.FUTURE_TIMESTAMP,
            f"VOL/LATEST computed at {snapshot.computed_at.isoformat()}, after now {now.isoformat()}",
        )
    age_s = (now - snapshot.computed_at).total_seconds()
    if age_s > max_age_s:
        return Refusal(NoTradeReason.VOL_STALE, f"VOL/LATEST is {age_s:.0f}s old (max {max_age_s})")
    return snapshot


def price_refusal(tick: PriceTick, now: datetime, max_age_s: float) -> Refusal | None:
    """The feed's price must be recent (exchange time vs our clock) and not stamped in the future."""
    problem = feed_time_problem(tick.at, now, max_age_s)
    if problem is PriceProblem.FUTURE:
        return Refusal(
            NoTradeReason.FUTURE_TIMESTAMP,
            f"price stamped {tick.at.isoformat()}, after now {now.isoformat()} (+{MAX_CLOCK_SKEW})",
        )
    if problem is PriceProblem.STALE:
        age_s = (now - tick.at).total_seconds()
        return Refusal(NoTradeReason.PRICE_STALE, f"price is {age_s:.0f}s old (max {max_age_s})")
    return None


def collector_prices(snapshot: VolatilitySnapshot) -> tuple[Decimal, ...]:
    """What the collector last accepted: VOL/LATEST's ``last_price`` and its window's newest tick."""
    newest = max(snapshot.recent_prices, key=lambda t: t.at).price if snapshot.recent_prices else None
    return tuple(dict.fromkeys(p for p in (snapshot.last_price, newest) if p is not None))


def spot_refusal(spot: Decimal, snapshot: VolatilitySnapshot | None, max_jump_pct: float) -> Refusal | None:
    """Spot must be a price the collector would accept next to the prices it did accept."""
    if not spot.is_finite() or spot <= 0:
        return Refusal(NoTradeReason.INVALID_INPUT, f"spot {spot} is not a positive finite price")
    references = () if snapshot is None else collector_prices(snapshot)
    if not references:
        return Refusal(NoTradeReason.VOL_INSUFFICIENT, "no accepted collector price to check spot against")
    for reference in references:
        if beyond_jump_limit(spot, reference, max_jump_pct):
            return Refusal(
                NoTradeReason.SPOT_DISAGREES,
                f"spot {spot} is more than {max_jump_pct}% from the collector's last price {reference}",
            )
    return None


def foreign_market_refusal(event: Event, event_ticker: str) -> Refusal | None:
    """The reply must be the event asked for, and carry only that event's markets."""
    if event.event_ticker != event_ticker:
        return Refusal(NoTradeReason.FOREIGN_MARKET, f"asked for {event_ticker}, got {event.event_ticker}")
    for market in event.markets:
        if market.event_ticker != event_ticker:
            return Refusal(
                NoTradeReason.FOREIGN_MARKET,
                f"market {market.ticker} belongs to {market.event_ticker}, not {event_ticker}",
            )
    return None


def _strikes(markets: Sequence[Market]) -> list[Decimal]:
    values = (s for m in markets for s in (m.floor_strike, m.cap_strike) if s is not None)
    return [s for s in values if s.is_finite()]


def strike_refusal(
    markets: Sequence[Market], spot: Decimal, band_pct: float = STRIKE_BAND_PCT
) -> Refusal | None:
    """The ladder must come within ``band_pct`` of spot from below and from above.

    An event without strikes passes: :func:`~kalshi_bots.domain.markets.select_strike` then finds no
    qualifying strike, which is its own reason.
    """
    strikes = _strikes(markets)
    if not strikes:
        return None
    band = _fraction(band_pct)
    low, high = min(strikes), max(strikes)
    if low <= 0:
        return Refusal(NoTradeReason.STRIKES_IMPLAUSIBLE, f"strike {low} is not positive")
    if low > spot * (_ONE + band) or high < spot * (_ONE - band):
        return Refusal(
            NoTradeReason.STRIKES_IMPLAUSIBLE,
            f"strikes {low}..{high} do not come within {band_pct}% of spot {spot}",
        )
    return None


def on_grid(price: Decimal, ranges: Sequence[PriceRange]) -> bool:
    """Whether ``price`` is a tick of one of ``ranges`` (none known: at most the wire's 4 decimals)."""
    if not price.is_finite():
        return False
    if not ranges:
        return price == price.quantize(WIRE_PRICE_QUANTUM)
    return any(r.start <= price <= r.end and (price - r.start) % r.step == 0 for r in ranges)


def tick_refusal(market: Market, no_ask: Decimal) -> Refusal | None:
    """Paying ``no_ask`` means sending the YES price ``1 - no_ask``: both must be on the market's grid."""
    for name, price in (("NO ask", no_ask), ("YES limit", _ONE - no_ask)):
        if not on_grid(price, market.price_ranges):
            grid = ", ".join(f"{r.start}..{r.end} step {r.step}" for r in market.price_ranges)
            return Refusal(
                NoTradeReason.PRICE_OFF_TICK,
                f"{market.ticker} {name} {price} is off the tick grid ({grid or '4 decimals'})",
            )
    return None


def trade_refusal(trade: HourlyTrade, spot: Decimal, band_pct: float = STRIKE_BAND_PCT) -> Refusal | None:
    """Last look at what would be sent: the chosen strike is within the band, the price on the grid."""
    if trade.strike > spot * (_ONE + _fraction(band_pct)):
        return Refusal(
            NoTradeReason.STRIKES_IMPLAUSIBLE,
            f"chosen strike {trade.strike} is more than {band_pct}% above spot {spot}",
        )
    return tick_refusal(trade.market, trade.no_ask)
