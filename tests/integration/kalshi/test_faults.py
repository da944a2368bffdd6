"""Retries and error mapping of safe requests: 429/5xx/timeouts/dropped connections/bad bodies."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.ports.errors import MalformedResponseError, RejectedError, TransientError
from kalshi_bots.sandbox.kalshi import FakeKalshi
from kalshi_bots.sandbox.server import FakeServer, Response

from .conftest import EVENT, KEY_ID, SERIES, SleepLog


def _hits(fake: FakeKalshi, suffix: str) -> int:
    return len([r for r in fake.server.requests if r.path.endswith(suffix)])


def test_429_then_success(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient], sleeps: SleepLog
) -> None:
    fake.fail_next(429, times=2, path="^/events/")
    event = make_client(None).get_event(EVENT)
    assert len(event.markets) == 3
    assert _hits(fake, EVENT) == 3 and len(sleeps.delays) == 2


def test_retry_after_is_honoured(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient], sleeps: SleepLog
) -> None:
    fake.fail_next(429, path="^/events/", retry_after=0.04)
    make_client(None).get_event(EVENT)
    assert sleeps.delays == [pytest.approx(0.04)]


def test_signed_retries_carry_a_fresh_signature(
    fake: FakeKalshi, rsa_key: rsa.RSAPrivateKey, make_client: Callable[..., KalshiClient]
) -> None:
    fake.fail_next(503, times=2, path="^/portfolio/balance$")
    ticks = iter(range(10**12, 10**12 + 10))
    fake.auth_clock_ms = lambda: 10**12
    client = make_client(KalshiSigner(KEY_ID, rsa_key, clock_ms=lambda: next(ticks)))
    assert client.balance() == 100
    stamps = [r.headers["kalshi-access-timestamp"] for r in fake.server.requests]
    assert len(set(stamps)) == 3


def test_5xx_exhaustion_is_transient_and_bounded(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient], policy: RetryPolicy
) -> None:
    fake.fail_next(503, times=None)
    with pytest.raises(TransientError, match=r"HTTP 503 on GET /trade-api/v2/markets/.*after 4 attempts"):
        make_client(None).get_market(ladder[0])
    assert len(fake.server.requests) == policy.attempts


def test_timeout_is_transient(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient]
) -> None:
    fake.delay_next(0.6, times=2, path="^/exchange/status$")
    started = time.monotonic()
    with pytest.raises(TransientError, match="timeout on GET"):
        make_client(None, timeout=0.2, retry=RetryPolicy(attempts=2, base_delay_s=0)).exchange_status()
    assert time.monotonic() - started < 2.0  # the client gave up; it did not wait for the server


def test_dropped_connection_is_retried(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient]
) -> None:
    fake.drop_next(path="^/markets/")
    assert make_client(None).get_market(ladder[1]).ticker == ladder[1]


def test_malformed_json_names_the_endpoint(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient]
) -> None:
    fake.malformed_next(path="^/events$")
    with pytest.raises(MalformedResponseError, match=r"reply to GET /trade-api/v2/events is not JSON"):
        make_client(None).list_events(SERIES)


def test_json_of_the_wrong_shape_names_endpoint_and_field(make_client: Callable[..., KalshiClient]) -> None:
    with FakeServer() as raw:
        raw.route("GET", "/trade-api/v2/markets/X", lambda r: Response.json({"market": {"ticker": "X"}}))
        client = KalshiClient(raw.url + "/trade-api/v2", retry=RetryPolicy(attempts=1))
        with pytest.raises(
            MalformedResponseError, match=r"GET /markets/X .*market\.event_ticker: Field required"
        ):
            client.get_market("X")
        client.close()


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"error": {"code": "invalid_parameters", "message": "bad limit"}},
            "invalid_parameters",
            "bad limit",
        ),
        ({"code": "invalid_parameters", "message": "flat body"}, "invalid_parameters", "flat body"),
        ({"error": "too many cooks"}, "", "too many cooks"),
    ],
)
def test_error_bodies_wrapped_or_flat(body: object, code: str, message: str) -> None:
    with FakeServer() as raw:
        raw.route("GET", "/trade-api/v2/exchange/status", lambda r: Response.json(body, 400))
        client = KalshiClient(raw.url + "/trade-api/v2", retry=RetryPolicy(attempts=1))
        with pytest.raises(RejectedError, match=message) as caught:
            client.exchange_status()
        client.close()
    assert caught.value.code == code and caught.value.status == 400


def test_base_url_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="absolute http"):
        KalshiClient("external-api.kalshi.com/trade-api/v2")
