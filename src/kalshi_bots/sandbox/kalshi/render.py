"""Wire JSON of the fake Kalshi's objects, shaped like spec 3.28 (every required field present)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from kalshi_bots.sandbox.kalshi.order_rules import ONE, ZERO
from kalshi_bots.sandbox.kalshi.state import (
    ExchangeState,
    FakeEvent,
    FakeMarket,
    FakeSeries,
    count_fp,
    iso,
    money,
)


def _number(value: Decimal | None) -> float | None:
    # Strikes are JSON numbers on the wire (type: number), not dollar strings.
    return None if value is None else float(value)


def _best(book: dict[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    if not book:
        return ZERO, ZERO
    price = max(book)
    return price, book[price]


def market_json(market: FakeMarket, status: str) -> dict[str, Any]:
    yes_bid, yes_bid_size = _best(market.yes_bids)
    no_bid, no_bid_size = _best(market.no_bids)
    # An empty side shows bid 0 / ask 1, as Kalshi does (reference §3.4).
    yes_ask = ONE - no_bid if market.no_bids else ONE
    no_ask = ONE - yes_bid if market.yes_bids else ONE
    opened = market.open_time or market.close_time - timedelta(hours=1)
    payload: dict[str, Any] = {
        "ticker": market.ticker,
        "event_ticker": market.event_ticker,
        "market_type": "binary",
        "yes_sub_title": market.yes_sub_title,
        "no_sub_title": market.yes_sub_title,
        "created_time": iso(opened),
        "updated_time": iso(opened),
        "open_time": iso(opened),
        "close_time": iso(market.close_time),
        "expected_expiration_time": iso(market.close_time + timedelta(minutes=5)),
        "latest_expiration_time": iso(market.close_time + timedelta(days=7)),
        "settlement_timer_seconds": 60,
        "status": status,
        "notional_value_dollars": money(ONE),
        "yes_bid_dollars": money(yes_bid),
        "yes_ask_dollars": money(yes_ask),
        "no_bid_dollars": money(no_bid),
        "no_ask_dollars": money(no_ask),
        "yes_bid_size_fp": count_fp(yes_bid_size),
        "yes_ask_size_fp": count_fp(no_bid_size),
        "last_price_dollars": money(yes_bid),
        "previous_yes_bid_dollars": money(ZERO),
        "previous_yes_ask_dollars": money(ZERO),
        "previous_price_dollars": money(ZERO),
        "volume_fp": count_fp(market.volume),
        "volume_24h_fp": count_fp(market.volume),
        "open_interest_fp": count_fp(ZERO),
        "result": market.result,
        "can_close_early": False,
        "expiration_value": "",
        "rules_primary": market.rules_primary,
        "rules_secondary": "",
        "price_level_structure": "linear_cent",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
        "strike_type": market.strike_type,
        "floor_strike": _number(market.floor_strike),
        "cap_strike": _number(market.cap_strike),
        "exchange_index": market.exchange_index or 0,
        "settlement_value_dollars": money(ONE if market.result == "yes" else ZERO) if market.result else None,
    }
    return payload | market.extra


def event_json(event: FakeEvent, markets: list[dict[str, Any]] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "event_ticker": event.event_ticker,
        "series_ticker": event.series_ticker,
        "title": event.title,
        "sub_title": "",
        "collateral_return_type": "",
        "mutually_exclusive": event.mutually_exclusive,
        "available_on_brokers": False,
        "settlement_sources": [],
        "exchange_index": event.exchange_index,
    }
    if markets is not None:
        payload["markets"] = markets
    return payload | event.extra


def series_json(series: FakeSeries) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ticker": series.ticker,
        "frequency": "daily",  # demo crypto series override it with extra frequency="hourly"
        "title": series.title,
        "category": "",
        "tags": [],
        "settlement_sources": [],
        "contract_url": "",
        "contract_terms_url": "",
        "fee_type": series.fee_type,
        "fee_multiplier": float(series.fee_multiplier),
        "additional_prohibitions": [],
    }
    return payload | series.extra


def balance_json(state: ExchangeState, now: datetime, exchange_index: int | None) -> dict[str, Any]:
    # One pot of cash: the fake does not split collateral per shard; the breakdown shows it all on shard 0.
    return {
        "balance": int(state.balance * 100),
        "balance_dollars": money(state.balance),
        "portfolio_value": int(state.balance * 100),
        "updated_ts": int(now.timestamp()),
        "balance_breakdown": [{"exchange_index": exchange_index or 0, "balance": money(state.balance)}],
    }


def exchange_status_json(state: ExchangeState) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "exchange_active": state.exchange_active,
        "trading_active": state.trading_active,
        "intra_exchange_transfers_active": True,
        "exchange_estimated_resume_time": None,
    }
    if state.shard_trading is not None:
        payload["exchange_index_statuses"] = [
            {
                "exchange_index": index,
                "description": "crypto" if index == 2 else "default",
                "exchange_active": state.exchange_active,
                "trading_active": active,
                "intra_exchange_transfers_active": True,
            }
            for index, active in sorted(state.shard_trading.items())
        ]
    return payload
