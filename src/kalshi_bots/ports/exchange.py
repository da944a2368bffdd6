"""The exchange port: what the bots need from Kalshi (or from the paper exchange)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from kalshi_bots.domain.models import (
    Event,
    ExchangeStatus,
    FeeSchedule,
    Fill,
    Market,
    OrderIntent,
    OrderResult,
    Settlement,
)


class MarketData(Protocol):
    """Public market data (no key needed)."""

    def exchange_status(self) -> ExchangeStatus: ...

    def series_fees(self, series_ticker: str) -> FeeSchedule: ...

    def get_event(self, event_ticker: str) -> Event:
        """The event with its nested markets. Raises NotFoundError if it does not exist."""
        ...

    def list_events(self, series_ticker: str, status: str = "open") -> list[Event]:
        """All events of a series (all pages), markets nested."""
        ...

    def get_market(self, ticker: str) -> Market: ...


class Exchange(MarketData, Protocol):
    """Market data plus the account: paper, demo and live all implement this."""

    def balance(self, exchange_index: int | None = None) -> Decimal:
        """Cash available to trade, in dollars. Collateral is per exchange shard (crypto events live on
        shard 2): with ``exchange_index`` the cash on that shard, else the account total."""
        ...

    def create_order(self, intent: OrderIntent) -> OrderResult:
        """Place the order once. On an unknown outcome, looks the order up by client_order_id;
        raises OrderOutcomeUnknownError if it still cannot tell. Never sends twice."""
        ...

    def find_order(self, client_order_id: str, ticker: str) -> OrderResult | None: ...

    def fills(self, since: datetime) -> list[Fill]: ...

    def settlements(self, since: datetime) -> list[Settlement]: ...
