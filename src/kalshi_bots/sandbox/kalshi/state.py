"""The in-memory exchange behind :class:`~kalshi_bots.sandbox.kalshi.server.FakeKalshi`.

One account, a YES book per market (bids only, as Kalshi publishes it), V2 order semantics and
settlement. Simplifications, on purpose and documented:
- only taker fills: an order matches the resting book at once; a ``good_till_canceled`` remainder is
  recorded as a ``resting`` order but does not join the book;
- ``bid`` buys YES and ``ask`` buys NO (no netting against an existing YES position);
- fee = ceil_to_cent(0.07 x multiplier x sum(c x p x (1 - p))) per order (reference §5), spread over
  the order's fills so their ``fee_cost`` adds up to the order's fee.
Rendering to wire JSON lives in :mod:`kalshi_bots.sandbox.kalshi.render`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import Any

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.fees import TAKER_COEFFICIENT, fee_coefficient
from kalshi_bots.domain.models import FeeSchedule, FeeType
from kalshi_bots.sandbox.kalshi.order_rules import CENT, ONE, ZERO, FakeReject, validated_order


@dataclass(slots=True)
class FakeSeries:
    ticker: str
    fee_type: str = "quadratic"
    fee_multiplier: Decimal = ONE
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the JSON (e.g. unknown fields)


@dataclass(slots=True)
class FakeMarket:
    ticker: str
    event_ticker: str
    close_time: datetime
    strike_type: str = "greater"
    floor_strike: Decimal | None = None
    cap_strike: Decimal | None = None
    open_time: datetime | None = None
    status: str = "active"
    yes_sub_title: str = ""
    rules_primary: str = ""
    exchange_index: int | None = None  # None: inherit the event's shard in FakeKalshi.add_event
    yes_bids: dict[Decimal, Decimal] = field(default_factory=dict)  # YES price -> size
    no_bids: dict[Decimal, Decimal] = field(default_factory=dict)  # NO price -> size
    result: str = ""
    volume: Decimal = ZERO
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class FakeEvent:
    event_ticker: str
    series_ticker: str
    title: str = ""
    exchange_index: int = 0
    mutually_exclusive: bool = False
    market_tickers: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Position:
    yes_count: Decimal = ZERO
    no_count: Decimal = ZERO
    yes_cost: Decimal = ZERO
    no_cost: Decimal = ZERO
    fees: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class _Take:
    yes_price: Decimal  # execution price on the YES book
    count: Decimal


def money(value: Decimal, places: int = 4) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places))}"


def count_fp(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


class ExchangeState:
    """All mutable state; callers hold the server lock around every method."""

    def __init__(self, balance: Decimal = Decimal(1000)) -> None:
        self.series: dict[str, FakeSeries] = {}
        self.events: dict[str, FakeEvent] = {}
        self.markets: dict[str, FakeMarket] = {}
        self.orders: list[dict[str, Any]] = []  # wire-shaped Order objects, oldest first
        self.fills: list[dict[str, Any]] = []
        self.settlements: list[dict[str, Any]] = []
        self.positions: dict[str, Position] = {}
        self.balance = balance
        self.exchange_active = True
        self.trading_active = True
        self.shard_trading: dict[int, bool] | None = None  # None: no per-shard list in /exchange/status

    # --- queries ---------------------------------------------------------------------------------------

    def market(self, ticker: str) -> FakeMarket:
        market = self.markets.get(ticker)
        if market is None:
            raise FakeReject(404, "not_found", f"market {ticker} not found")
        return market

    def effective_status(self, market: FakeMarket, now: datetime) -> str:
        """An ``active`` market past its close time reads ``closed``, as on the real exchange."""
        if market.status == "active" and now >= market.close_time:
            return "closed"
        return market.status

    def order_by_client_id(self, client_order_id: str) -> dict[str, Any] | None:
        for order in self.orders:
            if order["client_order_id"] == client_order_id:
                return order
        return None

    # --- orders ----------------------------------------------------------------------------------------

    def create_order(self, body: Any, now: datetime) -> dict[str, Any]:
        """Validate, match IOC/FOK/GTC against the book, charge, record; the CreateOrderV2Response."""
        req = validated_order(body)
        if req["client_order_id"] and self.order_by_client_id(req["client_order_id"]) is not None:
            raise FakeReject(409, "order_already_exists", "Order with this client_order_id already exists")
        market = self.market(req["ticker"])
        self._check_tradable(market, now)
        takes = self._match(market, req["side"], req["price"], req["count"], req["time_in_force"])
        filled = sum((t.count for t in takes), ZERO)
        cost = sum((t.count * _paid(req["side"], t.yes_price) for t in takes), ZERO)
        fee = self._fee(market, takes)
        if cost + fee > self.balance:
            raise FakeReject(
                400, "available_balance_too_low", f"needs {money(cost + fee)}, has {money(self.balance)}"
            )
        self._consume(market, req["side"], takes)
        self.balance -= cost + fee
        self._add_position(market.ticker, req["side"], filled, cost, fee)
        order = self._record_order(req, market, filled, cost=cost, fee=fee, now=now)
        self._record_fills(order, takes, fee, now)
        reply: dict[str, Any] = {
            "order_id": order["order_id"],
            "client_order_id": order["client_order_id"],
            "fill_count": count_fp(filled),
            "remaining_count": order["remaining_count_fp"],
            "ts_ms": int(now.timestamp() * 1000),
        }
        if filled > 0:
            average_yes = sum((t.count * t.yes_price for t in takes), ZERO) / filled
            # Responses carry up to 6 decimals (reference §3); averages need them to add back up.
            reply["average_fill_price"] = money(average_yes, places=6)
            reply["average_fee_paid"] = money(fee / filled, places=6)
        return reply

    def _check_tradable(self, market: FakeMarket, now: datetime) -> None:
        if self.effective_status(market, now) != "active":
            raise FakeReject(400, "MARKET_INACTIVE", f"market {market.ticker} is not open for trading")
        shard_ok = (self.shard_trading or {}).get(market.exchange_index or 0, True)
        if not (self.exchange_active and self.trading_active and shard_ok):
            # The real code for a paused exchange is not documented; this one is ours.
            raise FakeReject(
                400, "trading_is_paused", f"trading is paused on exchange {market.exchange_index}"
            )

    def _match(self, market: FakeMarket, side: str, price: Decimal, count: Decimal, tif: str) -> list[_Take]:
        # A bid (buy YES) lifts NO bids (YES ask = 1 - NO bid); an ask (buy NO) hits YES bids.
        if side == "bid":
            levels = [
                (ONE - p, q) for p, q in sorted(market.no_bids.items(), reverse=True) if ONE - p <= price
            ]
        else:
            levels = [(p, q) for p, q in sorted(market.yes_bids.items(), reverse=True) if p >= price]
        takes: list[_Take] = []
        left = count
        for yes_price, size in levels:
            if left <= 0:
                break
            take = min(left, size)
            takes.append(_Take(yes_price, take))
            left -= take
        if tif == "fill_or_kill" and left > 0:
            return []
        return takes

    def _fee(self, market: FakeMarket, takes: list[_Take]) -> Decimal:
        series = (
            self.series.get(self.events[market.event_ticker].series_ticker)
            if market.event_ticker in self.events
            else None
        )
        schedule = (
            FeeSchedule(FeeType.parse(series.fee_type), series.fee_multiplier)
            if series
            else FeeSchedule(FeeType.QUADRATIC)
        )
        try:
            coefficient = fee_coefficient(schedule)
        except DomainError:
            coefficient = (
                TAKER_COEFFICIENT * schedule.multiplier
            )  # the fake charges unknown types like quadratic
        raw = coefficient * sum((t.count * t.yes_price * (ONE - t.yes_price) for t in takes), ZERO)
        return raw.quantize(CENT, rounding=ROUND_CEILING)

    def _consume(self, market: FakeMarket, side: str, takes: list[_Take]) -> None:
        book = market.no_bids if side == "bid" else market.yes_bids
        for take in takes:
            key = ONE - take.yes_price if side == "bid" else take.yes_price
            book[key] -= take.count
            if book[key] <= 0:
                del book[key]
            market.volume += take.count

    def _add_position(self, ticker: str, side: str, filled: Decimal, cost: Decimal, fee: Decimal) -> None:
        if filled <= 0:
            return
        pos = self.positions.setdefault(ticker, Position())
        if side == "bid":
            pos.yes_count += filled
            pos.yes_cost += cost
        else:
            pos.no_count += filled
            pos.no_cost += cost
        pos.fees += fee

    def _record_order(
        self,
        req: dict[str, Any],
        market: FakeMarket,
        filled: Decimal,
        *,
        cost: Decimal,
        fee: Decimal,
        now: datetime,
    ) -> dict[str, Any]:
        count: Decimal = req["count"]
        resting = req["time_in_force"] == "good_till_canceled" and filled < count
        status = "executed" if filled >= count else ("resting" if resting else "canceled")
        order = {
            "order_id": str(uuid.uuid4()),
            "user_id": "fake-user",
            "client_order_id": req["client_order_id"],
            "ticker": market.ticker,
            "outcome_side": "yes" if req["side"] == "bid" else "no",
            "book_side": req["side"],
            "type": "limit",
            "status": status,
            "yes_price_dollars": money(req["price"]),
            "no_price_dollars": money(ONE - req["price"]),
            "fill_count_fp": count_fp(filled),
            "remaining_count_fp": count_fp(count - filled if resting else ZERO),
            "initial_count_fp": count_fp(count),
            "taker_fill_cost_dollars": money(cost),
            "maker_fill_cost_dollars": money(ZERO),
            "taker_fees_dollars": money(fee),
            "maker_fees_dollars": money(ZERO),
            "created_time": iso(now),
            "last_update_time": iso(now),
            "expiration_time": None,
            "self_trade_prevention_type": req["self_trade_prevention_type"],
            "cancel_order_on_pause": req["cancel_order_on_pause"],
            "exchange_index": market.exchange_index or 0,
        }
        self.orders.append(order)
        return order

    def _record_fills(self, order: dict[str, Any], takes: list[_Take], fee: Decimal, now: datetime) -> None:
        weights = [t.count * t.yes_price * (ONE - t.yes_price) for t in takes]
        total = sum(weights, ZERO)
        left = fee
        for index, (take, weight) in enumerate(zip(takes, weights, strict=True)):
            last = index == len(takes) - 1
            share = (
                left if last or total == 0 else (fee * weight / total).quantize(Decimal("0.0001"), ROUND_DOWN)
            )
            left -= share
            fill_id = str(uuid.uuid4())
            self.fills.append(
                {
                    "fill_id": fill_id,
                    "trade_id": fill_id,
                    "order_id": order["order_id"],
                    "ticker": order["ticker"],
                    "market_ticker": order["ticker"],
                    "outcome_side": order["outcome_side"],
                    "book_side": order["book_side"],
                    "count_fp": count_fp(take.count),
                    "yes_price_dollars": money(take.yes_price),
                    "no_price_dollars": money(ONE - take.yes_price),
                    "is_taker": True,
                    "fee_cost": money(share),
                    "created_time": iso(now),
                    "ts": int(now.timestamp()),
                    "exchange_index": order["exchange_index"],
                    "subaccount_number": 0,
                }
            )

    # --- settlement ------------------------------------------------------------------------------------

    def settle(self, ticker: str, result: str, now: datetime) -> None:
        """Determine ``ticker`` as ``yes``/``no``, pay winners, record the account's settlement."""
        market = self.market(ticker)
        if result not in ("yes", "no"):
            raise ValueError(f"settlement result must be 'yes' or 'no', got {result!r}")
        market.status, market.result = "finalized", result
        market.yes_bids.clear()
        market.no_bids.clear()
        for order in self.orders:
            if order["ticker"] == ticker and order["status"] == "resting":
                order.update(status="canceled", remaining_count_fp=count_fp(ZERO), last_update_time=iso(now))
        pos = self.positions.pop(ticker, None)
        if pos is None or (pos.yes_count == 0 and pos.no_count == 0):
            return
        winning = pos.yes_count if result == "yes" else pos.no_count
        self.balance += winning
        self.settlements.append(
            {
                "ticker": ticker,
                "event_ticker": market.event_ticker,
                "exchange_index": market.exchange_index or 0,
                "market_result": result,
                "yes_count_fp": count_fp(pos.yes_count),
                "yes_total_cost_dollars": money(pos.yes_cost),
                "no_count_fp": count_fp(pos.no_count),
                "no_total_cost_dollars": money(pos.no_cost),
                "revenue": int(winning * 100),
                "settled_time": iso(now),
                "fee_cost": money(pos.fees),
                "value": 100 if result == "yes" else 0,
            }
        )


def _paid(side: str, yes_price: Decimal) -> Decimal:
    """Dollars paid per contract: the YES price for a bid, the NO price for an ask."""
    return yes_price if side == "bid" else ONE - yes_price
