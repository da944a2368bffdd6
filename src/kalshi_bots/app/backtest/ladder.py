"""The synthetic KXBTCD ladder a replayed hour trades on, and the stated market-price assumption.

Strikes: a $100 grid ending in .99 (``…99.99``), as KXBTCD shows in 2026 (reference kalshi-api.md §6),
covering ``spot ± width``. Quotes: there are no recorded Kalshi quotes for the replayed period, so the
NO ask is **assumed** to be what a competing trader pricing with a reference model would ask:

    NO ask  = ceil_to_cent(P_ref(NO) + half_spread),   NO bid = floor_to_cent(P_ref(NO) - half_spread)

clipped to [1¢, 99¢] (strikes below spot are left unquoted: the rule never buys them), where
``P_ref`` is the live ``prob_no`` with the reference model's sigma (the
``spec-60`` model by default: the spec's formula on the 60-minute window). P&L under this assumption
measures whether a model out-predicts that reference, net of spread and fees, not an absolute edge.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from kalshi_bots.domain.markets import event_ticker_for_close
from kalshi_bots.domain.models import Asset, Event, Market, StrikeType
from kalshi_bots.domain.pricing import prob_no

CENT = Decimal("0.01")
_MIN_PRICE = Decimal("0.01")
_MAX_PRICE = Decimal("0.99")


def strike_grid(spot: Decimal, width_pct: float, step: Decimal = Decimal(100)) -> list[Decimal]:
    """Grid strikes ``k * step - 0.01`` (…99.99) within ``spot * (1 ± width_pct / 100)``."""
    low = spot * (1 - Decimal(repr(width_pct)) / 100)
    high = spot * (1 + Decimal(repr(width_pct)) / 100)
    first = math.ceil((low + CENT) / step)
    last = math.floor((high + CENT) / step)
    return [k * step - CENT for k in range(first, last + 1)]


def _clip(price: Decimal) -> Decimal:
    return min(max(price, _MIN_PRICE), _MAX_PRICE)


def assumed_quotes(p_ref_no: float, half_spread: Decimal) -> tuple[Decimal, Decimal]:
    """(NO bid, NO ask) around a reference P(NO), on the cent grid."""
    p = Decimal(repr(p_ref_no))
    ask = _clip((p + half_spread).quantize(CENT, rounding=ROUND_CEILING))
    bid = _clip((p - half_spread).quantize(CENT, rounding=ROUND_FLOOR))
    return min(bid, ask - CENT) if ask > _MIN_PRICE else bid, ask


def synthetic_event(
    asset: Asset,
    *,
    spot: Decimal,
    close_time: datetime,
    minutes_left: float,
    reference_sigma: float | None,
    strikes: list[Decimal],
    half_spread: Decimal,
) -> Event:
    """The hour's ladder as live-shaped :class:`Market` objects with assumed quotes."""
    event_ticker = event_ticker_for_close(asset, close_time)
    markets: list[Market] = []
    for strike in strikes:
        no_bid: Decimal | None
        no_ask: Decimal | None
        if reference_sigma is None or reference_sigma <= 0 or strike < spot:
            # No reference: the assumed market does not quote. Below spot: the NO-buying rule never
            # picks these strikes (it wants strike >= spot * (1 + bps)), so quoting them is wasted work.
            no_bid = no_ask = None
        else:
            no_bid, no_ask = assumed_quotes(prob_no(spot, strike, minutes_left, reference_sigma), half_spread)
        markets.append(
            Market(
                ticker=f"{event_ticker}-T{strike}",
                event_ticker=event_ticker,
                strike_type=StrikeType.GREATER,
                floor_strike=strike,
                cap_strike=None,
                close_time=close_time,
                yes_bid=None if no_ask is None else 1 - no_ask,
                yes_ask=None if no_bid is None else 1 - no_bid,
                no_bid=no_bid,
                no_ask=no_ask,
            )
        )
    return Event(event_ticker=event_ticker, series_ticker=asset.hourly_series, markets=tuple(markets))
