"""The dashboard over plain HTTP: access rules (token, cookie, CSRF, bind address) and its numbers."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.dashboard import Dashboard, DashboardConfigError, make_access
from trading_world import TradingWorld, dashboard_over_trades


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TradingWorld, Dashboard]]:
    with dashboard_over_trades(Path(tmp_path_factory.mktemp("dash")) / "k.db") as pair:
        yield pair


def request(
    dashboard: Dashboard, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", dashboard.port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        conn.close()


def cookie(dashboard: Dashboard) -> dict[str, str]:
    return {"Cookie": f"{dashboard.access.cookie_name}={dashboard.access.token}"}


def test_no_token_or_a_wrong_token_gets_401_and_no_data(served):
    world, dashboard = served
    (trade, *_) = SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"]).all_trades()
    wrong = {"Cookie": f"{dashboard.access.cookie_name}=wrong-token-000000"}
    for path, headers in [
        ("/", {}),
        ("/?token=wrong", {}),
        ("/", wrong),
        ("/", {"Authorization": "Bearer wrong"}),
        ("/?bot=btc-hourly", {}),
    ]:
        status, _, body = request(dashboard, "GET", path, headers)
        assert status == 401, path
        assert trade.contract_ticker not in body and "$" not in body
    status, _, _ = request(dashboard, "POST", "/halt", {}, "csrf=x")
    assert status == 401


def test_the_url_token_becomes_an_httponly_cookie_and_leaves_the_address_bar(served):
    _, dashboard = served
    path = urlsplit(dashboard.url)
    status, headers, _ = request(dashboard, "GET", f"{path.path}?{path.query}")
    assert status == 303 and headers["location"] == "/"
    set_cookie = headers["set-cookie"]
    assert set_cookie.startswith(f"{dashboard.access.cookie_name}={dashboard.access.token};")
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    status, headers, _ = request(dashboard, "GET", f"//evil.example/?{path.query}&bot=btc-hourly")
    assert status == 303 and headers["location"] == "/?bot=btc-hourly"  # never off this server
    status, headers, body = request(dashboard, "GET", "/", cookie(dashboard))
    assert status == 200 and "kalshi-bots" in body
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "same-origin"
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all


def test_page_numbers_match_pnl_json_and_the_trade_log(served, capsys):
    world, dashboard = served
    _, _, body = request(dashboard, "GET", "/", cookie(dashboard))
    assert main(["pnl", "--json"], world.env) == 0
    pnl = json.loads(capsys.readouterr().out)
    shown = re.search(r'id="pnl-all-net">([^<]+)<', body)
    assert shown is not None
    assert float(shown.group(1).replace("−", "-").replace("$", "").replace("+", "")) == pnl["all"]["net"]
    for trade in SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"]).all_trades():
        assert f'data-coid="{trade.client_order_id}"' in body
    assert 'id="scorecard-empty"' in body  # no scorecard command yet: the page says so


def test_state_changes_need_the_csrf_token_and_a_same_origin(served):
    world, dashboard = served
    store = SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"])
    form = {"Content-Type": "application/x-www-form-urlencoded"} | cookie(dashboard)
    status, _, _ = request(dashboard, "POST", "/halt", form, "reason=x")
    assert status == 403 and store.get_flag("halt") is None
    status, _, _ = request(dashboard, "POST", "/halt", form, "csrf=nope&reason=x")
    assert status == 403 and store.get_flag("halt") is None
    evil = form | {"Origin": "http://evil.example"}
    status, _, _ = request(dashboard, "POST", "/halt", evil, f"csrf={dashboard.access.csrf}")
    assert status == 403 and store.get_flag("halt") is None
    status, _, _ = request(dashboard, "POST", "/halt", form, f"csrf={dashboard.access.csrf}&reason=test")
    assert status == 303 and (store.get_flag("halt") or "").startswith("test (")
    status, _, _ = request(dashboard, "POST", "/resume", form, f"csrf={dashboard.access.csrf}")
    assert status == 303 and store.get_flag("halt") is None


def test_a_configured_token_is_never_printed(served):
    _, dashboard = served
    configured = Dashboard(dashboard.source, make_access("127.0.0.1", 0, "a-long-configured-token-123"))
    try:
        assert "a-long-configured-token-123" not in configured.shown_url and "?token=" in configured.url
    finally:
        configured.stop()
    assert dashboard.shown_url == dashboard.url  # a generated token: the URL to open, printed once


def test_binding_beyond_localhost_needs_a_configured_token():
    with pytest.raises(DashboardConfigError, match="KALSHI_BOTS_DASHBOARD_TOKEN"):
        make_access("0.0.0.0", 8765, None)
    with pytest.raises(DashboardConfigError, match="too short"):
        make_access("0.0.0.0", 8765, "short")
    assert make_access("0.0.0.0", 8765, "a-long-configured-token-123").generated is False
    generated = make_access("127.0.0.1", 8765, None)
    assert generated.generated and len(generated.token) >= 32 and "?token=" in generated.url()


def test_dashboard_command_refuses_a_missing_store_and_a_public_bind(tmp_path, capsys):
    env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "nothing.db")}
    assert main(["dashboard"], env) == 2
    assert "no store at" in capsys.readouterr().err and not (tmp_path / "nothing.db").exists()
    assert main(["db", "init"], env) == 0
    assert main(["dashboard", "--host", "0.0.0.0"], env) == 2
    assert "refusing to serve the dashboard on 0.0.0.0" in capsys.readouterr().err


def test_trades_filter_by_bot_and_new_york_day(served):
    world, dashboard = served
    trades = SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"]).all_trades()
    _, _, body = request(dashboard, "GET", "/?bot=btc-hourly&day=2026-03-10", cookie(dashboard))
    assert all(f'data-coid="{t.client_order_id}"' in body for t in trades)
    _, _, body = request(dashboard, "GET", "/?day=2026-03-09", cookie(dashboard))
    assert "no trades match the filter" in body and "data-coid" not in body
    _, _, body = request(dashboard, "GET", "/?bot=nobody&day=not-a-day", cookie(dashboard))
    assert "ignored day filter" in body or "no trades by bot" in body
    assert all(f'data-coid="{t.client_order_id}"' in body for t in trades)  # bad filters: everything
