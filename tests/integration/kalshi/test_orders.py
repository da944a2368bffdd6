"""Order placement against the fake: V2 body, IOC matching and fees, and the unknown-outcome rules
(never resend; look the order up by client_order_id; a 409 returns the existing order)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.http import RetryPolicy
from kalshi_bots.adapters.kalshi import KalshiClient, KalshiSigner
from kalshi_bots.domain.models import BookSide, Bot, OrderIntent, TimeInForce
from kalshi_bots.domain.orders import buy_no_intent, client_order_id
from kalshi_bots.ports.errors import OrderOutcomeUnknownError, RejectedError, TransientError
from kalshi_bots.sandbox.kalshi import FakeKalshi

from .conftest import SleepLog

ORDERS = "/trade-api/v2/portfolio/events/orders"


def _posts(fake: FakeKalshi) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in fake.server.requests if r.method == "POST" and r.path == ORDERS]


def buy_no(ticker: str, no_price: str, count: int, cid: str = "cid-1") -> OrderIntent:
    return OrderIntent(ticker, BookSide.ASK, Decimal(1) - Decimal(no_price), count, cid, exchange_index=2)


def test_buying_no_at_q_sends_ask_at_one_minus_q(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    client.create_order(buy_no(ladder[1], "0.60", 2))
    (body,) = _posts(fake)
    assert body == {
        "ticker": ladder[1],
        "client_order_id": "cid-1",
        "side": "ask",
        "price": "0.4000",
        "count": "2.00",
        "time_in_force": "immediate_or_cancel",
        "self_trade_prevention_type": "taker_at_cross",
        "cancel_order_on_pause": True,
        "exchange_index": 2,
    }


def test_domain_buy_no_intent_goes_out_as_an_ask(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    cid = client_order_id(Bot.BTC_HOURLY, ladder[1], datetime(2026, 11, 24, 15, 55, tzinfo=UTC))
    result = client.create_order(buy_no_intent(ladder[1], Decimal("0.60"), 1, cid, exchange_index=2))
    (body,) = _posts(fake)
    assert (body["side"], body["price"], body["client_order_id"]) == ("ask", "0.4000", cid)
    assert result.client_order_id == cid and result.fill_count == 1


def test_ioc_fill_charges_the_taker_fee_and_debits_the_balance(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    # Buy 3 NO at 0.60: the best YES bid is 0.40 x 3, so all 3 fill at YES 0.40 (NO 0.60).
    result = client.create_order(buy_no(ladder[1], "0.60", 3))
    fee = Decimal("0.06")  # ceil(0.07 * 3 * 0.4 * 0.6 = 0.0504) to the cent
    assert (result.fill_count, result.remaining_count, result.status) == (3, 0, "executed")
    assert result.average_fill_price == Decimal("0.40") and result.fees_paid == fee
    assert client.balance() == Decimal(100) - 3 * Decimal("0.60") - fee
    (fill,) = client.fills(datetime.now(UTC) - timedelta(minutes=1))
    assert (fill.order_id, fill.count, fill.yes_price, fill.book_side, fill.fee) == (
        result.order_id,
        3,
        Decimal("0.40"),
        BookSide.ASK,
        fee,
    )


def test_ioc_partial_fill_cancels_the_rest_and_walks_levels(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    # Buy YES up to 0.50: levels at YES ask 0.45 x 4 and 0.50 x 10; ask for 20 -> 14 fill.
    result = client.create_order(OrderIntent(ladder[1], BookSide.BID, Decimal("0.50"), 20, "cid-2"))
    assert result.fill_count == 14 and result.status == "canceled"
    assert result.average_fill_price == Decimal("0.485714")  # (4 x 0.45 + 10 x 0.50) / 14, 6 decimals
    order = client.find_order("cid-2", ladder[1])
    assert order is not None and order.fill_count == 14 and order.status == "canceled"
    assert order.average_fill_price == Decimal("0.485714")
    assert order.fees_paid == result.fees_paid == Decimal("0.25")  # ceil(0.07*(4*.45*.55 + 10*.5*.5))
    assert len(client.fills(datetime.now(UTC) - timedelta(minutes=1))) == 2


def test_no_liquidity_at_the_limit_fills_nothing(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    result = client.create_order(buy_no(ladder[1], "0.55", 1))  # YES bid would have to be >= 0.45
    assert result.fill_count == 0 and result.status == "canceled" and result.average_fill_price is None
    assert client.balance() == 100


def test_duplicate_client_order_id_returns_the_existing_order(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    first = client.create_order(buy_no(ladder[1], "0.60", 1, cid="dup"))
    again = client.create_order(buy_no(ladder[1], "0.60", 1, cid="dup"))
    assert again.order_id == first.order_id and again.fill_count == 1
    assert len(fake.orders) == 1 and len(_posts(fake)) == 2  # the second POST got a 409
    assert client.balance() == Decimal(100) - Decimal("0.60") - Decimal("0.02")


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_crash_after_accepting_is_resolved_by_lookup_not_by_resending(
    mode: str, fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    fake.crash_after_accept(mode=mode)
    result = client.create_order(buy_no(ladder[1], "0.60", 2, cid="crash"))
    assert result.client_order_id == "crash" and result.fill_count == 2
    assert len(fake.orders) == 1 and len(_posts(fake)) == 1


def test_lookup_pages_through_orders_to_find_the_client_id(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    for n in range(5):
        client.create_order(buy_no(ladder[1], "0.55", 1, cid=f"other-{n}"))
    fake.page_size = 2
    found = client.find_order("other-0", ladder[1])  # newest first, so the oldest is on the last page
    assert found is not None and found.client_order_id == "other-0"
    assert [r.arg("cursor") for r in fake.server.requests if r.path.endswith("/portfolio/orders")] == [
        None,
        "2",
        "4",
    ]
    assert client.find_order("never-sent", ladder[1]) is None


def test_rejected_before_storing_is_unknown_not_resent(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient, sleeps: SleepLog
) -> None:
    fake.fail_next(503, path="^/portfolio/events/orders$", method="POST")
    with pytest.raises(OrderOutcomeUnknownError) as caught:
        client.create_order(buy_no(ladder[1], "0.60", 1, cid="lost"))
    assert caught.value.client_order_id == "lost" and "Not resent" in str(caught.value)
    assert len(_posts(fake)) == 1 and fake.orders == []
    lookups = [r for r in fake.server.requests if r.path.endswith("/portfolio/orders")]
    assert len(lookups) == 3 and all(r.arg("ticker") == ladder[1] for r in lookups)


def test_post_timeout_looks_the_order_up(
    fake: FakeKalshi, ladder: list[str], make_client: Callable[..., KalshiClient], signer: object
) -> None:
    fake.delay_next(0.5, path="^/portfolio/events/orders$", method="POST")
    sleeps: list[float] = []
    slow_lookup = RetryPolicy(attempts=4, base_delay_s=0.4, max_delay_s=0.4, sleep=lambda s: sleeps.append(s))
    client = make_client(signer, timeout=0.25, retry=slow_lookup, lookup_attempts=1)
    with pytest.raises(OrderOutcomeUnknownError, match="ReadTimeout on POST"):
        client.create_order(buy_no(ladder[1], "0.60", 1, cid="slow"))
    assert len(_posts(fake)) == 1  # never resent, even though the order may land later


def test_rate_limited_post_is_transient_and_not_resent(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    fake.fail_next(429, path="^/portfolio/events/orders$", method="POST")
    with pytest.raises(TransientError, match="order not placed"):
        client.create_order(buy_no(ladder[1], "0.60", 1))
    assert len(_posts(fake)) == 1 and fake.orders == []


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda f: f.set_balance(Decimal("0.10")), "available_balance_too_low"),
        (lambda f: f.set_exchange_status(shards={2: False}), "trading_is_paused"),
    ],
)
def test_exchange_rejections_carry_the_code(
    setup: Callable[[FakeKalshi], None], code: str, fake: FakeKalshi, ladder: list[str], client: KalshiClient
) -> None:
    setup(fake)
    with pytest.raises(RejectedError) as caught:
        client.create_order(buy_no(ladder[1], "0.60", 1))
    assert caught.value.code == code and caught.value.status == 400
    assert fake.orders == []


def test_closed_market_is_rejected_market_inactive(fake: FakeKalshi, client: KalshiClient) -> None:
    from .conftest import strike_market

    fake.add_series("KXBTCD")
    market = strike_market("1.99", event="KXBTCD-OLD", minutes=-1)
    fake.add_event("KXBTCD-OLD", "KXBTCD", market)
    with pytest.raises(RejectedError) as caught:
        client.create_order(OrderIntent(market.ticker, BookSide.BID, Decimal("0.50"), 1, "c"))
    assert caught.value.code == "MARKET_INACTIVE"


def test_bad_intents_never_reach_the_wire(fake: FakeKalshi, ladder: list[str], client: KalshiClient) -> None:
    for intent in (
        OrderIntent(ladder[1], BookSide.BID, Decimal("1.00"), 1, "a"),
        OrderIntent(ladder[1], BookSide.BID, Decimal("0.12345"), 1, "b"),
        OrderIntent(ladder[1], BookSide.BID, Decimal("0.50"), 0, "c"),
        OrderIntent(ladder[1], BookSide.BID, Decimal("0.50"), 1, ""),
    ):
        with pytest.raises(ValueError, match="order"):
            client.create_order(intent)
    assert _posts(fake) == []


def test_gtc_remainder_rests(fake: FakeKalshi, ladder: list[str], client: KalshiClient) -> None:
    intent = OrderIntent(ladder[1], BookSide.BID, Decimal("0.30"), 2, "gtc", TimeInForce.GOOD_TILL_CANCELED)
    result = client.create_order(intent)
    assert (result.fill_count, result.remaining_count, result.status) == (0, 2, "resting")


def test_settlement_pays_the_winners(fake: FakeKalshi, ladder: list[str], client: KalshiClient) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    client.create_order(buy_no(ladder[1], "0.60", 3))
    before = client.balance()
    fake.settle(ladder[1], "no")
    (settlement,) = client.settlements(since)
    assert (settlement.ticker, settlement.market_result, settlement.no_count, settlement.yes_count) == (
        ladder[1],
        "no",
        3,
        0,
    )
    assert settlement.revenue == 3 and settlement.fee_cost == Decimal("0.06")
    assert client.balance() == before + 3


def test_unreachable_exchange_means_not_sent(signer: KalshiSigner, policy: RetryPolicy) -> None:
    with FakeKalshi() as gone:
        url = gone.url
    client = KalshiClient(url, signer=signer, retry=policy, timeout=1.0)
    with pytest.raises(TransientError, match=r"ConnectError on POST .*order not sent"):
        client.create_order(buy_no("KXBTCD-X-T1.99", "0.60", 1))
    client.close()


def test_lookup_survives_a_flaky_orders_endpoint(
    fake: FakeKalshi, ladder: list[str], client: KalshiClient, policy: RetryPolicy
) -> None:
    fake.crash_after_accept()
    fake.fail_next(503, times=policy.attempts, path="^/portfolio/orders$")  # the whole first lookup fails
    result = client.create_order(buy_no(ladder[1], "0.60", 1, cid="flaky"))
    assert result.client_order_id == "flaky" and len(fake.orders) == 1
    lookups = [r for r in fake.server.requests if r.path.endswith("/portfolio/orders")]
    assert len(lookups) == policy.attempts + 1
