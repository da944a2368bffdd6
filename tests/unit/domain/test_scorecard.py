"""The scorecard's figures: which contracts are scored, against what, per bot and week; P&L vs expectation."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, StrikeQuote, Trigger
from kalshi_bots.domain.models import Bot, Mode, Side, TradeRecord, TradeStatus
from kalshi_bots.domain.scorecard import ALL_WEEKS, bot_scorecards, edge_evidence, iso_week, scored_contracts
from kalshi_bots.domain.scoring import compare

D = Decimal
MON = datetime(2026, 11, 23, 14, 45, tzinfo=UTC)  # ISO week 2026-W48


def quote(
    ticker: str, p: float | None, *, looked: bool = True, no_bid: str = "0.78", no_ask: str = "0.82"
) -> StrikeQuote:
    return StrikeQuote(
        ticker, "greater", D(1), None, None, None, D(no_bid), D(no_ask), model_p_no=p, looked_at=looked
    )


def decision(
    at: datetime,
    event: str,
    *strikes: StrikeQuote,
    bot: Bot = Bot.BTC_HOURLY,
    trigger: Trigger = Trigger.DECISION,
) -> MarketSnapshot:
    return MarketSnapshot(at, at, trigger, bot, "paper", "KXBTCD", event, at + timedelta(minutes=15), strikes)


def result(event: str, *outcomes: tuple[str, str]) -> EventResult:
    return EventResult(event, "KXBTCD", MON, outcomes)


def trade(
    at: datetime, won: bool, *, bot: Bot = Bot.BTC_HOURLY, fill: str = "2", pnl: bool = True
) -> TradeRecord:
    price = D("0.80")
    fees = D("0.02")
    fill_count = D(fill)
    return TradeRecord(
        created_at=at,
        client_order_id=f"c{at.timestamp()}{bot}",
        bot=bot,
        mode=Mode.PAPER,
        contract_ticker="X-T1",
        side=Side.NO,
        quantity=int(fill_count),
        price_cents=price * 100,
        btc_price=None,
        strike_price=None,
        model_prob=0.9,
        market_prob=0.8,
        edge=0.08,
        kelly_fraction=0.1,
        status=TradeStatus.EXECUTED,
        fill_count=fill_count,
        fees_dollars=fees,
        settlement_result=("no" if won else "yes") if pnl else None,
        pnl_dollars=(fill_count * (1 - price) - fees if won else -fill_count * price - fees) if pnl else None,
    )


def test_only_looked_at_contracts_of_decisions_with_a_price_a_mid_and_a_result_are_scored() -> None:
    snaps = [
        decision(MON, "E1", quote("E1-a", 0.9), quote("E1-b", 0.5, looked=False)),
        decision(MON + timedelta(hours=1), "E2", quote("E2-a", None)),  # unpriced
        decision(MON + timedelta(hours=2), "E3", quote("E3-a", 0.7)),  # unsettled
        decision(
            MON + timedelta(hours=3), "E4", replace(quote("E4-a", 0.6), no_bid=None, yes_bid=None)
        ),  # no mid
        decision(
            MON + timedelta(hours=4), "E5", quote("E5-a", 0.2), trigger=Trigger.MINUTE
        ),  # not a decision
    ]
    results = {e: result(e, (f"{e}-a", "no"), (f"{e}-b", "yes")) for e in ("E1", "E2", "E4", "E5")}
    rows, recorded = scored_contracts(snaps, results)
    assert [(r.ticker, r.model_p_no, r.market_p_no, r.no_won) for r in rows] == [
        ("E1-a", 0.9, pytest.approx(0.8), 1)
    ]
    assert recorded == {("btc-hourly", "2026-W48"): 4}


def test_lines_score_model_against_mid_with_event_clusters_per_bot_and_week() -> None:
    week2 = MON + timedelta(days=7)
    snaps = [
        decision(MON, "E1", quote("E1-a", 0.9), quote("E1-b", 0.3)),
        decision(MON + timedelta(hours=1), "E2", quote("E2-a", 0.6)),
        decision(week2, "E3", quote("E3-a", 0.95)),
        decision(MON, "W1", quote("W1-a", 0.1), bot=Bot.WEATHER),
    ]
    results = {
        "E1": result("E1", ("E1-a", "no"), ("E1-b", "yes")),
        "E2": result("E2", ("E2-a", "yes")),
        "E3": result("E3", ("E3-a", "no")),
        "W1": result("W1", ("W1-a", "no")),
    }
    [btc, weather] = bot_scorecards(snaps, results, [], [Bot.BTC_HOURLY, Bot.WEATHER])
    assert [w.week for w in btc.weeks] == [iso_week(MON), iso_week(week2)] == ["2026-W48", "2026-W49"]
    total = btc.total
    assert total.week == ALL_WEEKS and total.decisions == 3 and total.contracts == 4
    expected = compare([0.9, 0.3, 0.6, 0.95], [0.8, 0.8, 0.8, 0.8], [1, 0, 0, 1], ["E1", "E1", "E2", "E3"])
    assert total.model_log_loss == pytest.approx(expected.model.log_loss)
    assert total.market_log_loss == pytest.approx(expected.market.log_loss)
    assert total.log_loss_difference == pytest.approx(expected.log_loss_difference.difference)
    assert total.log_loss_difference_se == pytest.approx(expected.log_loss_difference.standard_error)
    assert total.brier_difference == pytest.approx(expected.brier_difference.difference)
    assert btc.weeks[0].decisions == 2 and btc.weeks[0].contracts == 3 and btc.weeks[1].contracts == 1
    assert weather.total.contracts == 1 and weather.total.model_log_loss == pytest.approx(-math.log(0.1))


def test_two_runs_on_one_event_are_two_decisions() -> None:
    snaps = [
        decision(MON, "W1", quote("W1-a", 0.2), bot=Bot.WEATHER),
        decision(MON + timedelta(hours=2), "W1", quote("W1-a", 0.3), bot=Bot.WEATHER),
    ]
    [card] = bot_scorecards(snaps, {"W1": result("W1", ("W1-a", "no"))}, [], [Bot.WEATHER])
    assert card.total.decisions == 2 and card.total.contracts == 2


def test_pnl_is_the_realised_after_fees_against_what_the_model_expected() -> None:
    trades = [
        trade(MON, True),
        trade(MON + timedelta(hours=1), False),
        trade(MON + timedelta(hours=2), True, pnl=False),  # still open
        trade(MON, True, bot=Bot.WEATHER),
        replace(trade(MON, True), client_order_id="unfilled", fill_count=D(0)),
    ]
    [card] = bot_scorecards([], {}, trades, [Bot.BTC_HOURLY])
    line = card.total
    assert line.trades == 2 and line.open_trades == 1 and line.contracts_traded == D(4)
    assert line.realized_pnl == D("0.38") + D("-1.62")
    assert line.fees == D("0.04")
    # the model expected 0.9 a contract for a cost of 0.80 + 0.01 fee: 2 x 0.09 per trade
    assert line.expected_pnl == pytest.approx(D("0.36"))
    assert line.pnl_per_contract == pytest.approx(float(line.realized_pnl) / 4)
    assert line.pnl_per_contract_se is not None and line.pnl_per_contract_se > 0
    assert line.decisions == 0 and line.model_log_loss is None


def test_edge_evidence_carries_the_whole_period_figures() -> None:
    snaps = [decision(MON, "E1", quote("E1-a", 0.9))]
    [card] = bot_scorecards(snaps, {"E1": result("E1", ("E1-a", "no"))}, [trade(MON, True)], [Bot.BTC_HOURLY])
    evidence = edge_evidence(card.total)
    assert evidence.bot == "btc-hourly" and evidence.decisions == 1 and evidence.settled_trades == 1
    assert evidence.log_loss_difference == card.total.log_loss_difference
    assert evidence.realized_pnl == D("0.38")


def test_a_bot_with_nothing_recorded_has_an_empty_line() -> None:
    [card] = bot_scorecards([], {}, [], [Bot.ETH_HOURLY])
    assert card.weeks == () and card.total.decisions == 0 and card.total.realized_pnl == 0
    assert card.as_dict()["total"]["realized_pnl"] == "0"


def test_the_app_function_reads_the_store_and_works_without_a_snapshot_store() -> None:
    from kalshi_bots.adapters.store.memory import MemoryStore
    from kalshi_bots.app.scorecard import scorecard

    store = MemoryStore()
    store.put_snapshot(decision(MON, "E1", quote("E1-a", 0.9)))
    store.put_snapshot(decision(MON - timedelta(days=40), "E0", quote("E0-a", 0.9)))  # before the period
    # The store finds a result by its event's close time, as the recorder stores it.
    store.put_event_result(replace(result("E1", ("E1-a", "no")), close_time=MON + timedelta(minutes=15)))
    store.put_trade(trade(MON, True))
    now = MON + timedelta(days=1)
    card = scorecard(store, store, now=now)
    btc = card.bot(Bot.BTC_HOURLY)
    assert btc is not None and btc.total.decisions == 1 and btc.total.trades == 1
    assert card.since == now - timedelta(days=30) and card.until == now
    alone = scorecard(store, None, now=now).bot(Bot.BTC_HOURLY)
    assert alone is not None and alone.total.decisions_recorded == 0 and alone.total.trades == 1
    with pytest.raises(ValueError, match="days must be at least 1"):
        scorecard(store, store, now=now, days=0)
