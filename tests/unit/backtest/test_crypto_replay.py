from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from kalshi_bots.adapters.backtest_data import load_minute_bars
from kalshi_bots.app.backtest.crypto import ReplayConfig, bar_ticks, collect_hours, replay, trade_pnl
from kalshi_bots.app.backtest.ladder import assumed_quotes, strike_grid, synthetic_event
from kalshi_bots.app.backtest.models import MODELS, get_model, live_model
from kalshi_bots.domain.decision import HourlyTrade, Refusal
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.hourly_decision import HourlyInputs, decide_hour
from kalshi_bots.domain.hourly_model import hourly_model, hourly_model_input
from kalshi_bots.domain.markets import hourly_target, select_strike
from kalshi_bots.domain.models import Asset, ExchangeStatus
from kalshi_bots.domain.params import HourlyParams
from kalshi_bots.domain.pricing import prob_no, prob_no_t
from kalshi_bots.domain.reasons import NoTradeReason
from kalshi_bots.domain.volatility import compute_snapshot

from .helpers import BASE_TS, random_walk_closes, write_bitstamp_csv

SLICE = Path(__file__).resolve().parents[2] / "data/backtest/bitstamp_btcusd_1m_2025-01-20_slice.csv"


def test_strike_grid_is_100_dollar_steps_ending_in_99_cents() -> None:
    grid = strike_grid(Decimal(100050), 0.5)
    assert grid[0] == Decimal("99599.99") and grid[-1] == Decimal("100499.99")
    assert all(str(s).endswith("99.99") for s in grid)
    assert all(b - a == 100 for a, b in pairwise(grid))


def test_assumed_quotes_sit_on_the_cent_grid_around_the_reference() -> None:
    assert assumed_quotes(0.904, Decimal("0.01")) == (Decimal("0.89"), Decimal("0.92"))
    assert assumed_quotes(0.9999, Decimal("0.01"))[1] == Decimal("0.99")
    bid, ask = assumed_quotes(0.0001, Decimal("0.01"))
    assert bid == Decimal("0.01") and ask == Decimal("0.02")


def test_synthetic_event_quotes_only_strikes_the_no_rule_can_pick() -> None:
    spot = Decimal(100050)
    close = datetime(2025, 1, 20, 1, tzinfo=UTC)
    event = synthetic_event(
        Asset.BTC,
        spot=spot,
        close_time=close,
        minutes_left=15.0,
        reference_sigma=0.3,
        strikes=strike_grid(spot, 0.5),
        half_spread=Decimal("0.01"),
    )
    assert event.event_ticker == "KXBTCD-25JAN1920"  # 01:00Z = 20:00 EST the day before
    for m in event.markets:
        assert m.floor_strike is not None
        if m.floor_strike < spot:
            assert m.no_ask is None
        else:
            assert m.no_ask is not None and m.yes_bid == 1 - m.no_ask


def _hours(tmp_path: Path, n_minutes: int = 6 * 60, skip: set[int] | None = None) -> list:  # type: ignore[type-arg]
    path = write_bitstamp_csv(tmp_path / "b.csv", random_walk_closes(n_minutes), skip=skip)
    bars = load_minute_bars(path)
    return [bars, collect_hours(bars)]


def test_decision_at_minute_45_with_spot_at_45_and_settlement_proxy_before_the_hour(tmp_path: Path) -> None:
    bars, hours = _hours(tmp_path)
    assert len(hours) == 6
    h = hours[2]
    assert h.decision_time == datetime.fromtimestamp(BASE_TS + 2 * 3600 + 45 * 60, UTC)
    assert h.close_time == datetime.fromtimestamp(BASE_TS + 3 * 3600, UTC)
    j = bars.at(BASE_TS + 2 * 3600 + 44 * 60)
    k = bars.at(BASE_TS + 2 * 3600 + 59 * 60)
    assert h.spot == Decimal(repr(bars.close[j]))
    assert h.settle == pytest.approx((bars.open[k] + bars.high[k] + bars.low[k] + bars.close[k]) / 4)
    assert h.minutes_left == 15.0
    # the strike the live rule picks, from the full grid
    full = synthetic_event(
        Asset.BTC,
        spot=h.spot,
        close_time=h.close_time,
        minutes_left=15.0,
        reference_sigma=None,
        strikes=strike_grid(h.spot, 1.0),
        half_spread=Decimal("0.01"),
    )
    chosen = select_strike(full.markets, h.spot, 20)
    assert chosen is not None and h.decision_strike == chosen.floor_strike


def test_hours_missing_the_spot_or_settlement_bar_are_not_replayed(tmp_path: Path) -> None:
    _, hours = _hours(tmp_path, skip={60 + 44, 3 * 60 + 59})
    times = [h.decision_time.hour for h in hours]
    assert 1 not in times and 3 not in times and len(hours) == 4


def test_replay_uses_live_pricing_and_scores_every_ladder_strike() -> None:
    bars = load_minute_bars(SLICE)
    hours = collect_hours(bars)
    spec = get_model("spec")
    result = replay(hours, spec, reference=get_model("spec-60"))
    assert len(result.hours) + result.skipped_no_sigma == len(hours) == 36
    decisions = result.decision_rows
    assert len(decisions) == len(result.hours)
    for row, hour in zip(decisions, result.hours, strict=True):
        assert hour.sigma_pct == hour.sample.features.std15
        assert hour.decision is not None and hour.decision.p_no == row.p_no
        assert row.p_no == prob_no(row.spot, row.strike, 15.0, row.sigma_pct)
        assert row.outcome_no == int(row.settle <= float(row.strike))
    literal = replay(hours, get_model("spec-literal"))
    for a, b in zip(literal.hours, result.hours, strict=True):
        assert a.sigma_pct == pytest.approx((b.sigma_pct or 0) / math.sqrt(15))


def test_bankroll_moves_by_trade_pnl() -> None:
    bars = load_minute_bars(SLICE)
    hours = collect_hours(bars)
    # The literal model sees edge against a spec-priced market (it is overconfident), so it trades.
    result = replay(hours, get_model("spec-literal"), reference=get_model("spec"), config=ReplayConfig())
    assert sum(1 for h in result.hours if h.trade is not None) >= 3
    bankroll = Decimal(100)
    for h in result.hours:
        bankroll = max(Decimal(0), bankroll + h.pnl)
        assert h.bankroll_after == bankroll


def test_trade_pnl_pays_one_dollar_per_winning_contract_minus_cost_and_fees() -> None:
    market = synthetic_event(
        Asset.BTC,
        spot=Decimal(100000),
        close_time=datetime(2025, 1, 20, 1, tzinfo=UTC),
        minutes_left=15.0,
        reference_sigma=0.3,
        strikes=[Decimal("100299.99")],
        half_spread=Decimal("0.01"),
    ).markets[0]
    trade = HourlyTrade(market, Decimal("100299.99"), Decimal("0.90"), 3, Decimal("0.01"), 0.95, 0.04, 0.2)
    assert trade_pnl(trade, settle=100_299.99) == Decimal("0.27")  # not strictly above: NO wins
    assert trade_pnl(trade, settle=100_300.00) == Decimal("-2.73")
    assert trade_pnl(None, 1.0) == 0


def test_every_model_is_selectable_by_name() -> None:
    assert {"spec-literal", "spec", "spec-60", "ewma", "blend", "student-t"} <= set(MODELS)
    with pytest.raises(DomainError, match="unknown volatility model"):
        get_model("magic")


def test_live_replays_the_jobs_model_input_and_decision_hour_by_hour() -> None:
    """``--model live`` = the job: the collector's snapshot at :45 (compute_snapshot over the trailing
    minutes), hourly_model_input on it, decide_hourly with the model's nu and settlement average."""
    bars = load_minute_bars(SLICE)
    ticks = bar_ticks(bars)
    spec = hourly_model()
    hours = collect_hours(bars, live=spec)
    result = replay(hours, live_model(spec), reference=get_model("spec-60"))
    assert result.hours and result.skipped_no_sigma <= 1  # the first hour has 44 returns < 60
    for hour in result.hours:
        sample = hour.sample
        snapshot = compute_snapshot(
            Asset.BTC, [t for t in ticks if t.at <= sample.decision_time], sample.decision_time
        )
        job_input = hourly_model_input(spec, snapshot)
        assert hour.sigma_pct == job_input.vol_15m_std_pct
        assert hour.decision is not None and hour.decision.strike == sample.decision_strike
        row = next(r for r in result.decision_rows if r.decision_time == sample.decision_time)
        expected = prob_no_t(
            sample.spot, row.strike, 15.0, job_input.vol_15m_std_pct or 0, 5.0, settlement_average_s=60.0
        )
        assert hour.decision.p_no == row.p_no == expected


def test_the_live_model_follows_its_settings_choice() -> None:
    bars = load_minute_bars(SLICE)
    hours = collect_hours(bars, live=hourly_model("sample-t"))
    live = replay(hours, live_model(hourly_model("sample-t")))
    before = replay(hours, get_model("sample-t"))
    assert [r.p_no for r in live.ladder] == [r.p_no for r in before.ladder]
    assert [h.pnl for h in live.hours] == [h.pnl for h in before.hours]


def test_ewma_t_matches_the_live_default() -> None:
    bars = load_minute_bars(SLICE)
    hours = collect_hours(bars, live=hourly_model())
    assert [r.p_no for r in replay(hours, get_model("ewma-t")).ladder] == [
        r.p_no for r in replay(hours, live_model(hourly_model())).ladder
    ]


def test_the_replay_decides_each_hour_exactly_as_the_job_would_on_the_same_inputs() -> None:
    """One route: the replay's verdict is decide_hour on the job's own view of the hour (the collector's
    full VOL/LATEST from compute_snapshot, hourly_model_input on it, the tick, the running bankroll)."""
    bars = load_minute_bars(SLICE)
    ticks = bar_ticks(bars)
    model = hourly_model()
    hours = collect_hours(bars, live=model)
    cfg = ReplayConfig()
    result = replay(hours, live_model(model), reference=get_model("spec-60"), config=cfg)
    assert len(result.hours) >= 30
    bankroll = cfg.bankroll
    for hour in result.hours:
        sample = hour.sample
        snapshot = compute_snapshot(
            Asset.BTC, [t for t in ticks if t.at <= sample.decision_time], sample.decision_time
        )
        event = synthetic_event(
            Asset.BTC,
            spot=sample.spot,
            close_time=sample.close_time,
            minutes_left=15.0,
            reference_sigma=get_model("spec-60").sigma(sample.features),
            strikes=strike_grid(sample.spot, cfg.ladder_width_pct),
            half_spread=cfg.half_spread,
        )
        job = decide_hour(
            HourlyInputs(
                sample.decision_time,
                hourly_target(Asset.BTC, sample.decision_time),
                event,
                ExchangeStatus(True, True),
                snapshot,
                hourly_model_input(model, snapshot),
                sample.tick,
                cfg.fee_schedule,
                bankroll,
            ),
            cfg.rules,
            cfg.max_price_jump_pct,
        )
        assert hour.verdict == job.outcome and hour.decision == job.decision
        bankroll = hour.bankroll_after


def test_the_replay_applies_the_jobs_input_gates_and_sizing() -> None:
    """Recorded inputs the job would refuse are refused in the replay too, for the job's reason."""
    bars = load_minute_bars(SLICE)
    hours = collect_hours(bars)
    spec, reference = get_model("spec-literal"), get_model("spec")  # literal trades (see above)
    base = replay(hours, spec, reference=reference)
    traded = [h.sample for h in base.hours if h.trade is not None]
    assert traded
    sample = traded[0]
    stale_tick = replace(sample, tick=replace(sample.tick, at=sample.decision_time - timedelta(seconds=91)))
    old_vol = replace(
        sample, snapshot=replace(sample.snapshot, computed_at=sample.decision_time - timedelta(seconds=181))
    )
    jumped = replace(sample, snapshot=replace(sample.snapshot, last_price=sample.spot * 2, recent_prices=()))
    cases = {
        NoTradeReason.PRICE_STALE: (stale_tick, ReplayConfig()),
        NoTradeReason.VOL_STALE: (old_vol, ReplayConfig()),
        NoTradeReason.SPOT_DISAGREES: (jumped, ReplayConfig()),
        NoTradeReason.SIZE_ZERO: (sample, ReplayConfig(rules=HourlyParams(max_contracts=0))),
    }
    for reason, (hour, cfg) in cases.items():
        [result] = replay([hour], spec, reference=reference, config=cfg).hours
        assert isinstance(result.verdict, Refusal) and result.verdict.reason is reason, (
            reason,
            result.verdict,
        )
        assert result.pnl == 0 and result.bankroll_after == cfg.bankroll
    # The model input's minimum data: no estimate is the job's vol_insufficient, nothing priced.
    no_estimate = replace(sample, features=replace(sample.features, std15=None))
    skipped = replay([no_estimate], get_model("spec"))
    assert skipped.hours == [] and skipped.skipped_no_sigma == 1
