"""Lenient wire models of the account endpoints (balance, orders, fills, settlements, positions).

Same rules as :mod:`kalshi_bots.adapters.kalshi.wire`: unknown fields ignored, enum-like fields kept as
``str``, ``*_dollars``/``*_fp`` parsed to ``Decimal``; conversions raise ValueError on unusable data.

Counts, fill costs and fees are required (``ReqDec``): if Kalshi stopped sending ``fill_count_fp`` an
order must not read "0 filled" while its status says ``executed``, nor a settlement "0 contracts". A
missing amount makes the reply malformed; the client then fails closed (an order POST's reply is
resolved by looking the order up, never assumed unfilled).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from kalshi_bots.adapters.kalshi.wire import Dec, ReqDec, Wire, utc, when
from kalshi_bots.domain.models import BookSide, Fill, OrderResult, OrderStatus, Settlement

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CENTS = Decimal(100)
_CENT = Decimal("0.01")
_FEE_QUANTUM = Decimal("0.0001")
_PRICE_QUANTUM = Decimal("0.000001")  # responses carry up to 6 decimals


# --- account -----------------------------------------------------------------------------------------


class IndexedBalanceWire(Wire):
    exchange_index: int
    balance: Dec = None


class BalanceResponse(Wire):
    balance: int | None = None  # integer cents, truncated (reference §3.6)
    balance_dollars: Dec = None  # exact; preferred
    balance_breakdown: list[IndexedBalanceWire] | None = None

    def dollars(self) -> Decimal | None:
        if self.balance_dollars is not None:
            return self.balance_dollars
        return None if self.balance is None else Decimal(self.balance) / _CENTS


class CreateOrderResponse(Wire):
    order_id: str
    client_order_id: str = ""
    fill_count: ReqDec
    remaining_count: ReqDec
    average_fill_price: Dec = None  # present only when something filled (reference §3.7)
    average_fee_paid: Dec = None
    ts_ms: int | None = None

    def to_domain(self, ticker: str, requested: Decimal, client_order_id: str) -> OrderResult:
        filled, remaining = self.fill_count, self.remaining_count
        if filled > 0 and (self.average_fill_price is None or self.average_fee_paid is None):
            raise ValueError(
                f"order {self.order_id} filled {filled} but lacks average_fill_price or average_fee_paid"
            )
        fees = order_fee(self.average_fee_paid, filled)
        # IOC/FOK report remaining 0 after cancelling the rest, so compare with what we asked for.
        if filled >= requested:
            status = OrderStatus.EXECUTED
        elif remaining > 0:
            status = OrderStatus.RESTING
        else:
            status = OrderStatus.CANCELED
        return OrderResult(
            order_id=self.order_id,
            client_order_id=self.client_order_id or client_order_id,
            ticker=ticker,
            fill_count=filled,
            remaining_count=remaining,
            average_fill_price=self.average_fill_price if filled > 0 else None,
            fees_paid=fees,
            status=status,
        )


def order_fee(average: Decimal | None, filled: Decimal) -> Decimal:
    """The order's total fee, rebuilt from Kalshi's rounded per-contract average.

    ``average_fee_paid`` is rounded to its last decimal place, so ``average x filled`` can miss the
    total by up to ``filled`` half-units of that place: a $3.73 fee on 333 contracts is reported as
    0.011201 and multiplies back to 3.729933. Members are charged whole cents per order (reference §5,
    the rounding fee), so a whole-cent total inside that error is the fee; otherwise (a direct member's
    $0.0001 precision) the product is kept to $0.0001. Reconcile later books the exact fee from fills.
    """
    if average is None or filled <= 0:
        return _ZERO
    product = average * filled
    exponent = average.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    error = filled * Decimal(5).scaleb(-places - 1)
    cents = product.quantize(_CENT)
    if abs(cents - product) <= error:
        return cents.quantize(_FEE_QUANTUM)
    return product.quantize(_FEE_QUANTUM)


def _book_side(book_side: str | None, outcome_side: str | None, where: str) -> BookSide:
    if book_side in ("bid", "ask"):
        return BookSide(book_side)
    # Older payloads carry only the outcome: yes == bid, no == ask (reference §0.1 item 9).
    if outcome_side in ("yes", "no"):
        return BookSide.BID if outcome_side == "yes" else BookSide.ASK
    raise ValueError(f"{where} has no usable book_side/outcome_side ({book_side!r}/{outcome_side!r})")


class OrderWire(Wire):
    order_id: str
    client_order_id: str = ""
    ticker: str
    status: str = ""
    book_side: str | None = None
    outcome_side: str | None = None
    yes_price_dollars: Dec = None
    fill_count_fp: ReqDec
    remaining_count_fp: ReqDec
    initial_count_fp: Dec = None
    taker_fill_cost_dollars: ReqDec
    maker_fill_cost_dollars: ReqDec
    taker_fees_dollars: ReqDec
    maker_fees_dollars: ReqDec
    created_time: datetime | None = None

    def to_domain(self) -> OrderResult:
        filled = self.fill_count_fp
        cost = self.taker_fill_cost_dollars + self.maker_fill_cost_dollars
        average: Decimal | None = None
        if filled > 0 and cost > 0:
            # UNCERTAIN: fill cost is what the member paid, i.e. NO dollars for an ask (buying NO).
            # OrderResult wants the YES-book price, so flip it back for asks.
            paid = cost / filled
            side = _book_side(self.book_side, self.outcome_side, f"order {self.order_id}")
            average = (paid if side is BookSide.BID else _ONE - paid).quantize(_PRICE_QUANTUM)
        return OrderResult(
            order_id=self.order_id,
            client_order_id=self.client_order_id,
            ticker=self.ticker,
            fill_count=filled,
            remaining_count=self.remaining_count_fp,
            average_fill_price=average,
            fees_paid=self.taker_fees_dollars + self.maker_fees_dollars,
            status=order_status(self.status, filled, self.remaining_count_fp),
        )


def order_status(raw: str, filled: Decimal, remaining: Decimal) -> OrderStatus:
    """Kalshi's order ``status``; when it is missing or a word this code does not know (``pending``), what
    the counts say: something left to fill is resting (reconcile waits for it), else it is done."""
    try:
        return OrderStatus(raw)
    except ValueError:
        pass
    if remaining > 0:
        return OrderStatus.RESTING
    return OrderStatus.EXECUTED if filled > 0 else OrderStatus.CANCELED


class OrdersPage(Wire):
    orders: list[OrderWire] = Field(default_factory=list)
    cursor: str | None = None


class FillWire(Wire):
    fill_id: str = ""
    order_id: str
    ticker: str | None = None
    market_ticker: str | None = None
    book_side: str | None = None
    outcome_side: str | None = None
    count_fp: ReqDec
    yes_price_dollars: ReqDec
    fee_cost: ReqDec
    is_taker: bool | None = None
    created_time: datetime | None = None
    ts: int | None = None
    client_order_id: str | None = None

    def to_domain(self) -> Fill:
        ticker = self.ticker or self.market_ticker
        if not ticker:
            raise ValueError(f"fill {self.fill_id or self.order_id} has neither ticker nor market_ticker")
        return Fill(
            order_id=self.order_id,
            ticker=ticker,
            count=self.count_fp,
            yes_price=self.yes_price_dollars,
            book_side=_book_side(self.book_side, self.outcome_side, f"fill {self.fill_id}"),
            fee=self.fee_cost,
            created_at=when(self.created_time, self.ts, f"fill {self.fill_id}"),
            client_order_id=self.client_order_id,
        )


class FillsPage(Wire):
    fills: list[FillWire] = Field(default_factory=list)
    cursor: str | None = None


class SettlementWire(Wire):
    ticker: str
    event_ticker: str = ""
    market_result: str = ""
    yes_count_fp: ReqDec
    no_count_fp: ReqDec
    revenue: int  # integer cents (reference §3.9)
    fee_cost: ReqDec
    settled_time: datetime

    def to_domain(self) -> Settlement:
        return Settlement(
            ticker=self.ticker,
            market_result=self.market_result,
            yes_count=self.yes_count_fp,
            no_count=self.no_count_fp,
            revenue=Decimal(self.revenue) / _CENTS,
            fee_cost=self.fee_cost,
            settled_at=utc(self.settled_time),
        )


class SettlementsPage(Wire):
    settlements: list[SettlementWire] = Field(default_factory=list)
    cursor: str | None = None
