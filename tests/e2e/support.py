"""Helpers shared by the end-to-end tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from kalshi_bots.sandbox.kalshi import FakeKalshi
from kalshi_bots.sandbox.launch import WEATHER_SERIES, Sandbox

KEY_ID = "e2e-test-key"


def sandbox_env(world: Sandbox, db: Path, **extra: str) -> dict[str, str]:
    urls = world.urls
    env = {
        "KALSHI_BOTS_SQLITE_PATH": str(db),
        "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
        "KALSHI_BOTS_NWS_CONTACT": "e2e@example.com",
        "KALSHI_BOTS_WEATHER_CITIES": ",".join(WEATHER_SERIES),
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
    }
    return env | {f"KALSHI_BOTS_{k}": v for k, v in extra.items()}


def cheapen_no(fake: FakeKalshi, event_ticker: str, no_ask: Decimal = Decimal("0.25")) -> None:
    """Quote every market of the event with a NO ask far below any sensible model price, so the
    hourly bot sees an edge whichever strike it selects."""
    with fake.server.lock:
        tickers = list(fake.state.events[event_ticker].market_tickers)
    for ticker in tickers:
        fake.set_quote(ticker, yes_bid=Decimal(1) - no_ask, yes_ask=Decimal(1) - no_ask + Decimal("0.02"))


def at_minute_45(now: datetime) -> datetime:
    """This hour's :45 (past or coming): its target event (the next top of the hour) is listed."""
    return now.replace(minute=45, second=0, microsecond=0)
