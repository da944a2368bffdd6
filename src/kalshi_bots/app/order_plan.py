"""What a trading job hands the order path (:mod:`.placement`) once it decided: the order, its trade
record and its budget, built the same way for every bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from kalshi_bots.app import risk
from kalshi_bots.domain.models import Bot, Market, Mode, OrderIntent, Side, TradeRecord, TradeStatus
from kalshi_bots.domain.orders import buy_intent


@dataclass(frozen=True, slots=True)
class OrderPlan:
    bot: Bot
    day: date  # trading day the budget is booked on
    intent: OrderIntent
    record: TradeRecord  # status pending, every decision attribute filled
    cost_per_contract: Decimal  # outcome price + fee per contract, dollars
    # At most one live order or position per group (weather: the event ticker); "" = no group.
    exclusive_group: str = ""


def plan_order(
    *,
    bot: Bot,
    mode: Mode,
    now: datetime,
    scheduled_for: datetime,
    client_order_id: str,
    market: Market,
    side: Side,
    price: Decimal,
    contracts: int,
    fee_per_contract: Decimal,
    model_prob: float,
    edge: float,
    kelly_fraction: float,
    strike: Decimal | None,
    spot: Decimal | None = None,
    exclusive_group: str = "",
) -> OrderPlan:
    """A decided order as the order path takes it: the immediate-or-cancel buy of ``contracts`` of
    ``side`` at up to ``price``; its trade record, pending, with every decision attribute (written before
    the POST); and its budget, ``price + fee`` a contract, on the trading day of ``now``."""
    intent = buy_intent(
        market.ticker, side, price, contracts, client_order_id, exchange_index=market.exchange_index
    )
    record = TradeRecord(
        created_at=now,
        client_order_id=client_order_id,
        bot=bot,
        mode=mode,
        contract_ticker=market.ticker,
        side=side,
        quantity=contracts,
        price_cents=price * 100,
        btc_price=spot,
        strike_price=strike,
        model_prob=model_prob,
        market_prob=float(price),
        edge=edge,
        kelly_fraction=kelly_fraction,
        status=TradeStatus.PENDING,
        scheduled_for=scheduled_for,
    )
    return OrderPlan(bot, risk.trading_day(now), intent, record, price + fee_per_contract, exclusive_group)
