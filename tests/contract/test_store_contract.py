"""The storage contract: every backend (memory, SQLite, DynamoDB Local) answers the same way."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kalshi_bots.domain.models import (
    Asset,
    BudgetLimits,
    BudgetReservation,
    Mode,
    Outcome,
    PriceTick,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
    WindowVolatility,
)
from kalshi_bots.ports.errors import ConflictError, StoreError
from kalshi_bots.ports.store import Store

T0 = datetime(2025, 12, 11, 1, 0, tzinfo=UTC)


def trade(coid: str, at: datetime, **changes: object) -> TradeRecord:
    base = TradeRecord(
        created_at=at,
        client_order_id=coid,
        bot="btc-hourly",
        mode=Mode.PAPER,
        contract_ticker="KXBTCD-25DEC1102-T97499.99",
        side=Outcome.NO,
        quantity=3,
        price_cents=Decimal("42.5"),
        btc_price=Decimal("97123.45"),
        strike_price=Decimal("97499.99"),
        model_prob=0.8123456789012345,
        market_prob=0.575,
        edge=0.07,
        kelly_fraction=0.1,
        status=TradeStatus.PENDING,
        scheduled_for=at.replace(minute=45, second=0, microsecond=0),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- prices ----------------------------------------------------------------------------------
def test_price_round_trip_truncates_to_the_minute_and_is_idempotent(store: Store) -> None:
    at = T0 + timedelta(minutes=5, seconds=31, microseconds=7)
    assert store.put_price(PriceTick(Asset.BTC, at, Decimal("97123.45"))) is True
    assert store.put_price(PriceTick(Asset.BTC, at.replace(second=2), Decimal("1"))) is False
    rows = store.prices_between(Asset.BTC, T0, T0 + timedelta(hours=1))
    assert rows == [PriceTick(Asset.BTC, T0 + timedelta(minutes=5), Decimal("97123.45"))]
    assert rows[0].at.utcoffset() == timedelta(0)
    assert store.prices_between(Asset.ETH, T0, T0 + timedelta(hours=1)) == []


def test_prices_between_is_ascending_half_open_and_reads_every_page(store: Store) -> None:
    for minute in reversed(range(20)):
        store.put_price(PriceTick(Asset.ETH, T0 + timedelta(minutes=minute), Decimal(3000 + minute)))
    rows = store.prices_between(Asset.ETH, T0 + timedelta(minutes=2), T0 + timedelta(minutes=17))
    assert [p.at for p in rows] == [T0 + timedelta(minutes=m) for m in range(2, 17)]
    assert [p.price for p in rows] == [Decimal(3000 + m) for m in range(2, 17)]
    latest = store.latest_price(Asset.ETH)
    assert latest == PriceTick(Asset.ETH, T0 + timedelta(minutes=19), Decimal(3019))
    assert store.latest_price(Asset.BTC) is None


def test_prices_accept_any_offset_and_answer_in_utc(store: Store) -> None:
    plus2 = timezone(timedelta(hours=2))
    store.put_price(PriceTick(Asset.BTC, datetime(2025, 12, 11, 3, 7, tzinfo=plus2), Decimal("5")))
    rows = store.prices_between(Asset.BTC, T0, T0 + timedelta(hours=1))
    assert rows == [PriceTick(Asset.BTC, datetime(2025, 12, 11, 1, 7, tzinfo=UTC), Decimal("5"))]
    assert rows[0].at.tzinfo is not None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.put_price(PriceTick(Asset.BTC, datetime(2025, 12, 11, 1, 0), Decimal(1)))


def test_cleanup_deletes_exactly_the_rows_older_than_the_cutoff(store: Store) -> None:
    for minute in range(12):
        store.put_price(PriceTick(Asset.BTC, T0 + timedelta(minutes=minute), Decimal(minute + 1)))
        store.put_price(PriceTick(Asset.ETH, T0 + timedelta(minutes=minute), Decimal(minute + 1)))
    assert store.delete_prices_before(Asset.BTC, T0 + timedelta(minutes=7)) == 7
    assert store.delete_prices_before(Asset.BTC, T0 + timedelta(minutes=7)) == 0
    left = store.prices_between(Asset.BTC, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert [p.at for p in left] == [T0 + timedelta(minutes=m) for m in range(7, 12)]
    assert len(store.prices_between(Asset.ETH, T0, T0 + timedelta(days=1))) == 12


def _snapshot(asset: Asset, ticks: int) -> VolatilitySnapshot:
    recent = tuple(
        PriceTick(asset, T0 + timedelta(minutes=m), Decimal("97000.00") + Decimal(m * 37 % 101) / 4)
        for m in range(ticks)
    )
    windows = (
        WindowVolatility(15, 16, 0.1234567890123456, 0.25, 0.05),
        WindowVolatility(30, 31, 0.2, 0.3, 0.06),
        WindowVolatility(60, 61, 0.3, 0.4, 0.07),
        WindowVolatility(90, 91, 0.4, 0.5, 0.08),
        WindowVolatility(120, 3, None, None, None),
    )
    return VolatilitySnapshot(
        asset=asset,
        computed_at=T0 + timedelta(minutes=ticks, seconds=3, microseconds=12),
        windows=windows,
        last_price=recent[-1].price if recent else None,
        recent_prices=recent,
    )


def test_volatility_round_trip_with_the_recent_window(store: Store) -> None:
    assert store.get_volatility(Asset.BTC) is None
    snap = _snapshot(Asset.BTC, 121)
    store.put_volatility(snap)
    assert store.get_volatility(Asset.BTC) == snap
    smaller = _snapshot(Asset.BTC, 0)
    store.put_volatility(smaller)
    assert store.get_volatility(Asset.BTC) == smaller
    assert store.get_volatility(Asset.ETH) is None


# --- trades ----------------------------------------------------------------------------------
def test_trade_round_trip_and_idempotent_put(store: Store) -> None:
    t = trade("c-1", T0 + timedelta(minutes=45, seconds=1, microseconds=250))
    assert store.put_trade(t) is True
    again = replace(t, created_at=t.created_at + timedelta(seconds=5), quantity=99)
    assert store.put_trade(again) is False
    assert store.get_trade("c-1") == t
    assert store.all_trades() == [t]
    assert store.get_trade("missing") is None


def test_trade_update_keeps_the_row_and_round_trips_every_field(store: Store) -> None:
    t = trade("c-2", T0, btc_price=None, strike_price=None)
    store.put_trade(t)
    settled = replace(
        t,
        status=TradeStatus.EXECUTED,
        order_id="ord-9",
        fill_count=Decimal(3),
        fees_dollars=Decimal("0.07"),
        settlement_result="no",
        pnl_dollars=Decimal("-1.345"),
        reason="settled",
        mode=Mode.DEMO,
    )
    store.update_trade(settled)
    assert store.get_trade("c-2") == settled
    assert store.all_trades() == [settled]
    assert store.open_trades() == []
    reopened = replace(settled, settlement_result=None)
    store.update_trade(reopened)
    assert store.open_trades() == [reopened]
    with pytest.raises(StoreError):
        store.update_trade(trade("nope", T0))


def test_trades_on_matches_begins_with_the_utc_date_and_is_ordered(store: Store) -> None:
    day1 = [trade(f"a{i}", datetime(2025, 12, 11, 23, 59 - i, tzinfo=UTC)) for i in range(5)]
    day2 = [trade(f"b{i}", datetime(2025, 12, 12, 0, i, tzinfo=UTC)) for i in range(4)]
    for t in day2 + day1:
        store.put_trade(t)
    assert store.trades_on(date(2025, 12, 11)) == sorted(day1, key=lambda t: t.created_at)
    assert store.trades_on(date(2025, 12, 12)) == day2
    assert store.trades_on(date(2025, 12, 13)) == []
    assert store.all_trades() == sorted(day1, key=lambda t: t.created_at) + day2


def test_open_trades_are_pending_or_unsettled_executions(store: Store) -> None:
    pending = trade("p", T0)
    unsettled = trade("u", T0 + timedelta(minutes=1), status=TradeStatus.EXECUTED)
    settled = trade("s", T0 + timedelta(minutes=2), status=TradeStatus.EXECUTED, settlement_result="yes")
    failed = trade("f", T0 + timedelta(minutes=3), status=TradeStatus.FAILED)
    rejected = trade("r", T0 + timedelta(minutes=4), status=TradeStatus.REJECTED)
    for t in (pending, unsettled, settled, failed, rejected):
        store.put_trade(t)
    assert store.open_trades() == [pending, unsettled]


def test_timestamps_round_trip_as_aware_utc(store: Store) -> None:
    tokyo = timezone(timedelta(hours=9))
    local = datetime(2025, 12, 11, 10, 30, 15, 123456, tzinfo=tokyo)
    store.put_trade(trade("tz", local, scheduled_for=local))
    got = store.get_trade("tz")
    assert got is not None
    assert got.created_at == local
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.scheduled_for is not None and got.scheduled_for.utcoffset() == timedelta(0)
    assert [t.client_order_id for t in store.trades_on(date(2025, 12, 11))] == ["tz"]


# --- budget ----------------------------------------------------------------------------------
DAY = date(2025, 12, 11)
LIMITS = BudgetLimits(global_limit=Decimal(15), per_bot=(("btc", Decimal(10)), ("eth", Decimal(10))))


def res(rid: str, amount: str, bot: str = "btc") -> BudgetReservation:
    return BudgetReservation(bot=bot, day=DAY, amount=Decimal(amount), reservation_id=rid)


def test_budget_reserve_release_and_state(store: Store) -> None:
    assert store.budget_state("btc", DAY, LIMITS).spent == 0
    assert store.reserve_budget(res("r1", "6.5"), LIMITS) is True
    assert store.reserve_budget(res("r1", "6.5"), LIMITS) is True  # idempotent: not counted twice
    assert store.reserve_budget(res("r2", "4"), LIMITS) is False  # bot limit 10
    assert store.reserve_budget(res("r3", "3.5"), LIMITS) is True
    state = store.budget_state("btc", DAY, LIMITS)
    assert (state.limit, state.spent, state.remaining) == (Decimal(10), Decimal(10), Decimal(0))
    assert store.reserve_budget(res("e1", "5.5", "eth"), LIMITS) is False  # global limit 15
    assert store.reserve_budget(res("e2", "5", "eth"), LIMITS) is True
    assert store.release_budget(res("r1", "6.5"), Decimal("2.5")) == Decimal("2.5")
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal("7.5")
    assert store.release_budget(res("r1", "6.5"), Decimal("4")) == Decimal("4")
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal("3.5")
    assert store.budget_state("btc", date(2025, 12, 12), LIMITS).spent == 0
    with pytest.raises(StoreError):
        store.release_budget(res("unknown", "1"), Decimal(1))


def test_re_reserving_an_id_for_more_holds_only_the_difference(store: Store) -> None:
    assert store.reserve_budget(res("hour", "1.32"), LIMITS) is True
    assert store.reserve_budget(res("hour", "2.34"), LIMITS) is True  # the price moved: +1.02 only
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal("2.34")
    assert store.reserve_budget(res("other", "7.66"), LIMITS) is True  # exactly at the bot limit
    # Asking for more than the limit leaves room for is refused, and nothing changes.
    assert store.reserve_budget(res("hour", "2.35"), LIMITS) is False
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal(10)
    assert [(x.reservation_id, x.amount) for x in store.reservations(DAY)] == [
        ("hour", Decimal("2.34")),
        ("other", Decimal("7.66")),
    ]


def test_a_smaller_re_reservation_never_shrinks_what_is_held(store: Store) -> None:
    tight = BudgetLimits(global_limit=Decimal(15), per_bot=(("btc", Decimal("1.50")),))
    assert store.reserve_budget(res("hour", "1.32"), tight) is True
    assert store.reserve_budget(res("hour", "0.50"), tight) is True  # covered by what is held
    assert store.budget_state("btc", DAY, tight).spent == Decimal("1.32")
    # The hold is still 1.32, so only 0.18 is left for anything else: the limit is never exceeded.
    assert store.reserve_budget(res("next", "0.19"), tight) is False
    assert store.reserve_budget(res("next", "0.18"), tight) is True


def test_a_release_never_exceeds_what_the_reservation_holds(store: Store) -> None:
    assert store.reserve_budget(res("a", "1.32"), LIMITS) is True
    assert store.reserve_budget(res("b", "3"), LIMITS) is True
    # The crash: releasing 1.872 from a 1.32 reservation gives back 1.32, no more, no error.
    assert store.release_budget(res("a", "2.34"), Decimal("1.872")) == Decimal("1.32")
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal(3)  # b's hold is untouched
    assert store.release_budget(res("a", "2.34"), Decimal("0.01")) == 0
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal(3)
    # Once given back, re-reserving the id holds the amount again (under the limits).
    assert store.reserve_budget(res("a", "1"), LIMITS) is True
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal(4)
    with pytest.raises(ValueError, match="positive"):
        store.release_budget(res("a", "1"), Decimal(0))


def test_settle_makes_a_reservation_hold_exactly_what_was_spent(store: Store) -> None:
    at = datetime(2025, 12, 11, 15, 45, 3, tzinfo=UTC)
    assert store.reserve_budget(replace(res("o", "2.34"), at=at), LIMITS) is True
    assert store.settle_budget(res("o", "0.47")) == Decimal("-1.87")  # 1 of 5 filled
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal("0.47")
    assert store.settle_budget(res("o", "0.47")) == 0  # idempotent
    # Spend discovered later is booked even past the limit: it happened, refusing would hide it.
    assert store.settle_budget(res("o", "12")) == Decimal("11.53")
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal(12)
    assert store.reserve_budget(res("x", "0.01"), LIMITS) is False
    # Unknown ids are created; a settled-to-zero one holds nothing.
    assert store.settle_budget(res("new", "1.5")) == Decimal("1.5")
    assert store.settle_budget(res("o", "0")) == Decimal(-12)
    assert store.budget_state("btc", DAY, LIMITS).spent == Decimal("1.5")
    assert store.settle_budget(res("never", "0")) == 0
    held = {x.reservation_id: x for x in store.reservations(DAY)}
    assert held["o"].amount == 0 and held["o"].at == at and held["o"].bot == "btc"
    assert held["new"].amount == Decimal("1.5")
    assert store.reservations(date(2025, 12, 12)) == []
    with pytest.raises(ValueError, match=">= 0"):
        store.settle_budget(res("o", "-1"))


def test_reservation_time_is_the_latest_ask(store: Store) -> None:
    first = datetime(2025, 12, 11, 15, 45, tzinfo=UTC)
    retry = first + timedelta(minutes=1)
    store.reserve_budget(replace(res("h", "1"), at=first), LIMITS)
    [held] = store.reservations(DAY)
    assert held.at == first and held.at.utcoffset() == timedelta(0)
    store.reserve_budget(replace(res("h", "2"), at=retry), LIMITS)
    [held] = store.reservations(DAY)
    assert held.at == retry and held.amount == 2


def test_budget_rejects_non_positive_amounts(store: Store) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.reserve_budget(res("z", "0"), LIMITS)
    with pytest.raises(ValueError, match="positive"):
        store.reserve_budget(res("z", "-1"), LIMITS)


def _race(n: int, work: object) -> list[object]:
    results: list[object] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)  # type: ignore[operator]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_twenty_threads_never_exceed_the_bot_or_global_limit(store: Store) -> None:
    limits = BudgetLimits(global_limit=Decimal(9), per_bot=(("a", Decimal(6)), ("b", Decimal(6))))

    def reserve(i: int) -> bool:
        bot = "a" if i % 2 == 0 else "b"
        return store.reserve_budget(res(f"x{i}", "1", bot), limits)

    results = _race(20, reserve)
    spent_a = store.budget_state("a", DAY, limits).spent
    spent_b = store.budget_state("b", DAY, limits).spent
    assert results.count(True) == 9
    assert spent_a <= 6 and spent_b <= 6 and spent_a + spent_b == 9


def test_twenty_threads_against_one_bot_limit(store: Store) -> None:
    limits = BudgetLimits(global_limit=Decimal(100), per_bot=(("a", Decimal("7.5")),))
    results = _race(20, lambda i: store.reserve_budget(res(f"y{i}", "1.5", "a"), limits))
    assert results.count(True) == 5
    assert store.budget_state("a", DAY, limits).spent == Decimal("7.5")


def test_twenty_threads_re_reserving_one_id_at_different_amounts(store: Store) -> None:
    """Retries of one hour racing with changed prices: every ask that fits the limit is granted, the
    others refused, and the hold and the bot's spend end at the largest that fit (none counted twice)."""
    limits = BudgetLimits(global_limit=Decimal(100), per_bot=(("a", Decimal(5)),))
    amounts = [Decimal(i + 1) / 2 for i in range(20)]  # 0.5 .. 10
    results = _race(20, lambda i: store.reserve_budget(res("same-hour", str(amounts[i]), "a"), limits))
    [held] = store.reservations(DAY)
    assert held.amount == 5 and store.budget_state("a", DAY, limits).spent == 5
    assert results == [amount <= 5 for amount in amounts]


def test_realized_pnl_is_idempotent_per_key(store: Store) -> None:
    assert store.realized_pnl(DAY) == 0
    store.record_realized_pnl("btc", DAY, Decimal("-2.25"), "KXBTCD-25DEC1102-T1")
    store.record_realized_pnl("btc", DAY, Decimal("-2.25"), "KXBTCD-25DEC1102-T1")
    store.record_realized_pnl("eth", DAY, Decimal("1.10"), "KXETHD-25DEC1102-T1")
    assert store.realized_pnl(DAY) == Decimal("-1.15")
    assert store.realized_pnl(date(2025, 12, 12)) == 0


def test_flags(store: Store) -> None:
    assert store.get_flag("halt") is None
    store.set_flag("halt", "daily loss limit")
    store.set_flag("other", "x")
    assert store.get_flag("halt") == "daily loss limit"
    store.set_flag("halt", None)
    store.set_flag("halt", None)
    assert store.get_flag("halt") is None
    assert store.get_flag("other") == "x"


# --- job runs --------------------------------------------------------------------------------
RUN = datetime(2025, 12, 11, 1, 45, tzinfo=UTC)


def test_second_claim_is_refused_and_finished_runs_stay_finished(store: Store) -> None:
    assert store.claim_run("trade", RUN, "w1", RUN, 60) is True
    assert store.claim_run("trade", RUN, "w2", RUN + timedelta(seconds=30), 60) is False
    assert store.claim_run("trade", RUN, "w1", RUN + timedelta(seconds=30), 60) is False
    store.finish_run("trade", RUN, "w1", "ok", "2 orders")
    assert store.claim_run("trade", RUN, "w2", RUN + timedelta(hours=5), 60) is False
    assert store.claim_run("trade", RUN + timedelta(hours=1), "w2", RUN + timedelta(hours=1), 60) is True


def test_expired_lease_can_be_taken_over(store: Store) -> None:
    assert store.claim_run("collect", RUN, "w1", RUN, 60) is True
    assert store.claim_run("collect", RUN, "w2", RUN + timedelta(seconds=61), 60) is True
    with pytest.raises(ConflictError):
        store.finish_run("collect", RUN, "w1", "ok", "")
    store.finish_run("collect", RUN, "w2", "error", "boom")
    (run,) = store.last_runs()
    assert (run.owner, run.outcome, run.detail) == ("w2", "error", "boom")


def test_a_transient_error_run_may_be_claimed_again_other_outcomes_are_final(store: Store) -> None:
    later = RUN + timedelta(minutes=1)
    assert store.claim_run("trade", RUN, "w1", RUN, 600)
    store.finish_run("trade", RUN, "w1", "error-transient", "timeout")
    assert store.claim_run("trade", RUN, "w2", later, 600) is True  # the platform's retry
    assert store.claim_run("trade", RUN, "w3", later, 600) is False  # ...which now holds a lease
    store.finish_run("trade", RUN, "w2", "error", "rejected")
    assert store.claim_run("trade", RUN, "w3", later + timedelta(hours=1), 600) is False
    (run,) = store.last_runs()
    assert (run.owner, run.outcome) == ("w2", "error")


def test_concurrent_claims_one_wins(store: Store) -> None:
    results = _race(10, lambda i: store.claim_run("trade", RUN, f"w{i}", RUN, 300))
    assert results.count(True) == 1


def test_last_runs_lists_the_latest_run_of_each_job(store: Store) -> None:
    assert store.last_runs() == []
    for hour in range(3):
        at = RUN + timedelta(hours=hour)
        store.claim_run("trade", at, "w", at, 60)
        store.finish_run("trade", at, "w", "no-trade", f"h{hour}")
    store.claim_run("collect-btc", RUN, "w", RUN, 60)
    runs = store.last_runs()
    assert [(r.job, r.scheduled_for, r.outcome, r.detail) for r in runs] == [
        ("collect-btc", RUN, "running", ""),
        ("trade", RUN + timedelta(hours=2), "no-trade", "h2"),
    ]
    assert runs[0].lease_until == RUN + timedelta(seconds=60)


# --- documents -------------------------------------------------------------------------------
def test_docs(store: Store) -> None:
    assert store.get_doc("wallet", "paper") is None
    assert store.put_doc("wallet", "paper", '{"cash": "100"}') is True
    assert store.put_doc("wallet", "paper", '{"cash": "99"}', only_if_absent=True) is False
    assert store.get_doc("wallet", "paper") == '{"cash": "100"}'
    assert store.put_doc("wallet", "paper", '{"cash": "98"}') is True
    for key in ["o3", "o1", "o2", "o5", "o4"]:
        store.put_doc("order", key, f'{{"id": "{key}"}}')
    assert [k for k, _ in store.list_docs("order")] == ["o1", "o2", "o3", "o4", "o5"]
    assert store.list_docs("order")[0] == ("o1", '{"id": "o1"}')
    assert store.list_docs("wallet") == [("paper", '{"cash": "98"}')]
    assert store.list_docs("none") == []


def test_init_schema_twice_is_harmless(store: Store) -> None:
    store.put_price(PriceTick(Asset.BTC, T0, Decimal(1)))
    store.init_schema()
    store.init_schema()
    assert store.latest_price(Asset.BTC) == PriceTick(Asset.BTC, T0, Decimal(1))
