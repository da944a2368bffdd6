"""Paper exchange: real (or sandbox) public market data, simulated fills, a paper balance in the store.

``KALSHI_BOTS_MODE=paper`` wires this in place of the Kalshi account client; the bots cannot tell the
difference (it implements :class:`kalshi_bots.ports.exchange.Exchange`).

Simulation rules:

- **Orders** are taker orders filled at once against the market's current top of book, read with
  ``get_market`` at the moment of the order. A YES ``bid`` fills at the YES ask if that is at or below the
  limit; an ``ask`` (buy NO) fills at the NO ask (``1 - YES bid`` when no NO ask is given) if that is at
  or below ``1 - limit``. No quote, a quote through the limit, or a market that is not ``active`` ->
  nothing fills. Whatever does not fill is cancelled, so ``remaining_count`` is 0 and an order that did
  not fill completely is ``canceled``, as Kalshi reports an IOC's final state.
- **Size**: capped at the displayed size when the market reports one (``yes_ask_size``/``yes_bid_size``);
  otherwise the whole order is assumed to fill.
- **Fees**: the taker fee of the series' fee schedule (``domain.fees``), per order, rounded up to the cent.
  An unknown fee type is refused (``RejectedError``), as the bots would refuse it.
- **Balance**: starts at ``starting_balance``; an order costing more than the balance is rejected with
  ``available_balance_too_low`` (Kalshi's code, HTTP 400). Kept as doc ``paper/balance``.
- **Idempotency**: the order doc keyed by client_order_id is written with ``only_if_absent`` before the
  balance moves, so a resent client_order_id returns the first order and never fills twice.
- **Settlement**: when ``settlements()`` is called, every ticker with a paper position whose market now
  reports ``result`` yes/no is settled once: $1 per winning contract credited, recorded as doc
  ``paper-settlement/<ticker>``. ``settled_at`` is the time we noticed (our clock), not Kalshi's.

Limits (documented, deliberate): no order book depth or price impact beyond the top level; no queue, no
maker fills, no resting orders (every order is IOC-like, GTC included); fills are never fractional;
scalar/voided results are not settled; the balance update is not atomic across processes (one paper
instance per store); latency and partial outages of the real exchange are not simulated.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kalshi_bots.adapters import paper_docs
from kalshi_bots.domain.errors import UnknownFeeTypeError
from kalshi_bots.domain.fees import fee_dollars
from kalshi_bots.domain.markets import ACTIVE_STATUS
from kalshi_bots.domain.models import (
    BookSide,
    Event,
    ExchangeStatus,
    FeeSchedule,
    Fill,
    Market,
    OrderIntent,
    OrderResult,
    OrderStatus,
    Settlement,
)
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.errors import RejectedError
from kalshi_bots.ports.exchange import MarketData
from kalshi_bots.ports.store import DocStore

SERVICE = "paper"
BALANCE_KIND, BALANCE_KEY = "paper", "balance"
ORDER_KIND = "paper-order"
FILL_KIND = "paper-fill"
SETTLEMENT_KIND = "paper-settlement"
_PAPER_NAMESPACE = uuid.UUID("0b7f3c52-2d1e-4c8e-9f6a-5e1d2c3b4a59")
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class _Quote:
    outcome_price: Decimal  # what one contract of the bought outcome costs
    size: Decimal | None


class PaperExchange:
    def __init__(
        self,
        market_data: MarketData,
        store: DocStore,
        clock: Clock,
        starting_balance: Decimal = Decimal(1000),
    ) -> None:
        if not starting_balance.is_finite() or starting_balance < 0:
            raise ValueError(f"paper starting_balance must be a finite amount >= 0, got {starting_balance}")
        self._data = market_data
        self._store = store
        self._clock = clock
        self._starting_balance = starting_balance
        self._lock = threading.Lock()

    # --- market data: delegated ---------------------------------------------------------------
    def exchange_status(self) -> ExchangeStatus:
        return self._data.exchange_status()

    def series_fees(self, series_ticker: str) -> FeeSchedule:
        return self._data.series_fees(series_ticker)

    def get_event(self, event_ticker: str) -> Event:
        return self._data.get_event(event_ticker)

    def list_events(self, series_ticker: str, status: str = "open") -> list[Event]:
        return self._data.list_events(series_ticker, status)

    def get_market(self, ticker: str) -> Market:
        return self._data.get_market(ticker)

    # --- account ----------------------------------------------------------------------------------
    def balance(self, exchange_index: int | None = None) -> Decimal:
        # The paper wallet has one pot: shards are a collateral detail of the real exchange.
        text = self._store.get_doc(BALANCE_KIND, BALANCE_KEY)
        if text is None:
            return self._starting_balance
        return Decimal(json.loads(text)["balance"])

    def _set_balance(self, value: Decimal) -> None:
        self._store.put_doc(BALANCE_KIND, BALANCE_KEY, json.dumps({"balance": str(value)}))

    def create_order(self, intent: OrderIntent) -> OrderResult:
        if intent.count <= 0:
            raise RejectedError(
                SERVICE, f"order count must be positive, got {intent.count}", "invalid_parameters"
            )
        with self._lock:
            existing = self.find_order(intent.client_order_id, intent.ticker)
            if existing is not None:
                return existing
            market = self._data.get_market(intent.ticker)
            fees = self._data.series_fees(intent.ticker.split("-", 1)[0])
            now = self._clock.now()
            order_id = str(uuid.uuid5(_PAPER_NAMESPACE, intent.client_order_id))
            count, price = self._fillable(market, intent)
            fee = Decimal(0)
            if count > 0:
                try:
                    fee = fee_dollars(count, price, fees)
                except UnknownFeeTypeError as exc:
                    raise RejectedError(SERVICE, str(exc), NoTradeReason.FEE_TYPE_UNKNOWN.value) from exc
                cost = price * count + fee
                balance = self.balance()
                if cost > balance:
                    raise RejectedError(
                        SERVICE,
                        f"order costs {cost} but the paper balance is {balance}",
                        "available_balance_too_low",
                        400,
                    )
            yes_price = price if intent.book_side is BookSide.BID else _ONE - price
            result = OrderResult(
                order_id=order_id,
                client_order_id=intent.client_order_id,
                ticker=intent.ticker,
                fill_count=Decimal(count),
                remaining_count=Decimal(0),  # nothing rests: the unfilled rest is cancelled
                average_fill_price=yes_price if count > 0 else None,
                fees_paid=fee,
                status=OrderStatus.EXECUTED if count == intent.count else OrderStatus.CANCELED,
            )
            if not self._store.put_doc(
                ORDER_KIND,
                intent.client_order_id,
                paper_docs.dumps(
                    result, book_side=intent.book_side, limit_yes_price=intent.yes_price, created_at=now
                ),
                only_if_absent=True,
            ):
                found = self.find_order(intent.client_order_id, intent.ticker)
                if found is None:
                    raise RejectedError(SERVICE, "order doc vanished", "internal")
                return found
            if count > 0:
                self._set_balance(self.balance() - price * count - fee)
                fill = Fill(
                    order_id,
                    intent.ticker,
                    Decimal(count),
                    yes_price,
                    intent.book_side,
                    fee,
                    now,
                    intent.client_order_id,
                )
                self._store.put_doc(FILL_KIND, f"{now.isoformat()}#{order_id}", paper_docs.dumps(fill))
            return result

    def _fillable(self, market: Market, intent: OrderIntent) -> tuple[int, Decimal]:
        """(contracts that fill, outcome price per contract)."""
        quote = _quote(market, intent.book_side)
        if market.status != ACTIVE_STATUS or quote is None or quote.outcome_price > intent.outcome_price:
            return 0, intent.outcome_price
        count = intent.count
        if quote.size is not None:
            count = min(count, int(quote.size))
        return max(0, count), quote.outcome_price

    def find_order(self, client_order_id: str, ticker: str) -> OrderResult | None:
        text = self._store.get_doc(ORDER_KIND, client_order_id)
        return None if text is None else paper_docs.loads(OrderResult, text)

    def fills(self, since: datetime) -> list[Fill]:
        found = [paper_docs.loads(Fill, text) for _, text in self._store.list_docs(FILL_KIND)]
        return [f for f in found if f.created_at >= since]

    def settlements(self, since: datetime) -> list[Settlement]:
        self._settle_positions()
        found = [paper_docs.loads(Settlement, text) for _, text in self._store.list_docs(SETTLEMENT_KIND)]
        return [s for s in found if s.settled_at >= since]

    def _settle_positions(self) -> None:
        positions: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
        for _, text in self._store.list_docs(FILL_KIND):
            fill = paper_docs.loads(Fill, text)
            yes, no, fees = positions.get(fill.ticker, (Decimal(0), Decimal(0), Decimal(0)))
            if fill.book_side is BookSide.BID:
                yes += fill.count
            else:
                no += fill.count
            positions[fill.ticker] = (yes, no, fees + fill.fee)
        for ticker, (yes, no, fees) in sorted(positions.items()):
            if self._store.get_doc(SETTLEMENT_KIND, ticker) is not None:
                continue
            market = self._data.get_market(ticker)
            if market.result not in ("yes", "no"):
                continue
            revenue = yes if market.result == "yes" else no
            settlement = Settlement(ticker, market.result, yes, no, revenue, fees, self._clock.now())
            with self._lock:
                if self._store.put_doc(
                    SETTLEMENT_KIND, ticker, paper_docs.dumps(settlement), only_if_absent=True
                ):
                    self._set_balance(self.balance() + revenue)


def _quote(market: Market, side: BookSide) -> _Quote | None:
    """Best price to *buy* the outcome of ``side``; ``None`` when there is no real quote."""
    if side is BookSide.BID:
        ask = market.yes_ask
        if ask is None or not (0 < ask < 1):
            return None
        return _Quote(ask, market.yes_ask_size)
    no_ask = market.no_ask
    if no_ask is None and market.yes_bid is not None:
        no_ask = _ONE - market.yes_bid
    if no_ask is None or not (0 < no_ask < 1):
        return None
    return _Quote(no_ask, market.yes_bid_size)  # buying NO lifts the YES bids
