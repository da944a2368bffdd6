"""Own overhead of the Kalshi client per request, against the local fake Kalshi.

Two measurements per scenario (N calls each, interleaved to share the machine's noise):

A. paired difference: (client call) - (raw httpx request of the same URL with pre-built headers on a
   warm connection, body read, no parsing). This isolates what the client adds: building the request,
   signing (for account calls), JSON decoding, pydantic validation and domain conversion.
B. time outside the transport: the client gets an httpx.Client whose transport times every
   ``handle_request`` (the socket round trip incl. the server); total - transport = everything above the
   socket, httpx's own client layer included, so B is an upper bound on our share.

Target: < 2 ms of own time per request (p50). Run: ``.venv/bin/python bench/bench_kalshi_client.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.domain.models import Asset
from kalshi_bots.sandbox.kalshi import PREFIX, FakeKalshi
from kalshi_bots.sandbox.kalshi.demo import seed_demo_markets

N = 300
KEY_ID = "bench-key"


class TimingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.spent = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()  # the body transfer belongs to the round trip, not to us
        self.spent += time.perf_counter() - started
        return response

    def close(self) -> None:
        self.inner.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    name: str,
    call: Callable[[], object],
    raw: Callable[[], object],
    transport: TimingTransport,
) -> None:
    for _ in range(20):  # warm connections, caches and pydantic validators
        call()
        raw()
    diffs, outside, totals, raws = [], [], [], []
    for _ in range(N):
        t0 = time.perf_counter()
        raw()
        t1 = time.perf_counter()
        transport.spent = 0.0
        call()
        t2 = time.perf_counter()
        raws.append(t1 - t0)
        totals.append(t2 - t1)
        diffs.append((t2 - t1) - (t1 - t0))
        outside.append((t2 - t1) - transport.spent)
    ms = 1000.0
    print(
        f"{name:<32} total p50 {statistics.median(totals) * ms:5.2f}"
        f" | raw httpx p50 {statistics.median(raws) * ms:5.2f}"
        f" | A own p50 {statistics.median(diffs) * ms:5.2f} p99 {pct(diffs, 0.99) * ms:5.2f}"
        f" | B above-transport p50 {statistics.median(outside) * ms:5.2f}"
        f" p99 {pct(outside, 0.99) * ms:5.2f}  (ms)"
    )


def main() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    with FakeKalshi(balance=Decimal(10**6), max_skew_ms=60_000) as fake:
        fake.register_key(KEY_ID, rsa_key.public_key())
        fake.register_key("bench-ed", ed_key.public_key())
        seed_demo_markets(fake, now, {Asset.BTC: Decimal("97234.5"), Asset.ETH: Decimal("3412.2")})
        event = next(iter(fake.state.events))
        ticker = fake.state.events[event].market_tickers[10]
        transport = TimingTransport()
        http = httpx.Client(transport=transport, timeout=5)
        rsa_signer = KalshiSigner(KEY_ID, rsa_key)
        ed_signer = KalshiSigner("bench-ed", ed_key)
        client = KalshiClient(fake.url, signer=rsa_signer, http=http, retry=RetryPolicy(attempts=1))
        ed_client = KalshiClient(fake.url, signer=ed_signer, http=http, retry=RetryPolicy(attempts=1))
        raw_http = httpx.Client(base_url=fake.server.url, timeout=5)

        def raw_get(
            path: str, params: dict[str, str] | None = None, signer: KalshiSigner | None = None
        ) -> Callable[[], object]:
            # Headers signed once: the baseline must not pay for signing (the fake allows 60 s of skew).
            headers = signer.headers("GET", PREFIX + path) if signer else {}
            return lambda: raw_http.get(PREFIX + path, params=params, headers=headers).content

        print(f"Kalshi client overhead, N={N} per scenario, fake on 127.0.0.1 (shared 2-core machine)")
        run(
            "get_market (1 market)",
            lambda: client.get_market(ticker),
            raw_get(f"/markets/{ticker}"),
            transport,
        )
        run(
            "get_event (21 nested markets)",
            lambda: client.get_event(event),
            raw_get(f"/events/{event}", {"with_nested_markets": "true"}),
            transport,
        )
        rsa_balance = raw_get("/portfolio/balance", signer=rsa_signer)
        run("balance (signed, RSA-PSS 2048)", client.balance, rsa_balance, transport)
        ed_balance = raw_get("/portfolio/balance", signer=ed_signer)
        run("balance (signed, Ed25519)", ed_client.balance, ed_balance, transport)
        started = time.perf_counter()
        for _ in range(N):
            rsa_signer.headers("GET", "/trade-api/v2/portfolio/balance")
        print(f"{'  one RSA-PSS signature alone':<32} {(time.perf_counter() - started) / N * 1000:5.2f} ms")
        raw_http.close()
        client.close()


if __name__ == "__main__":
    main()
