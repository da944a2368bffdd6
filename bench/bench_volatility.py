"""How long compute_window / compute_snapshot / decide_hourly take (a backtester calls them per hour).

Run: .venv/bin/python bench/bench_volatility.py
Prints microseconds per call over a synthetic year of minute ticks (525,600 PriceTicks), so the figure
includes the binary search into a long sequence, as in a backtest.
"""

from __future__ import annotations

import math
import random
import timeit
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kalshi_bots.domain.decision import decide_hourly
from kalshi_bots.domain.models import Asset, Event, FeeSchedule, FeeType, Market, PriceTick, StrikeType
from kalshi_bots.domain.volatility import compute_snapshot, compute_window


def synthetic_year(seed: int = 7) -> list[PriceTick]:
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    price = 95_000.0
    ticks = []
    for i in range(525_600):
        price *= math.exp(rng.gauss(0, 0.0008))
        ticks.append(PriceTick(Asset.BTC, t0 + timedelta(minutes=i), Decimal(f"{price:.2f}")))
    return ticks


def per_call_us(fn: object, number: int) -> float:
    return timeit.timeit(fn, number=number) / number * 1e6  # type: ignore[arg-type]


def main() -> None:
    ticks = synthetic_year()
    end = datetime(2025, 6, 1, 12, 45, tzinfo=UTC)
    for minutes in (15, 30, 60, 90, 120):
        us = per_call_us(lambda m=minutes: compute_window(ticks, end, m), 5_000)
        print(f"compute_window {minutes:>3} min: {us:7.1f} us/call")
    us = per_call_us(lambda: compute_snapshot(Asset.BTC, ticks, end), 1_000)
    print(f"compute_snapshot (5 windows): {us:7.1f} us/call")

    close = datetime(2025, 6, 1, 13, tzinfo=UTC)
    markets = tuple(
        Market(
            ticker=f"KXBTCD-25JUN0109-T{k}",
            event_ticker="KXBTCD-25JUN0109",
            strike_type=StrikeType.GREATER,
            floor_strike=Decimal(k),
            cap_strike=None,
            close_time=close,
            yes_bid=None,
            yes_ask=None,
            no_bid=None,
            no_ask=Decimal("0.80"),
        )
        for k in range(90_000, 110_000, 250)
    )
    event = Event("KXBTCD-25JUN0109", "KXBTCD", markets)
    spot = ticks[-1].price

    def decide() -> object:
        return decide_hourly(
            spot=spot,
            vol_15m_std_pct=0.2,
            now=end,
            event=event,
            fee_schedule=FeeSchedule(FeeType.QUADRATIC),
            bankroll=Decimal(100),
        )

    print(f"decide_hourly (80-market ladder): {per_call_us(decide, 5_000):7.1f} us/call")


if __name__ == "__main__":
    main()
