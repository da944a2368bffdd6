"""Fee schedule caching, event fee overrides and the market fields the paper exchange settles from."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from kalshi_bots.adapters.kalshi import KalshiClient
from kalshi_bots.domain.fees import effective_fee_schedule
from kalshi_bots.domain.models import FeeType
from kalshi_bots.sandbox.kalshi import FakeKalshi

from .conftest import EVENT, SERIES, strike_market


class ManualMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _series_requests(fake: FakeKalshi, ticker: str) -> int:
    return sum(1 for r in fake.server.requests if r.path.endswith(f"/series/{ticker}"))


def test_series_fees_are_cached_for_a_while_then_refetched(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series(SERIES, "quadratic")
    clock = ManualMonotonic()
    client = make_client(None, fee_cache_s=900.0, monotonic=clock)
    assert client.series_fees(SERIES).fee_type is FeeType.QUADRATIC
    clock.now += 899
    assert client.series_fees(SERIES).fee_type is FeeType.QUADRATIC
    assert _series_requests(fake, SERIES) == 1
    fake.add_series(SERIES, "quadratic_with_maker_fees")  # a scheduled fee change takes effect
    clock.now += 2
    assert client.series_fees(SERIES).fee_type is FeeType.QUADRATIC_WITH_MAKER_FEES
    assert _series_requests(fake, SERIES) == 2


def test_event_fee_overrides_reach_the_domain_and_win_over_the_series(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series(SERIES, "quadratic")
    fake.add_event(
        EVENT,
        SERIES,
        strike_market("97199.99"),
        exchange_index=2,
        fee_type_override="mystery_fee_2027",
        fee_multiplier_override="0.5",
    )
    client = make_client(None)
    event = client.get_event(EVENT)
    assert event.fee_type_override == "mystery_fee_2027"
    assert event.fee_multiplier_override == Decimal("0.5")
    effective = effective_fee_schedule(client.series_fees(SERIES), event)
    # An override we cannot model must make the bot refuse, not fall back to the series' fee.
    assert effective.fee_type is FeeType.UNKNOWN and effective.multiplier == Decimal("0.5")


def test_market_result_and_top_of_book_sizes_are_read(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.add_series(SERIES, "quadratic")
    fake.add_event(EVENT, SERIES, strike_market("97199.99", result="no"), exchange_index=2)
    market = make_client(None).get_market(f"{EVENT}-T97199.99")
    assert market.result == "no"
