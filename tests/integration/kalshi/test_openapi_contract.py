"""The bodies we send and the fake's replies validate against the saved Kalshi spec (3.28 rebuild).

Needs ../shared/reference/kalshi-openapi.yaml, hence ``shared_data``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import yaml

from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.adapters.kalshi.wire_account import CreateOrderResponse
from kalshi_bots.domain.models import BookSide, OrderIntent, TimeInForce
from kalshi_bots.sandbox.kalshi import PREFIX, FakeKalshi

from .conftest import EVENT, SERIES, strike_market
from .openapi_check import load_spec, problems

pytestmark = pytest.mark.shared_data


@pytest.fixture
def spec_path(shared_dir: Path) -> Path:
    path = shared_dir / "reference" / "kalshi-openapi.yaml"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


def _exercise(client: KalshiClient, fake: FakeKalshi, ladder: list[str]) -> None:
    """Use every endpoint once so the fake holds orders (one resting), fills and settlements."""
    fake.set_exchange_status(shards={0: True, 2: True})
    client.create_order(OrderIntent(ladder[1], BookSide.ASK, Decimal("0.40"), 2, "c-ioc", exchange_index=2))
    gtc = OrderIntent(ladder[2], BookSide.BID, Decimal("0.30"), 1, "c-gtc", TimeInForce.GOOD_TILL_CANCELED)
    client.create_order(gtc)
    client.create_order(OrderIntent(ladder[2], BookSide.BID, Decimal("0.99"), 1, "c-none"))
    fake.settle(ladder[1], "no")
    fake.set_quote(ladder[0], Decimal("0.20"), Decimal("0.30"))
    client.create_order(OrderIntent(ladder[0], BookSide.BID, Decimal("0.30"), 1, "c-open"))


def test_request_bodies_we_send_match_the_spec(
    spec_path: Path, fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    spec = load_spec(spec_path)
    _exercise(client, fake, ladder)
    posts = [r for r in fake.server.requests if r.method == "POST"]
    assert len(posts) == 4
    for request in posts:
        path = request.path[len(PREFIX) :]
        validator = spec.validator(spec.request_schema_name("POST", path))
        assert problems(validator, json.loads(request.body)) == [], path


def test_fake_replies_match_the_spec(
    spec_path: Path, fake: FakeKalshi, ladder: list[str], client: KalshiClient, signer: KalshiSigner
) -> None:
    spec = load_spec(spec_path)
    _exercise(client, fake, ladder)
    since = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    calls: list[tuple[str, str, dict[str, str], int]] = [
        ("GET", "/exchange/status", {}, 200),
        ("GET", f"/series/{SERIES}", {}, 200),
        ("GET", "/events", {"series_ticker": SERIES, "with_nested_markets": "true"}, 200),
        ("GET", "/events", {"status": "settled"}, 200),
        ("GET", f"/events/{EVENT}", {"with_nested_markets": "true"}, 200),
        ("GET", "/markets", {"event_ticker": EVENT}, 200),
        ("GET", f"/markets/{ladder[1]}", {}, 200),
        ("GET", "/portfolio/balance", {}, 200),
        ("GET", "/portfolio/orders", {}, 200),
        ("GET", "/portfolio/fills", {"min_ts": str(since)}, 200),
        ("GET", "/portfolio/settlements", {}, 200),
    ]
    order = {
        "ticker": ladder[0],
        "side": "bid",
        "count": "1",
        "price": "0.30",
        "client_order_id": "c-raw",
        "time_in_force": "immediate_or_cancel",
        "self_trade_prevention_type": "taker_at_cross",
    }
    seen: dict[str, int] = {}
    with httpx.Client(base_url=fake.server.url, timeout=5) as http:
        for method, path, params, status in [*calls, ("POST", "/portfolio/events/orders", {}, 201)]:
            headers = signer.headers(method, PREFIX + path)
            body = order if method == "POST" else None
            reply = http.request(method, PREFIX + path, params=params, headers=headers, json=body)
            assert reply.status_code == status, (path, reply.text)
            payload = reply.json()
            name = spec.response_schema_name(method, path, status)
            assert problems(spec.validator(name), payload) == [], (name, path)
            seen[name] = len(json.dumps(payload))
    # Non-trivial payloads: the lists we validated were not empty.
    assert {"GetOrdersResponse", "GetFillsResponse", "GetSettlementsResponse"} <= set(seen)
    assert all(size > 40 for size in seen.values()), seen


def test_the_checker_catches_shape_errors(spec_path: Path) -> None:
    spec = load_spec(spec_path)
    order = spec.validator("CreateOrderV2Request")
    good = {
        "ticker": "T",
        "side": "ask",
        "count": "1.00",
        "price": "0.4000",
        "time_in_force": "immediate_or_cancel",
        "self_trade_prevention_type": "taker_at_cross",
    }
    assert problems(order, good) == []
    assert problems(order, good | {"side": "no"})  # legacy yes/no side
    assert problems(order, good | {"price": 40})  # legacy integer cents
    assert problems(order, {k: v for k, v in good.items() if k != "time_in_force"})
    market = spec.validator("GetMarketResponse")
    assert any("required" in p for p in problems(market, {"market": {"ticker": "T"}}))
    status = spec.validator("ExchangeStatus")
    assert (
        problems(
            status, {"exchange_active": True, "trading_active": True, "exchange_estimated_resume_time": None}
        )
        == []
    )


def test_spec_examples_parse_and_the_fake_accepts_the_example_order(
    spec_path: Path, fake: FakeKalshi, signer: KalshiSigner
) -> None:
    raw = yaml.safe_load(spec_path.read_text())["components"]["schemas"]
    reply = CreateOrderResponse.model_validate(raw["CreateOrderV2Response"]["example"])
    result = reply.to_domain("HIGHNY-24JAN01-T60", Decimal(10), "ignored")
    assert (result.fill_count, result.remaining_count, result.status) == (0, 10, "resting")
    assert result.client_order_id == raw["CreateOrderV2Response"]["example"]["client_order_id"]

    example = raw["CreateOrderV2Request"]["example"]
    fake.add_series("HIGHNY")
    fake.add_event("HIGHNY-24JAN01", "HIGHNY", strike_market("60", event="HIGHNY-24JAN01"))
    path = PREFIX + "/portfolio/events/orders"
    ticker = f"HIGHNY-24JAN01-T{Decimal('60')}"
    with httpx.Client(base_url=fake.server.url, timeout=5) as http:
        answer = http.post(path, json=example | {"ticker": ticker}, headers=signer.headers("POST", path))
    assert answer.status_code == 201, answer.text
    assert problems(load_spec(spec_path).validator("CreateOrderV2Response"), answer.json()) == []
