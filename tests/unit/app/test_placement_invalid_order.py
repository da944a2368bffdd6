"""The shared order path refuses an order the exchange could not take (a price with more than 4
decimals) before it reserves budget or writes the pending row: no state is left behind for a
decision that could never be sent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kalshi_bots.app import risk
from kalshi_bots.app.order_plan import OrderPlan
from kalshi_bots.app.placement import PlacementStatus, place_order
from kalshi_bots.domain.models import Bot, Mode, Side, TradeRecord, TradeStatus
from kalshi_bots.domain.orders import buy_no_intent, client_order_id

from .fakes import make_world

NOW = datetime(2026, 3, 10, 14, 45, 5, tzinfo=UTC)


@pytest.mark.parametrize("no_ask", ["0.25001", "0.123456"])
def test_an_order_the_exchange_cannot_take_is_refused_before_any_write(no_ask: str) -> None:
    world = make_world(NOW)
    price = Decimal(no_ask)
    coid = client_order_id(Bot.BTC_HOURLY, "KXBTCD-26MAR1011", NOW)
    intent = buy_no_intent("KXBTCD-26MAR1011-T70000", price, 2, coid, 2)
    record = TradeRecord(
        created_at=NOW,
        client_order_id=coid,
        bot=Bot.BTC_HOURLY,
        mode=Mode.PAPER,
        contract_ticker=intent.ticker,
        side=Side.NO,
        quantity=2,
        price_cents=price * 100,
        btc_price=None,
        strike_price=None,
        model_prob=0.9,
        market_prob=float(price),
        edge=0.1,
        kelly_fraction=0.1,
        status=TradeStatus.PENDING,
    )
    plan = OrderPlan(Bot.BTC_HOURLY, risk.trading_day(NOW), intent, record, price + Decimal("0.01"))

    placement = place_order(world.deps(), plan)

    assert placement.status is PlacementStatus.REFUSED and placement.reason == "invalid_input"
    assert world.exchange.orders == []
    assert world.store.all_trades() == []
    assert world.store.reservations(risk.trading_day(NOW)) == []
