"""The shared attribute mapping: exact round trips and the item sizes DynamoDB bills."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalshi_bots.adapters.store import codec, records
from kalshi_bots.adapters.store.packing import pack_ticks, unpack_ticks
from kalshi_bots.domain.models import Asset, PriceTick, VolatilitySnapshot, WindowVolatility
from kalshi_bots.ports.errors import StoreError

T0 = datetime(2025, 12, 11, 1, 0, tzinfo=UTC)

times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000000"), places=4, allow_nan=False)


@given(st.lists(st.tuples(times, prices), min_size=1, max_size=40))
def test_packing_round_trips_any_times_and_prices(ticks: list[tuple[datetime, Decimal]]) -> None:
    assert unpack_ticks(pack_ticks(ticks), "test") == ticks


@given(st.lists(st.integers(min_value=-5000, max_value=5000), min_size=1, max_size=121))
def test_packing_round_trips_minute_series(steps: list[int]) -> None:
    ticks, price = [], Decimal("97000.00")
    for i, step in enumerate(steps):
        price += Decimal(step) / 100
        ticks.append((T0 + timedelta(minutes=i), price))
    assert unpack_ticks(pack_ticks(ticks), "test") == ticks


def test_corrupt_packed_window_is_a_store_error() -> None:
    packed = pack_ticks([(T0, Decimal(1)), (T0 + timedelta(minutes=1), Decimal(2))])
    with pytest.raises(StoreError, match="truncated"):
        unpack_ticks(packed[:-1], "BTC VOL/LATEST")
    with pytest.raises(StoreError, match="trailing"):
        unpack_ticks(packed + b"\x00", "BTC VOL/LATEST")
    with pytest.raises(StoreError, match="layout"):
        unpack_ticks(b"\x09" + packed[1:], "BTC VOL/LATEST")


def _full_snapshot() -> VolatilitySnapshot:
    # A volatile two hours: BTC moving up to $80 a minute, full float precision in every metric.
    recent = tuple(
        PriceTick(
            Asset.BTC,
            T0 + timedelta(minutes=m),
            Decimal("97000.00") + Decimal((m * 7919) % 16000 - 8000) / 100,
        )
        for m in range(121)
    )
    windows = tuple(
        WindowVolatility(w, w + 1, 0.1234567890123456 * w, 0.9876543210987654, 0.4567891234567891)
        for w in (15, 30, 60, 90, 120)
    )
    return VolatilitySnapshot(Asset.BTC, T0 + timedelta(minutes=121, seconds=1, microseconds=5), windows,
                              recent[-1].price, recent)  # fmt: skip


def test_vol_item_with_121_prices_is_one_write_unit_and_round_trips() -> None:
    snap = _full_snapshot()
    item = codec.vol_item(snap)
    assert codec.item_size(item) <= 1024  # 1 WRU per put, 1 RRU per strongly consistent get
    assert codec.item_to_vol(Asset.BTC, item) == snap
    as_text = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in item.items()}  # SQLite form
    assert codec.item_to_vol(Asset.BTC, as_text) == snap


def test_price_item_has_the_spec_keys_and_a_ttl() -> None:
    item = codec.price_item(PriceTick(Asset.BTC, T0 + timedelta(minutes=45, seconds=59), Decimal("97123.45")))
    assert item["pk"] == "PRICE"
    assert item["sk"] == "2025-12-11T01:45:00+00:00"
    assert item["price"] == Decimal("97123.45")
    assert item["expires_at"] == int((T0 + timedelta(minutes=45) + records.PRICE_TTL).timestamp())


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        codec.price_item(PriceTick(Asset.BTC, T0, Decimal("NaN")))
    with pytest.raises(ValueError, match="finite"):
        codec.float_number(float("inf"), "edge")


def test_missing_attribute_names_the_row() -> None:
    with pytest.raises(StoreError, match="c1: attribute 'client_order_id' is missing"):
        codec.item_to_trade({"sk": "2025-12-11T01:45:00.000000+00:00#c1", "side": "NO", "status": "pending",
                             "mode": "paper"})  # fmt: skip


def test_price_sk_range_is_exact_on_minute_rows() -> None:
    assert records.price_sk_range(T0, T0) is None
    assert records.price_sk_range(T0 + timedelta(seconds=1), T0 + timedelta(minutes=1)) is None
    assert records.price_sk_range(T0, T0 + timedelta(seconds=1)) == (
        "2025-12-11T01:00:00+00:00",
        "2025-12-11T01:00:00+00:00",
    )
    assert records.price_sk_before(T0 + timedelta(seconds=30)) == "2025-12-11T01:01:00+00:00"
