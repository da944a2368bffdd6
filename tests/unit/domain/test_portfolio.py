"""Positions and P&L: the one read model behind `positions`, `pnl`, the dashboard and the summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.domain.models import Mode, Outcome, TradeRecord, TradeStatus
from kalshi_bots.domain.portfolio import Quote, open_positions, pnl_report

T0 = datetime(2026, 3, 10, 14, 45, tzinfo=UTC)


def trade(n: int, **changes: object) -> TradeRecord:
    base = TradeRecord(
        created_at=T0 + timedelta(hours=n),
        client_order_id=f"coid-{n}",
        bot="btc-hourly",
        mode=Mode.PAPER,
        contract_ticker=f"KXBTCD-26MAR10{11 + n}-T96499.99",
        side=Outcome.NO,
        quantity=5,
        price_cents=Decimal(81),
        btc_price=Decimal(96000),
        strike_price=Decimal("96499.99"),
        model_prob=0.86,
        market_prob=0.81,
        edge=0.039,
        kelly_fraction=0.1,
        status=TradeStatus.EXECUTED,
        fill_count=Decimal(5),
        fees_dollars=Decimal("0.06"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_open_positions_group_mark_at_the_bid_of_our_side_and_bound_the_loss():
    a, b = trade(0), trade(1, contract_ticker=trade(0).contract_ticker, fill_count=Decimal(2), quantity=2)
    yes = trade(
        2, side=Outcome.YES, price_cents=Decimal(30), fees_dollars=Decimal("0.02"), fill_count=Decimal(1)
    )
    settled = trade(3, settlement_result="no", pnl_dollars=Decimal("0.89"))
    failed = trade(4, status=TradeStatus.FAILED, fill_count=Decimal(0))
    quotes = {
        a.contract_ticker: Quote(a.contract_ticker, yes_bid=Decimal("0.10"), no_bid=Decimal("0.88")),
        yes.contract_ticker: Quote(yes.contract_ticker, yes_bid=None, no_bid=Decimal("0.6")),
    }
    first, second = open_positions([a, b, yes, settled, failed], quotes)
    assert (first.ticker, first.contracts, first.cost, first.fees) == (
        a.contract_ticker,
        7,
        Decimal("5.67"),
        Decimal("0.12"),
    )
    assert first.mark_price == Decimal("0.88") and first.value == Decimal("6.16")
    assert first.unrealized == Decimal("6.16") - Decimal("5.67") - Decimal("0.12")
    assert first.max_loss == Decimal("5.79") and first.max_gain == 7 - Decimal("5.79")
    assert second.side is Outcome.YES and second.mark_price is None and second.unrealized is None  # no bid


def test_a_decided_market_marks_at_its_payout_and_an_empty_book_is_no_quote():
    q = Quote("T", yes_bid=Decimal(0), no_bid=Decimal(0))
    assert q.mark(Outcome.NO) is None
    assert Quote("T", None, None, result="no").mark(Outcome.NO) == 1
    assert Quote("T", None, None, result="no").mark(Outcome.YES) == 0


def test_pnl_by_day_bot_and_all_time_counts_only_settled_trades():
    wins = trade(0, settlement_result="no", pnl_dollars=Decimal("0.89"))
    loss = trade(1, settlement_result="yes", pnl_dollars=Decimal("-4.11"), fees_dollars=Decimal("0.06"))
    weather = trade(
        16,
        bot="weather",
        side=Outcome.YES,
        settlement_result="yes",
        pnl_dollars=Decimal("1.50"),
        fees_dollars=Decimal("0.04"),
    )
    late = trade(
        0,
        created_at=datetime(2026, 3, 11, 3, 45, tzinfo=UTC),
        settlement_result="no",
        pnl_dollars=Decimal("0.5"),
    )
    report = pnl_report([trade(5), wins, loss, weather, late])  # trade(5) is open: not realized
    total = report.total
    assert (total.settled, total.wins, total.losses) == (4, 3, 1)
    assert total.net == Decimal("-1.22") and total.fees == Decimal("0.22") and total.gross == Decimal("-1.00")
    assert total.win_rate == 0.75
    # 03:45 UTC on the 11th is 23:45 on the 10th in New York: days are New York dates.
    assert [(d.key, d.settled, d.net) for d in report.by_day] == [
        ("2026-03-10", 3, Decimal("-2.72")),
        ("2026-03-11", 1, Decimal("1.50")),
    ]
    assert [(b.key, b.net) for b in report.by_bot] == [
        ("btc-hourly", Decimal("-2.72")),
        ("weather", Decimal("1.50")),
    ]
    assert [v for _, v in report.equity] == [
        Decimal("0.89"),
        Decimal("-3.22"),
        Decimal("-2.72"),
        Decimal("-1.22"),
    ]
