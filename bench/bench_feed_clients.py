"""Client overhead per request against the local fakes: our time on top of the HTTP round trip.

Run: .venv/bin/python bench/bench_feed_clients.py
For each call: p50/p99 of the client call, p50/p99 of a bare httpx GET of the same URL(s) on a
kept-alive connection, and the difference of the medians (target < 2 ms per request).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx

from kalshi_bots.adapters.coinbase import CoinbaseClient
from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.nws import NwsClient
from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.coinbase_fake import FakeCoinbase
from kalshi_bots.sandbox.nws_fake import FakeNws

N = 300
NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def timings(call: Callable[[], object], n: int = N) -> list[float]:
    for _ in range(20):
        call()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def report(name: str, client_ms: list[float], raw_ms: list[float], requests: int) -> None:
    overhead = (statistics.median(client_ms) - statistics.median(raw_ms)) / requests
    print(
        f"{name:<38} client p50 {statistics.median(client_ms):6.2f} ms p99 {pct(client_ms, 99):6.2f} | "
        f"raw p50 {statistics.median(raw_ms):6.2f} ms p99 {pct(raw_ms, 99):6.2f} | "
        f"overhead/request {overhead:5.2f} ms"
    )


def main() -> None:
    retry = RetryPolicy(attempts=1)
    ua = {"User-Agent": "(bench, ops@example.com)"}
    with FakeCoinbase() as cb, httpx.Client(headers=ua) as raw:
        cb.seed_demo(NOW)
        with CoinbaseClient(cb.url, retry=retry) as client:
            report(
                "coinbase current_price (1 req)",
                timings(lambda: client.current_price(Asset.BTC)),
                timings(lambda: raw.get(f"{cb.url}/products/BTC-USD/ticker")),
                1,
            )
            start = NOW - timedelta(minutes=60)
            params = {"granularity": "60", "start": "2026-11-20T22:00:00Z", "end": "2026-11-20T23:00:00Z"}
            report(
                "coinbase minute_candles 60 min (1 req)",
                timings(lambda: client.minute_candles(Asset.BTC, start, NOW)),
                timings(lambda: raw.get(f"{cb.url}/products/BTC-USD/candles", params=params)),
                1,
            )
    with FakeNws() as fake, httpx.Client(headers=ua) as raw:
        fake.seed_demo(NOW)
        ny = city_for_series("KXHIGHNY")
        with NwsClient(fake.url, user_agent=ua["User-Agent"], clock=lambda: NOW, retry=retry) as nws:
            nws.forecast_high(ny.latitude, ny.longitude, date(2026, 11, 21))  # caches /points
            forecast_url = nws.point(ny.latitude, ny.longitude).forecast_url
            report(
                "nws forecast_high, points cached (1 req)",
                timings(lambda: nws.forecast_high(ny.latitude, ny.longitude, date(2026, 11, 21))),
                timings(lambda: raw.get(forecast_url)),
                1,
            )


if __name__ == "__main__":
    main()
