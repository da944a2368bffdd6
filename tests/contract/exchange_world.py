"""The world of the Exchange contract suite: one fake Kalshi, seeded the same way for every implementation.

Each test gets a :class:`Venue`: the fake Kalshi server on 127.0.0.1 (on a manual clock), and an
:class:`~kalshi_bots.ports.exchange.Exchange` in front of it:

- ``paper``: :class:`~kalshi_bots.adapters.paper.PaperExchange` over the fake's public market data
  (an unsigned :class:`~kalshi_bots.adapters.kalshi.KalshiClient`), its wallet in a memory store;
- ``kalshi``: the real :class:`~kalshi_bots.adapters.kalshi.KalshiClient`, signed with an Ed25519 key
  generated for the test and registered on the fake (the fake verifies every signature).

Both start with the same cash, so the same test can assert the same balances.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.ports.exchange import Exchange
from kalshi_bots.sandbox.kalshi import FakeKalshi, FakeMarket

IMPLEMENTATIONS = ("paper", "kalshi")
KEY_ID = "contract-suite-key"
D = Decimal

NOW = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)  # 09:45 EST: the hourly bot's :45 run
SERIES = "KXBTCD"
SHARD = 2  # crypto events live on exchange shard 2
EVENT = "KXBTCD-26NOV2410"  # closes 10:00 EST = 15:00 UTC
CLOSE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
STRIKES = ("100149.99", "100249.99", "100349.99")
TICKERS = tuple(f"{EVENT}-T{s}" for s in STRIKES)
TICKER = TICKERS[1]  # the quoted one
NEXT_EVENT = "KXBTCD-26NOV2411"
PAST_EVENT = "KXBTCD-26NOV2409"  # closed at 14:00 UTC, before NOW
PAST_TICKER = f"{PAST_EVENT}-T100249.99"
OTHER_SERIES = "KXHIGHNY"  # a second series with a fee multiplier, to show fees are per series
OTHER_EVENT = "KXHIGHNY-26NOV24"
OTHER_TICKER = f"{OTHER_EVENT}-B45.5"

# The quote on TICKER: YES bid 0.20 / YES ask 0.25, so NO costs 0.80 and YES costs 0.25.
YES_BID, YES_ASK = D("0.20"), D("0.25")
TOP_SIZE = D(500)
STARTING_CASH = D(1000)

FAST = RetryPolicy(attempts=2, base_delay_s=0, max_delay_s=0, sleep=lambda _s: None)


@dataclass(frozen=True, slots=True)
class Venue:
    kind: str  # "paper" | "kalshi"
    exchange: Exchange
    fake: FakeKalshi
    clock: ManualClock

    @property
    def is_paper(self) -> bool:
        return self.kind == "paper"


def _market(event: str, strike: str, close: datetime) -> FakeMarket:
    return FakeMarket(
        ticker=f"{event}-T{strike}",
        event_ticker=event,
        close_time=close,
        strike_type="greater",
        floor_strike=D(strike),
    )


def seed(fake: FakeKalshi) -> None:
    fake.add_series(SERIES, "quadratic")
    fake.add_series(OTHER_SERIES, "quadratic", D("0.5"))
    fake.add_event(EVENT, SERIES, *(_market(EVENT, s, CLOSE) for s in STRIKES), exchange_index=SHARD)
    fake.add_event(
        NEXT_EVENT, SERIES, _market(NEXT_EVENT, "100249.99", CLOSE + timedelta(hours=1)), exchange_index=SHARD
    )
    fake.add_event(
        PAST_EVENT, SERIES, _market(PAST_EVENT, "100249.99", CLOSE - timedelta(hours=1)), exchange_index=SHARD
    )
    weather = FakeMarket(
        ticker=OTHER_TICKER,
        event_ticker=OTHER_EVENT,
        close_time=NOW + timedelta(hours=12),
        strike_type="between",
        floor_strike=D(45),
        cap_strike=D(46),
    )
    fake.add_event(OTHER_EVENT, OTHER_SERIES, weather, exchange_index=0)
    fake.set_quote(TICKER, yes_bid=YES_BID, yes_ask=YES_ASK, size=TOP_SIZE)
    fake.set_quote(PAST_TICKER, yes_bid=YES_BID, yes_ask=YES_ASK, size=TOP_SIZE)


@contextmanager
def open_venue(kind: str) -> Iterator[Venue]:
    clock = ManualClock(NOW)
    # page_size 2: every list (events, orders, fills, settlements) crosses pages.
    with ExitStack() as stack:
        fake = stack.enter_context(FakeKalshi(clock=clock.now, balance=STARTING_CASH, page_size=2))
        seed(fake)
        exchange: Exchange
        if kind == "paper":
            public = stack.enter_context(KalshiClient(fake.url, retry=FAST, timeout=5.0))
            exchange = PaperExchange(public, MemoryStore(), clock, starting_balance=STARTING_CASH)
        elif kind == "kalshi":
            signer = KalshiSigner.from_pem(KEY_ID, fake.issue_key(KEY_ID), source="a test key")
            exchange = stack.enter_context(
                KalshiClient(fake.url, signer=signer, retry=FAST, timeout=5.0, lookup_attempts=2)
            )
        else:
            raise AssertionError(f"unknown exchange implementation {kind!r}")
        yield Venue(kind, exchange, fake, clock)
