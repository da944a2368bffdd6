"""Value objects shared by every layer.

Conventions (read these before using any field):
- Money and prices from the wire are ``Decimal`` in **dollars** (Kalshi's ``*_dollars`` strings);
  a contract pays $1, so a price is also an implied probability.
- Contract counts are ``Decimal`` on the wire (``*_fp``) but whole contracts in our orders.
- Every ``datetime`` is timezone-aware UTC. ``America/New_York`` appears only in ticker/time rules.
- Volatility figures are percentages (``0.19`` means 0.19 %), see :mod:`kalshi_bots.domain.volatility`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self

from kalshi_bots.domain.errors import UnknownBotError

VOL_WINDOWS_MINUTES: tuple[int, ...] = (15, 30, 60, 90, 120)


class Asset(StrEnum):
    BTC = "BTC"
    ETH = "ETH"

    @property
    def coinbase_product(self) -> str:
        return f"{self.value}-USD"

    @property
    def hourly_series(self) -> str:
        return f"KX{self.value}D"


class Bot(StrEnum):
    """Who placed a trade and whose budget it spends. The values are stored (trade records, budget keys,
    snapshots) and are part of every client_order_id: they never change."""

    BTC_HOURLY = "btc-hourly"
    ETH_HOURLY = "eth-hourly"
    WEATHER = "weather"
    # Not a trading bot: reconcile's name for an order found on the exchange but missing from the log.
    DISCOVERED = "discovered"

    @classmethod
    def hourly(cls, asset: Asset) -> Bot:
        return cls.BTC_HOURLY if asset is Asset.BTC else cls.ETH_HOURLY

    @property
    def is_hourly(self) -> bool:
        return self in (Bot.BTC_HOURLY, Bot.ETH_HOURLY)


# The bots that trade (each has a budget, a scorecard and a line in ``status``).
TRADING_BOTS: tuple[Bot, ...] = (Bot.BTC_HOURLY, Bot.ETH_HOURLY, Bot.WEATHER)


class Mode(StrEnum):
    """Where orders go. ``paper`` is the default; ``live`` is never chosen implicitly."""

    PAPER = "paper"
    DEMO = "demo"
    LIVE = "live"


@dataclass(frozen=True, slots=True)
class PriceTick:
    asset: Asset
    at: datetime  # aware UTC, truncated to the minute for stored rows
    price: Decimal  # USD


@dataclass(frozen=True, slots=True)
class WindowVolatility:
    """Metrics over one trailing window. ``None`` metrics mean "insufficient samples", never zero."""

    window_minutes: int
    samples: int
    std_pct: float | None  # sd of the move over a horizon equal to the window... see volatility.py
    range_pct: float | None
    max_move_pct: float | None

    @property
    def sufficient(self) -> bool:
        return self.std_pct is not None


@dataclass(frozen=True, slots=True)
class VolatilitySnapshot:
    """The ``VOL/LATEST`` item: metrics for each window plus when they were computed."""

    asset: Asset
    computed_at: datetime
    windows: tuple[WindowVolatility, ...]
    last_price: Decimal | None = None
    # The trailing minute prices (at most the longest window + 1) the metrics came from. Kept in the
    # VOL item so a collector run reads one item instead of querying 120 price rows every minute.
    recent_prices: tuple[PriceTick, ...] = ()

    def window(self, minutes: int) -> WindowVolatility | None:
        for w in self.windows:
            if w.window_minutes == minutes:
                return w
        return None


class LenientEnum(StrEnum):
    """A wire enum Kalshi may extend: a value this code does not know reads as ``UNKNOWN`` (tolerated on
    read, never traded). Subclasses define an ``UNKNOWN`` member."""

    @classmethod
    def parse(cls, raw: str | None) -> Self:
        unknown = cls["UNKNOWN"]
        try:
            return cls(raw) if raw else unknown
        except ValueError:
            return unknown


class StrikeType(LenientEnum):
    GREATER = "greater"
    GREATER_OR_EQUAL = "greater_or_equal"
    LESS = "less"
    LESS_OR_EQUAL = "less_or_equal"
    BETWEEN = "between"
    FUNCTIONAL = "functional"
    CUSTOM = "custom"
    STRUCTURED = "structured"
    UNKNOWN = "unknown"  # any value Kalshi adds later: tolerated on read, never traded


@dataclass(frozen=True, slots=True)
class PriceRange:
    """One band of a market's tick grid (Kalshi ``price_ranges``): ``start..end`` in steps of ``step``."""

    start: Decimal
    end: Decimal
    step: Decimal


@dataclass(frozen=True, slots=True)
class Market:
    """One binary market. Quotes are dollars; ``None`` means no quote on that side."""

    ticker: str
    event_ticker: str
    strike_type: StrikeType
    floor_strike: Decimal | None
    cap_strike: Decimal | None
    close_time: datetime
    yes_bid: Decimal | None
    yes_ask: Decimal | None
    no_bid: Decimal | None
    no_ask: Decimal | None
    status: str = "active"
    rules_primary: str = ""
    exchange_index: int | None = None
    # Settlement outcome once determined: "yes" | "no" | "scalar" | "" (not yet). The paper exchange
    # settles its positions from it (Kalshi's ``result`` field).
    result: str = ""
    # Displayed size at the best YES ask / YES bid (contracts), when the source reports it. The paper
    # exchange caps an IOC fill at it; None = unknown (assume the order fills).
    yes_ask_size: Decimal | None = None
    yes_bid_size: Decimal | None = None
    # The tick grid orders must sit on (Kalshi ``price_ranges``); () = unknown, the wire's 4 decimals apply.
    price_ranges: tuple[PriceRange, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    event_ticker: str
    series_ticker: str
    markets: tuple[Market, ...] = ()
    exchange_index: int | None = None
    # Kalshi lets an event override its series' fee type/multiplier (fee_*_override); None = no override.
    fee_type_override: str | None = None
    fee_multiplier_override: Decimal | None = None


class FeeType(LenientEnum):
    QUADRATIC = "quadratic"
    QUADRATIC_WITH_MAKER_FEES = "quadratic_with_maker_fees"
    QUADRATIC_WITH_COMBO_MAKER_FEES = "quadratic_with_combo_maker_fees"
    FLAT = "flat"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """From ``GET /series/{ticker}`` (``fee_type``, ``fee_multiplier``), event overrides applied."""

    fee_type: FeeType
    multiplier: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class ExchangeStatus:
    exchange_active: bool
    trading_active: bool
    # shard index -> trading active; empty when the API does not report shards
    shards: tuple[tuple[int, bool], ...] = ()

    def shard_trading(self, index: int | None) -> bool:
        """Whether orders can trade on ``index``. Unknown shard -> the exchange-wide flag."""
        if not (self.exchange_active and self.trading_active):
            return False
        for shard, active in self.shards:
            if shard == index:
                return active
        return True


class BookSide(StrEnum):
    """V2 orders act on the YES book: ``bid`` buys YES, ``ask`` sells YES (= buys NO at 1 - price)."""

    BID = "bid"
    ASK = "ask"


class Side(StrEnum):
    """The outcome a contract pays on: YES or NO (what a trade bought)."""

    YES = "YES"
    NO = "NO"


class TimeInForce(StrEnum):
    GOOD_TILL_CANCELED = "good_till_canceled"
    IMMEDIATE_OR_CANCEL = "immediate_or_cancel"
    FILL_OR_KILL = "fill_or_kill"


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order we decided to send. ``yes_price`` is the YES-book limit in dollars."""

    ticker: str
    book_side: BookSide
    yes_price: Decimal
    count: int
    client_order_id: str
    time_in_force: TimeInForce = TimeInForce.IMMEDIATE_OR_CANCEL
    exchange_index: int | None = None

    @property
    def side(self) -> Side:
        return Side.YES if self.book_side is BookSide.BID else Side.NO

    @property
    def outcome_price(self) -> Decimal:
        """Price paid per contract of the outcome bought (NO price for an ``ask``)."""
        return self.yes_price if self.book_side is BookSide.BID else Decimal(1) - self.yes_price


class OrderStatus(StrEnum):
    """An exchange order's state (Kalshi's ``status``; the paper exchange uses the same words)."""

    RESTING = "resting"
    CANCELED = "canceled"
    EXECUTED = "executed"


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What the exchange says about one order (create response or order lookup)."""

    order_id: str
    client_order_id: str
    ticker: str
    fill_count: Decimal
    remaining_count: Decimal
    average_fill_price: Decimal | None = None  # YES-book dollars, as the exchange reports it
    fees_paid: Decimal = Decimal(0)  # total dollars for the order
    status: OrderStatus = OrderStatus.EXECUTED


@dataclass(frozen=True, slots=True)
class Fill:
    order_id: str
    ticker: str
    count: Decimal
    yes_price: Decimal
    book_side: BookSide
    fee: Decimal
    created_at: datetime
    client_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    ticker: str
    market_result: str  # "yes" | "no" | other values tolerated
    yes_count: Decimal
    no_count: Decimal
    revenue: Decimal  # dollars credited
    fee_cost: Decimal
    settled_at: datetime


class TradeStatus(StrEnum):
    """Spec statuses plus ``pending``: written before the order is sent, resolved by reconcile."""

    PENDING = "pending"
    EXECUTED = "executed"
    FAILED = "failed"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One ``BTCTradeLog`` row: the spec's attributes plus what reconciliation needs.

    ``price_cents`` is the price paid per contract of ``side`` in cents (Decimal: sub-cent ticks
    exist). ``model_prob``/``market_prob``/``edge`` are probabilities (0..1); the spec's
    "percentage points" are ``edge * 100``.
    """

    created_at: datetime  # the sort key (ISO-8601 UTC with offset)
    client_order_id: str
    bot: Bot
    mode: Mode
    contract_ticker: str
    side: Side
    quantity: int
    price_cents: Decimal
    btc_price: Decimal | None  # spot of the underlying at decision time (weather: None)
    strike_price: Decimal | None
    model_prob: float
    market_prob: float
    edge: float
    kelly_fraction: float
    status: TradeStatus
    order_id: str | None = None
    fill_count: Decimal = Decimal(0)
    fees_dollars: Decimal = Decimal(0)
    settlement_result: str | None = None
    pnl_dollars: Decimal | None = None
    # A reason's value (domain/reasons.py: not_filled, kill_switch...), "order_rejected: <code>: <message>"
    # (:func:`kalshi_bots.domain.orders.rejection_text`) or reconcile's words for a repair. Stored as is.
    reason: str = ""
    scheduled_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class BudgetReservation:
    """``amount`` dollars of ``bot``'s budget for ``day`` (ET date) held under ``reservation_id``.

    Identified by id *and* amount: asking again for the same id with a larger amount holds only the
    difference more; a smaller amount never shrinks what is held (see ``Store.reserve_budget``).
    ``at`` is when it was asked for: stores keep the latest, so reconcile can tell a reservation a
    run is still using from one a crash left behind.
    """

    bot: Bot
    day: date
    amount: Decimal
    reservation_id: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """Daily limits in dollars. ``per_bot`` maps bot -> limit; ``global_limit`` caps the sum."""

    global_limit: Decimal
    per_bot: tuple[tuple[Bot, Decimal], ...] = field(default_factory=tuple)
    daily_loss_limit: Decimal = Decimal(0)  # 0 = no loss halt configured

    def limit_for(self, bot: Bot) -> Decimal:
        """The bot's own limit. A bot without one is an error, never the global limit: fail closed."""
        for name, limit in self.per_bot:
            if name == bot:
                return limit
        raise UnknownBotError(f"no daily budget limit for bot {bot!r} (limits exist for {self.bots()})")

    def bots(self) -> list[str]:
        return [bot.value for bot, _ in self.per_bot]


@dataclass(frozen=True, slots=True)
class BudgetState:
    bot: Bot
    day: date
    limit: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), self.limit - self.spent)


class RunStatus(StrEnum):
    """A scheduled run's recorded outcome (the job-run row; ``status`` shows it)."""

    RUNNING = "running"
    OK = "ok"
    NO_TRADE = "no-trade"
    SKIPPED = "skipped"  # e.g. a late collector run older than VOL/LATEST
    ERROR = "error"
    # Failed before anything irreversible (timeout, 5xx, store hiccup): a platform retry may claim it again.
    ERROR_TRANSIENT = "error-transient"
    ABANDONED = "abandoned"  # never stored: shown for a run still ``running`` past its lease


@dataclass(frozen=True, slots=True)
class JobRun:
    """One scheduled run of a job, identified by (job, scheduled_for)."""

    job: str
    scheduled_for: datetime
    owner: str
    lease_until: datetime
    outcome: RunStatus = RunStatus.RUNNING
    detail: str = ""
