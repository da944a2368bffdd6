"""The volatility API over real HTTP on 127.0.0.1: tokens, errors, refusal to start exposed."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.domain.models import Asset, VolatilitySnapshot, WindowVolatility
from kalshi_bots.entrypoints import api
from kalshi_bots.entrypoints.api import ApiConfigError, VolatilityApi
from kalshi_bots.entrypoints.api_routes import token_matches
from kalshi_bots.entrypoints.volatility_view import volatility_payload
from kalshi_bots.ports.errors import StoreError

NOW = datetime(2026, 5, 4, 14, 50, 30, tzinfo=UTC)
TOKEN = "correct-horse-battery-staple"


def snapshot(asset: Asset) -> VolatilitySnapshot:
    windows = tuple(
        WindowVolatility(m, m + 1, 0.1 * m / 15, 0.2 * m / 15, 0.05)
        if m <= 60
        else WindowVolatility(m, 61, None, None, None)
        for m in (15, 30, 60, 90, 120)
    )
    return VolatilitySnapshot(asset, NOW - timedelta(seconds=30), windows, Decimal("3012.5"))


@pytest.fixture
def store() -> MemoryStore:
    s = MemoryStore()
    s.put_volatility(snapshot(Asset.ETH))
    return s


@pytest.fixture
def server(store: MemoryStore) -> Iterator[VolatilityApi]:
    srv = VolatilityApi(lambda a: volatility_payload(store, a, NOW), token=SecretStr(TOKEN), port=0).start()
    yield srv
    srv.stop()


def get(srv: VolatilityApi, path: str, token: str | None = TOKEN, method: str = "GET") -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.request(method, srv.url + path, headers=headers, timeout=5)


def test_right_token_gets_vol_latest_with_its_age(server):
    reply = get(server, "/volatility/eth")
    assert reply.status_code == 200
    body: dict[str, Any] = reply.json()
    assert body["asset"] == "ETH"
    assert body["age_seconds"] == 30.0
    assert body["vol_15m_std"] == pytest.approx(0.1) and body["vol_15m_samples"] == 16
    assert body["vol_120m_std"] is None and body["vol_120m_samples"] == 61
    assert body["price"] == 3012.5
    assert reply.headers["content-type"] == "application/json"


@pytest.mark.parametrize(("token", "why"), [(None, "missing"), ("nope", "wrong"), (TOKEN + "x", "wrong")])
def test_missing_or_wrong_token_is_401_json(server, token, why):
    reply = get(server, "/volatility/ETH", token=token)
    assert reply.status_code == 401
    assert reply.json() == {"error": "unauthorized", "message": f"{why} bearer token"}
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in reply.text


def test_other_auth_schemes_are_refused(server):
    reply = httpx.get(server.url + "/volatility/ETH", headers={"Authorization": f"Basic {TOKEN}"}, timeout=5)
    assert reply.status_code == 401


def test_unknown_asset_path_and_missing_data_are_404(server):
    assert get(server, "/volatility/DOGE").json()["error"] == "unknown_asset"
    assert get(server, "/prices/ETH").json()["error"] == "not_found"
    no_data = get(server, "/volatility/BTC")
    assert no_data.status_code == 404 and no_data.json()["error"] == "no_data"


def test_methods_other_than_get_are_405(server):
    reply = get(server, "/volatility/ETH", method="POST")
    assert reply.status_code == 405 and reply.headers["allow"] == "GET"
    assert reply.json()["error"] == "method_not_allowed"


class BrokenStore(MemoryStore):
    def get_volatility(self, asset: Asset) -> VolatilitySnapshot | None:
        raise StoreError("disk on fire")


def test_unreadable_store_is_503_without_details():
    broken = BrokenStore()
    srv = VolatilityApi(lambda a: volatility_payload(broken, a, NOW), token=SecretStr(TOKEN), port=0).start()
    try:
        reply = get(srv, "/volatility/ETH")
    finally:
        srv.stop()
    assert reply.status_code == 503 and "disk" not in reply.text


def test_no_token_refuses_to_start_unless_open_on_localhost(store):
    def query(a: Asset) -> dict[str, Any] | None:
        return volatility_payload(store, a, NOW)

    with pytest.raises(ApiConfigError, match="KALSHI_BOTS_API_TOKEN"):
        VolatilityApi(query, token=None, port=0)
    with pytest.raises(ApiConfigError, match=r"refusing to serve without a token on '0\.0\.0\.0'"):
        VolatilityApi(query, token=None, host="0.0.0.0", port=0, open_access=True)
    with pytest.raises(ApiConfigError):
        api.check_exposure(None, "192.168.1.5", True)
    srv = VolatilityApi(query, token=None, host="127.0.0.1", port=0, open_access=True).start()
    try:
        assert get(srv, "/volatility/ETH", token=None).status_code == 200
    finally:
        srv.stop()


def test_a_token_allows_any_bind_address():
    api.check_exposure(SecretStr("t"), "0.0.0.0", False)


def test_token_matching():
    secret = TOKEN
    assert token_matches(f"Bearer {TOKEN}", secret)
    assert token_matches(f"bearer  {TOKEN} ", secret)
    assert not token_matches(None, secret)
    assert not token_matches("Bearer", secret)
    assert not token_matches(f"Bearer {TOKEN[:-1]}", secret)
    assert not token_matches("Bearer ünïcode", secret)  # non-ASCII must not crash compare_digest


def test_token_comparison_is_constant_time():
    """The only comparison of the token is hmac.compare_digest: no ==, no startswith."""
    tree = ast.parse(inspect.getsource(token_matches))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(ast.unparse(c.func) == "hmac.compare_digest" for c in calls)
    compares = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert all("given" not in c and "token" not in c for c in compares), compares
