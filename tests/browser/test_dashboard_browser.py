"""The dashboard in a real browser: a trade made by the e2e flow shows with its numbers, P&L matches
``kalshi-bots pnl --json``, halt/resume work through the page, and no token / a wrong token gets 401."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.domain.models import TradeRecord
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.dashboard import Dashboard
from trading_world import TradingWorld, dashboard_over_trades


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TradingWorld, Dashboard]]:
    with dashboard_over_trades(tmp_path / "k.db") as pair:
        yield pair


def dollars(text: str) -> Decimal:
    return Decimal(text.strip().replace("−", "-").replace("+", "").replace("$", "").replace(",", ""))


def trades(world: TradingWorld) -> list[TradeRecord]:
    return sorted(SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"]).all_trades(), key=lambda t: t.created_at)


def open_page(context: Any, dashboard: Dashboard) -> Any:
    page = context.new_page()
    response = page.goto(dashboard.url)
    assert response is not None and response.status == 200
    assert "token=" not in page.url  # traded for the cookie and dropped from the address bar
    return page


def test_trades_from_the_e2e_flow_appear_with_their_numbers(served, browser_context):
    world, dashboard = served
    page = open_page(browser_context, dashboard)
    settled, still_open = trades(world)
    row = page.locator(f'#trades tr[data-coid="{settled.client_order_id}"]')
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1:4] == [settled.bot, settled.contract_ticker, "NO"]
    assert cells[4] == f"{settled.fill_count}/{settled.quantity}"
    assert cells[5] == f"{settled.price_cents:.0f}c"
    assert cells[6] == f"{settled.model_prob:.2f}" and cells[7] == f"{settled.market_prob:.2f}"
    assert cells[8] == f"{settled.edge * 100:+.1f}pp" and cells[9] == f"{settled.fees_dollars * 100:.0f}c"
    assert cells[10] == settled.settlement_result
    assert settled.pnl_dollars is not None and dollars(cells[11]) == settled.pnl_dollars
    position = page.locator(f'#positions tr[data-ticker="{still_open.contract_ticker}"]')
    assert position.count() == 1
    assert page.locator("#open-count").inner_text() == "1"
    assert "no quote" not in position.inner_text()  # marked from the fake Kalshi's public quote


def test_pnl_on_the_page_matches_pnl_json(served, browser_context, capsys):
    world, dashboard = served
    page = open_page(browser_context, dashboard)
    assert main(["pnl", "--json"], world.env) == 0
    pnl = json.loads(capsys.readouterr().out)
    assert dollars(page.locator("#pnl-all-net").inner_text()) == Decimal(str(pnl["all"]["net"]))
    assert dollars(page.locator("#pnl-all-fees").inner_text()) == Decimal(str(pnl["all"]["fees"]))
    for line in pnl["by_bot"]:
        row = page.locator(f'#pnl-by-bot tr[data-key="{line["bot"]}"] td').all_inner_texts()
        assert int(row[1]) == line["settled"] and dollars(row[6]) == Decimal(str(line["net"]))


def test_halt_and_resume_through_the_page(served, browser_context):
    world, dashboard = served
    store = SqliteStore(world.env["KALSHI_BOTS_SQLITE_PATH"])
    page = open_page(browser_context, dashboard)
    assert page.locator("#kill-switch").get_attribute("data-on") == "0"
    page.fill('input[name="reason"]', "browser test")
    page.click("#halt")
    page.wait_for_selector('#kill-switch[data-on="1"]')
    assert (store.get_flag("halt") or "").startswith("browser test")
    page.click("#resume")
    page.wait_for_selector('#kill-switch[data-on="0"]')
    assert store.get_flag("halt") is None


def test_no_token_and_a_wrong_token_get_401_and_no_data(served, browser_context):
    world, dashboard = served
    page = browser_context.new_page()
    base = dashboard.url.split("?")[0]
    for url in (base, f"{base}?token=wrong-token", f"{base}?bot=btc-hourly"):
        response = page.goto(url)
        assert response is not None and response.status == 401, url
        content = page.content()
        assert all(t.contract_ticker not in content for t in trades(world))
        assert "401" in content and "$" not in content


def test_readable_on_a_phone_no_sideways_scrolling_of_the_page(served, browser_context):
    _, dashboard = served
    page = open_page(browser_context, dashboard)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone (tables must scroll in their cards)"
    assert page.locator("#halt").is_visible()


@pytest.mark.skipif(
    not os.environ.get("KALSHI_BOTS_SCREENSHOT"), reason="set KALSHI_BOTS_SCREENSHOT=FILE.png"
)
def test_screenshot_for_the_readme(tmp_path, browser_context):
    """`KALSHI_BOTS_SCREENSHOT=docs/img/dashboard.png pytest tests/browser -k screenshot` (README image)."""
    with dashboard_over_trades(tmp_path / "shot.db", hours=4) as (_, dashboard):
        page = open_page(browser_context, dashboard)
        page.set_viewport_size({"width": 1100, "height": 900})
        page.reload()
        page.screenshot(path=os.environ["KALSHI_BOTS_SCREENSHOT"], full_page=True)
