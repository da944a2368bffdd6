"""Wall time of one ``trade-hourly`` decision against the sandbox (zero added latency), and how many
HTTP calls it makes before the order.

Each round gets a fresh SQLite store (so the hour is not "already traded"), one collector run (fresh
VOL/LATEST, not timed), then one timed ``run_job(TRADE_BTC)`` in demo mode: a signed Kalshi client
against the fake Kalshi with a key generated here. The clients are built once and reused, as in the
long-running scheduler or a warm Lambda container (the series fee schedule is cached there); the
first, cold round is reported apart. The timed run includes the reconcile pass after the decision.
Rounds alternate between a forced trade (every strike
quoted with a cheap NO ask) and the market as the fake quotes it (usually a deliberate no-trade).

"Own time" = wall time minus the HTTP round trips, estimated as (calls x the median round trip of a
plain GET to the same fake). Targets: own time <= 50 ms, <= 4 HTTP calls before the order.

    .venv/bin/python bench/bench_trade_decision.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.launch import Sandbox
from kalshi_bots.sandbox.server import FakeServer

KEY_ID = "bench-key"
ORDER_PATH = "/trade-api/v2/portfolio/events/orders"


def settings_for(world: Sandbox, db: Path, key: Path) -> Settings:
    urls = world.urls
    return Settings.from_env(
        {
            "KALSHI_BOTS_MODE": "demo",
            "KALSHI_BOTS_KALSHI_API_KEY_ID": KEY_ID,
            "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH": str(key),
            "KALSHI_BOTS_SQLITE_PATH": str(db),
            "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
            "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
            "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
            "KALSHI_BOTS_NWS_CONTACT": "bench@example.com",
        }
    )


def make_key(world: Sandbox, folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "key.pem"
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    world.kalshi.register_key(KEY_ID, key.public_key())
    return path


def cheapen_no(world: Sandbox, event_ticker: str) -> None:
    with world.kalshi.server.lock:
        tickers = list(world.kalshi.state.events[event_ticker].market_tickers)
    for ticker in tickers:
        world.kalshi.set_quote(ticker, yes_bid=Decimal("0.75"), yes_ask=Decimal("0.77"))


def median_round_trip_ms(url: str, n: int = 50) -> float:
    with httpx.Client() as client:
        client.get(url)
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def calls(server: FakeServer) -> list[tuple[str, str]]:
    with server.lock:
        return [(r.method, r.path) for r in server.requests]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as world:
        folder = Path(tmp)
        key = make_key(world, folder)
        servers = [world.kalshi.server, world.coinbase.server, world.nws.server]
        rtt = median_round_trip_ms(world.urls.kalshi + "/exchange/status")
        at = datetime.now(UTC).replace(minute=45, second=0, microsecond=0)
        figures: dict[str, list[tuple[float, int, int]]] = {"cold": [], "trade": [], "no-trade": []}
        warm = build_deps(settings_for(world, folder / "r0.db", key))
        for i in range(args.rounds):
            deps = replace(warm, store=SqliteStore(folder / f"r{i}.db")) if i else warm
            run_job(deps, JobName.COLLECT_BTC, datetime.now(UTC))  # fresh VOL/LATEST, not timed
            world.advance(datetime.now(UTC))  # requote as the fake would (undoes the last forcing)
            if i % 2 == 0:
                cheapen_no(world, hourly_target(Asset.BTC, at).event_ticker)
            for server in servers:
                server.requests.clear()
            started = time.perf_counter()
            result = run_job(deps, JobName.TRADE_BTC, at)
            wall_ms = (time.perf_counter() - started) * 1000
            kalshi, feeds = calls(world.kalshi.server), calls(world.coinbase.server) + calls(world.nws.server)
            seen = kalshi + feeds
            posts = [n for n, c in enumerate(kalshi) if c == ("POST", ORDER_PATH)]
            # Feed calls come before the order (the decision needs the price); Kalshi's log is ordered.
            before_order = (posts[0] if posts else len(kalshi)) + len(feeds)
            kind = "cold" if i == 0 else "trade" if result.outcome is Outcome.OK else "no-trade"
            figures[kind].append((wall_ms, len(seen), before_order))
            if i < 2:
                print(f"round {i}: {result.outcome.value} {result.reason}; kalshi {kalshi}; feeds {feeds}")
        print(f"median localhost round trip: {rtt:.2f} ms")
        for kind, rows in figures.items():
            if not rows:
                print(f"{kind}: no rounds")
                continue
            wall = statistics.median(r[0] for r in rows)
            http = max(r[1] for r in rows)
            before = max(r[2] for r in rows)
            own = statistics.median(r[0] - r[1] * rtt for r in rows)
            orders = f"{before} before the order (target <= 4)" if kind != "no-trade" else "no order"
            print(
                f"{kind:8} rounds={len(rows):3}  wall median {wall:6.1f} ms  own ~{own:6.1f} ms "
                f"(target <= 50)  HTTP calls {http} total (max), {orders}"
            )


if __name__ == "__main__":
    main()
