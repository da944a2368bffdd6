"""trade-hourly: one order when everything lines up; every refusal places nothing and says why."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.memory import MemoryStore
from kalshi_bots.app import risk
from kalshi_bots.app.deps import HourlyParams, JobParams
from kalshi_bots.app.reconcile import reconcile
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.app.trade_hourly import trade_hourly
from kalshi_bots.domain.hourly_model import hourly_model
from kalshi_bots.domain.models import (
    Asset,
    Event,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    OrderIntent,
    OrderResult,
    TradeStatus,
    VolatilitySnapshot,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.pricing import prob_no_t
from kalshi_bots.ports.errors import RejectedError

from .fakes import (
    BrokenStore,
    CountingExchange,
    CrashAfterPostExchange,
    World,
    hourly_market,
    make_world,
    vol_snapshot,
)

D = Decimal
SCHED = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)  # 09:45 EST
CLOSE = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 EST
EVENT = "KXBTCD-26NOV2410"


def setup_world(sched: datetime = SCHED, close: datetime = CLOSE, event_ticker: str = EVENT) -> World:
    w = make_world(sched + timedelta(seconds=5))
    markets = (
        hourly_market(event_ticker, "99999.99", close, "0.30"),
        hourly_market(event_ticker, "100099.99", close, "0.55"),  # below the 20 bps threshold
        hourly_market(event_ticker, "100249.99", close, "0.80"),  # first qualifying strike
        hourly_market(event_ticker, "100499.99", close, "0.95"),
    )
    w.data.add_event(Event(event_ticker, "KXBTCD", markets, exchange_index=2))
    w.store.put_volatility(vol_snapshot(Asset.BTC, sched - timedelta(seconds=30)))
    return w


def test_happy_path_buys_no_at_the_ask_and_logs_every_spec_attribute() -> None:
    w = setup_world()
    result = trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.OK, result
    assert len(w.exchange.orders) == 1
    intent = w.exchange.orders[0]
    assert intent.ticker == f"{EVENT}-T100249.99"
    assert intent.book_side.value == "ask" and intent.yes_price == D("0.20")
    assert intent.time_in_force.value == "immediate_or_cancel"
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.EXECUTED
    assert trade.side is Side.NO and trade.quantity == 5 and trade.fill_count == 5
    assert trade.price_cents == D("80.00")
    assert trade.btc_price == D(100000) and trade.strike_price == D("100249.99")
    assert 0.85 < trade.model_prob < 0.95 and trade.market_prob == 0.8
    assert trade.edge >= 0.03 and 0 < trade.kelly_fraction <= 0.25
    assert trade.fees_dollars == D("0.06")  # ceil(0.07 * 5 * 0.8 * 0.2) = 0.06
    assert trade.mode.value == "paper" and trade.order_id
    # Budget: 5 * (0.80 + 0.012) reserved, nothing to release (fully filled).
    state = w.store.budget_state("btc-hourly", risk.trading_day(w.clock.now()), JobParams().budget)
    assert state.spent == D("4.060")
    assert w.paper.balance() == D(1000) - D("4.00") - D("0.06")


def _refusal_cases() -> list[tuple[str, str]]:
    return [
        ("kill_switch", "kill_switch"),
        ("loss_limit", "loss_limit"),
        ("already_traded", "already_traded"),
        ("event_missing", "event_missing"),
        ("exchange_closed", "exchange_closed"),
        ("shard_closed", "shard_closed"),
        ("vol_stale", "vol_stale"),
        ("vol_missing", "vol_insufficient"),
        ("vol_insufficient", "vol_insufficient"),
        ("price_stale", "price_stale"),
        ("no_strike", "no_qualifying_strike"),
        ("no_quote", "no_quote"),
        ("fee_unknown", "fee_type_unknown"),
        ("edge_small", "edge_too_small"),
        ("size_zero", "size_zero"),
        ("budget", "budget_exceeded"),
        ("close_mismatch", "close_time_mismatch"),
        ("spot_off", "spot_disagrees"),
        ("tick_from_future", "future_timestamp"),
        ("vol_from_future", "future_timestamp"),
        ("strikes_x100", "strikes_implausible"),
        ("foreign_market", "foreign_market"),
        ("over_precise_ask", "price_off_tick"),
    ]


def _break(w: World, case: str) -> JobParams:
    params = JobParams()
    if case == "kill_switch":
        risk.halt(w.store, "operator")
    elif case == "loss_limit":
        w.store.record_realized_pnl("btc-hourly", risk.trading_day(w.clock.now()), D(-30), "loss")
    elif case == "already_traded":
        trade_hourly(w.deps(), SCHED - timedelta(minutes=1), asset=Asset.BTC)  # same target hour
        w.exchange.orders.clear()
    elif case == "event_missing":
        w.data.events.clear()
    elif case == "exchange_closed":
        w.data.status = ExchangeStatus(True, False)
    elif case == "shard_closed":
        w.data.status = ExchangeStatus(True, True, ((0, True), (2, False)))
    elif case == "vol_stale":
        w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now() - timedelta(seconds=181)))
    elif case == "vol_missing":
        w.store = type(w.store)()  # empty store: no VOL/LATEST at all
    elif case == "vol_insufficient":
        w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now(), std_pct=None, samples=3))
    elif case == "price_stale":
        w.prices.lag = timedelta(seconds=91)
    elif case == "no_strike":
        # Above the ladder's last qualifying threshold, yet within the collector's jump limit.
        w.prices.price_at = lambda _t: D(100480)
    elif case == "no_quote":
        w.data.update_market(f"{EVENT}-T100249.99", no_ask=None)
    elif case == "fee_unknown":
        w.data.fees["KXBTCD"] = FeeSchedule(FeeType.FLAT)
    elif case == "edge_small":
        w.data.update_market(f"{EVENT}-T100249.99", no_ask=D("0.90"))  # P(NO) 0.92: edge < 3 points
    elif case == "size_zero":
        params = replace(params, hourly=HourlyParams(max_contracts=0))
    elif case == "budget":
        params = replace(params, budget=replace(params.budget, per_bot=(("btc-hourly", D(1)),)))
    elif case == "close_mismatch":
        w.data.update_market(f"{EVENT}-T100249.99", close_time=CLOSE + timedelta(hours=1))
    elif case == "spot_off":
        w.prices.price_at = lambda _t: D(200000)  # the collector accepted 100000
    elif case == "tick_from_future":
        w.prices.lag = timedelta(days=-1)
    elif case == "vol_from_future":
        w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now() + timedelta(minutes=10)))
    elif case == "strikes_x100":
        event = w.data.events[EVENT]
        scaled = tuple(replace(m, floor_strike=m.floor_strike * 100) for m in event.markets if m.floor_strike)
        w.data.add_event(replace(event, markets=scaled))
    elif case == "foreign_market":
        other = hourly_market("KXBTCD-26NOV2411", "100249.99", CLOSE, "0.80")
        w.data.add_event(replace(w.data.events[EVENT], markets=(other,)))
    elif case == "over_precise_ask":
        w.data.update_market(f"{EVENT}-T100249.99", no_ask=D("0.80001"))
    return params


@pytest.mark.parametrize(("case", "reason"), _refusal_cases())
def test_every_refusal_places_no_order_and_names_its_reason(case: str, reason: str) -> None:
    w = setup_world()
    params = _break(w, case)
    if case == "vol_missing":
        w.paper = PaperExchange(w.data, w.store, w.clock)
        w.exchange.inner = w.paper
    result = trade_hourly(w.deps(params=params), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.NO_TRADE, result
    assert result.reason == reason, result
    assert w.exchange.orders == []
    assert w.paper.fills(SCHED - timedelta(days=1)) == [] or case == "already_traded"


def test_store_unavailable_is_an_error_and_places_nothing() -> None:
    w = setup_world()
    result = trade_hourly(w.deps(store=BrokenStore(w.store)), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.ERROR and result.reason == "store_unavailable"
    assert w.exchange.orders == []


def test_store_failing_at_the_budget_step_places_nothing() -> None:
    w = setup_world()
    working = ("get_flag", "realized_pnl", "get_trade", "get_volatility")
    result = trade_hourly(w.deps(store=BrokenStore(w.store, working)), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.ERROR and result.reason == "store_unavailable"
    assert w.exchange.orders == []


def test_running_twice_for_the_same_time_places_one_order() -> None:
    w = setup_world()
    first = run_job(w.deps(), JobName.TRADE_BTC, SCHED)
    second = run_job(w.deps(), JobName.TRADE_BTC, SCHED)
    assert first.outcome is Outcome.OK
    assert second.outcome is Outcome.SKIPPED
    # Even without the run claim (another trigger minute for the same hour), the trade record stops it.
    third = trade_hourly(w.deps(), SCHED + timedelta(minutes=1), asset=Asset.BTC)
    assert third.reason == "already_traded"
    assert len(w.exchange.orders) == 1


def test_two_concurrent_runs_place_exactly_one_order() -> None:
    for _ in range(5):
        w = setup_world()
        results = []
        barrier = threading.Barrier(2)

        def go(
            instance: str, w: World = w, barrier: threading.Barrier = barrier, results: list = results
        ) -> None:
            barrier.wait()
            results.append(run_job(w.deps(instance_id=instance), JobName.TRADE_BTC, SCHED))

        threads = [threading.Thread(target=go, args=(f"i{n}",)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.outcome.value for r in results) == ["ok", "skipped"]
        assert len(w.exchange.orders) == 1


def test_concurrent_job_functions_without_the_claim_still_place_one_order() -> None:
    for _ in range(5):
        w = setup_world()
        barrier = threading.Barrier(2)

        def go(minute: int, w: World = w, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            trade_hourly(w.deps(), SCHED + timedelta(minutes=minute), asset=Asset.BTC)

        threads = [threading.Thread(target=go, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(w.exchange.orders) == 1
        assert len(w.store.all_trades()) == 1


def test_crash_after_post_is_repaired_by_reconcile_without_a_second_order() -> None:
    w = setup_world()
    crashing = CrashAfterPostExchange(w.paper)
    result = trade_hourly(w.deps(exchange=crashing), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.ERROR and not result.transient
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.PENDING
    # A retry of the job must not send again.
    again = trade_hourly(w.deps(exchange=crashing), SCHED, asset=Asset.BTC)
    assert again.reason == "already_traded"
    assert crashing.orders_sent == 1
    w.clock.advance(timedelta(minutes=5))
    rec = reconcile(w.deps(exchange=crashing), SCHED + timedelta(minutes=5))
    assert rec.outcome is Outcome.OK, rec
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.EXECUTED and trade.fill_count == 5 and trade.fees_dollars == D("0.06")
    assert crashing.orders_sent == 1


def test_ioc_that_does_not_fill_releases_the_budget() -> None:
    w = setup_world()
    w.data.update_market(f"{EVENT}-T100249.99", status="active", yes_bid_size=D(0))
    result = trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.OK and result.reason == "not_filled"
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.FAILED and trade.fill_count == 0
    state = w.store.budget_state("btc-hourly", risk.trading_day(w.clock.now()), JobParams().budget)
    assert state.spent == 0


@pytest.mark.parametrize(
    ("sched", "close", "ticker"),
    [
        # Spring forward 2026-03-08: 01:45 EST -> the next top of the hour is 03:00 EDT (07:00Z).
        (datetime(2026, 3, 8, 6, 45, tzinfo=UTC), datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "KXBTCD-26MAR0803"),
        # The day after, an ordinary EDT hour: 13:45 EDT -> 14:00 EDT.
        (
            datetime(2026, 3, 8, 17, 45, tzinfo=UTC),
            datetime(2026, 3, 8, 18, 0, tzinfo=UTC),
            "KXBTCD-26MAR0814",
        ),
        # Fall back 2026-11-01: 00:45 EDT -> 01:00 EDT (05:00Z); 01:45 EST -> 02:00 EST (07:00Z).
        (
            datetime(2026, 11, 1, 4, 45, tzinfo=UTC),
            datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
            "KXBTCD-26NOV0101",
        ),
        (
            datetime(2026, 11, 1, 6, 45, tzinfo=UTC),
            datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
            "KXBTCD-26NOV0102",
        ),
        (
            datetime(2026, 11, 1, 17, 45, tzinfo=UTC),
            datetime(2026, 11, 1, 18, 0, tzinfo=UTC),
            "KXBTCD-26NOV0113",
        ),
    ],
)
def test_dst_days_target_the_right_event(sched: datetime, close: datetime, ticker: str) -> None:
    w = setup_world(sched, close, ticker)
    result = trade_hourly(w.deps(), sched, asset=Asset.BTC)
    assert result.outcome is Outcome.OK, result
    assert w.exchange.orders[0].ticker.startswith(ticker + "-")


def test_fall_back_repeated_hour_refuses_an_event_closing_at_the_other_instant() -> None:
    # 05:45Z on 2026-11-01 is 01:45 EDT (EDT ends at 06:00Z). Its target is 06:00Z = 01:00 EST, which
    # shares the ticker ...0101 with 05:00Z. If Kalshi's ...0101
    # event closes at 05:00Z, the decision must refuse rather than trade the wrong instant.
    sched = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)
    w = setup_world(sched, datetime(2026, 11, 1, 5, 0, tzinfo=UTC), "KXBTCD-26NOV0101")
    result = trade_hourly(w.deps(), sched, asset=Asset.BTC)
    assert result.reason == "close_time_mismatch"
    assert w.exchange.orders == []


def test_an_order_the_exchange_rejects_is_logged_rejected_and_its_budget_released() -> None:
    w = setup_world()

    class Rejecting(CountingExchange):
        def create_order(self, intent: OrderIntent) -> OrderResult:
            super().create_order(intent)  # counted, then refused by "the exchange"
            raise RejectedError("kalshi", "trading is paused", "trading_paused", 409)

    rejecting = Rejecting(PaperExchange(w.data, MemoryStore(), w.clock))
    result = trade_hourly(w.deps(exchange=rejecting), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.ERROR and result.reason == "order_rejected"
    [trade] = w.store.all_trades()
    assert trade.status is TradeStatus.REJECTED and "trading_paused" in trade.reason
    state = w.store.budget_state("btc-hourly", risk.trading_day(w.clock.now()), JobParams().budget)
    assert state.spent == 0
    assert w.store.open_trades() == []


def test_trade_log_event_carries_every_spec_attribute(caplog: pytest.LogCaptureFixture) -> None:
    w = setup_world()
    with caplog.at_level("INFO", logger="kalshi_bots.app"):
        trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    [rec] = [r for r in caplog.records if getattr(r, "event", "") == "trade.recorded"]
    fields = rec.fields  # type: ignore[attr-defined]
    spec = ("contract_ticker", "side", "quantity", "price_cents", "btc_price", "strike_price", "model_prob")
    spec += ("market_prob", "edge", "kelly_fraction", "status")
    assert all(fields.get(k) is not None for k in spec), fields
    assert fields["side"] == "NO" and fields["status"] == "executed"


def test_a_run_too_close_to_the_close_refuses() -> None:
    w = setup_world()
    w.clock.set(CLOSE - timedelta(seconds=30))
    result = trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.NO_TRADE and result.reason == "too_late"
    w.clock.set(CLOSE + timedelta(hours=3))  # e.g. ``job trade-hourly --at <past>`` on a real clock
    assert trade_hourly(w.deps(), SCHED, asset=Asset.BTC).reason == "too_late"
    assert w.exchange.orders == []


class ShardCashExchange(CountingExchange):
    """Collateral per shard, like Kalshi since the 2026 sharding: plenty on shard 0, $2 on shard 2."""

    def __init__(self, inner: PaperExchange) -> None:
        super().__init__(inner)
        self.balance_asks: list[int | None] = []

    def balance(self, exchange_index: int | None = None) -> Decimal:
        self.balance_asks.append(exchange_index)
        return D(2) if exchange_index == 2 else D(1000)


def test_kelly_sizes_against_the_cash_on_the_events_shard() -> None:
    w = setup_world()
    exchange = ShardCashExchange(w.paper)
    result = trade_hourly(w.deps(exchange=exchange), SCHED, asset=Asset.BTC)
    assert exchange.balance_asks == [2]  # the KXBTCD event is on shard 2
    # $2 on shard 2 at 25% applied Kelly buys no contract at $0.80 + fee: sized on shard 0's $1000 it
    # would have bought 5 and been refused by the exchange for lack of collateral on shard 2.
    assert result.reason == "size_zero" and exchange.orders == []


def _gappy(snapshot: VolatilitySnapshot, keep: int) -> VolatilitySnapshot:
    """The same windows (the 15-minute metrics still look fine) but only the last ``keep`` prices."""
    return replace(snapshot, recent_prices=snapshot.recent_prices[-keep:])


def test_too_few_minute_prices_for_the_ewma_refuses_with_the_count_and_no_order() -> None:
    """Fresh start or a feed outage: 30 prices = 29 returns < 60 needed. The 15-minute window alone
    would still price, so this is the EWMA's own fail-closed rule, not the old one."""
    w = setup_world()
    w.store.put_volatility(_gappy(vol_snapshot(Asset.BTC, SCHED - timedelta(seconds=30)), 30))
    result = trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.NO_TRADE and result.reason == "vol_insufficient", result
    assert "29 one-minute returns" in result.detail and "needs 60" in result.detail
    assert result.data["vol_model"] == "ewma-t" and result.data["vol_returns"] == 29
    assert w.exchange.orders == []


def test_the_old_models_stay_selectable_and_use_the_15_minute_window() -> None:
    w = setup_world()
    w.store.put_volatility(_gappy(vol_snapshot(Asset.BTC, SCHED - timedelta(seconds=30)), 30))
    params = replace(JobParams(), hourly=HourlyParams(model=hourly_model("sample-t")))
    result = trade_hourly(w.deps(params=params), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.OK, result
    assert result.data["vol_model"] == "sample-t"


def test_the_job_prices_with_exactly_the_model_input_and_the_t_law() -> None:
    """The trade's P(NO) is prob_no_t on the EWMA input (nu 5, 60 s average), not the spec's formula."""
    w = setup_world()
    result = trade_hourly(w.deps(), SCHED, asset=Asset.BTC)
    assert result.outcome is Outcome.OK, result
    [trade] = w.store.all_trades()
    left = (CLOSE - SCHED - timedelta(seconds=5)).total_seconds() / 60
    expected = prob_no_t(D(100000), D("100249.99"), left, 0.2, 5.0, settlement_average_s=60.0)
    assert trade.model_prob == pytest.approx(expected, abs=1e-9)


def test_a_run_that_refuses_early_makes_no_further_calls() -> None:
    """decide_hour asks for the price only after the event and VOL gates pass, and for the fees and the
    balance only after the price gates pass: a stale VOL item never reaches Coinbase, implausible
    strikes never reach the fee or balance endpoints."""
    w = setup_world()
    w.store.put_volatility(vol_snapshot(Asset.BTC, w.clock.now() - timedelta(seconds=181)))
    w.prices.fail_ticker = True  # would turn the refusal into an error if it were called
    assert trade_hourly(w.deps(), SCHED, asset=Asset.BTC).reason == "vol_stale"

    w = setup_world()
    event = w.data.events[EVENT]
    scaled = tuple(replace(m, floor_strike=m.floor_strike * 100) for m in event.markets if m.floor_strike)
    w.data.add_event(replace(event, markets=scaled))
    exchange = ShardCashExchange(w.paper)
    assert trade_hourly(w.deps(exchange=exchange), SCHED, asset=Asset.BTC).reason == "strikes_implausible"
    assert "series_fees" not in w.data.calls and exchange.balance_asks == []
    # And when every gate passes, each input is read exactly once, in the order the decision asks.
    w = setup_world()
    exchange = ShardCashExchange(w.paper)
    trade_hourly(w.deps(exchange=exchange), SCHED, asset=Asset.BTC)
    assert w.data.calls[:3] == ["get_event", "exchange_status", "series_fees"]
    assert exchange.balance_asks == [2]
