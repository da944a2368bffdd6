"""What the market recorder costs on DynamoDB a month, measured on DynamoDB Local (issue 12 item 3).

Same approach as ``bench_store_costs.py``: the official DynamoDB Local (started here, stopped by its PID),
DynamoStore with ``ReturnConsumedCapacity=TOTAL`` on every data call, a simulated day of the calls the
jobs make, scaled to a month at on-demand prices. A failed conditional put (an event marker another
process wrote first, a snapshot already stored) costs 1 write unit on DynamoDB but DynamoDB Local reports
nothing for it, so the bench adds 1 unit for each.

    .venv/bin/python bench/bench_recorder_cost.py [--strikes 100] [--hours 24]

The day (default deployment: BTC traded, ETH off; KALSHI_BOTS_RECORDER_MINUTES=45-59):

* ``record-market`` each minute :45-:59: ``get_volatility`` (the model input) and ``put_snapshot`` of the
  whole ladder (event marker + snapshot). No run claim on DynamoDB (self-idempotent, like collectors).
  The event marker is written once per event per warm container; the bench measures both the warm case
  and the worst case (a cold container every minute, so every snapshot tries the marker again).
* at :45 it also settles: ``unsettled_events`` (one small query) and ``put_event_result`` for the hour
  that closed (and, once a day, the 14 weather events).
* ``trade-hourly`` at :45: one decision snapshot (same ladder), in its own container.
* ``weather`` at 6 pm and 8 pm ET: one decision snapshot per priced event (7 cities x 2 days, 6 brackets).
* storage: what the TTL keeps (``KALSHI_BOTS_RECORDER_TTL_DAYS``, default 30), at $0.25/GB-month plus
  $0.20/GB-month for point-in-time recovery (on for the budget table), items sized with DynamoDB's
  formula plus its 100 bytes of per-item overhead.

The edge gate reads the scorecard only in live mode, and only when an order is about to go out; the bench
measures one such read over a full TTL of hourly decisions and prints it separately.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store import snapshot_codec as sc
from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.dynamodb_io import CapacityMeter, DynamoIO
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.app.scorecard import scorecard
from kalshi_bots.domain.market_snapshot import (
    EventResult,
    MarketSnapshot,
    StrikeQuote,
    TradeDecision,
    Trigger,
)
from kalshi_bots.domain.models import Asset, Bot, PriceTick, VolatilitySnapshot, WindowVolatility

USD_PER_MILLION_WRU = 0.625  # us-east-1 on-demand since 1 Nov 2024 (as bench_store_costs.py)
USD_PER_MILLION_RRU = 0.125
USD_PER_GB_MONTH = 0.25 + 0.20  # storage plus point-in-time recovery, on for the budget table
ITEM_OVERHEAD_BYTES = 100
DAYS_PER_MONTH = 30
TTL_DAYS = sc.SNAPSHOT_TTL.days
NEVER = timedelta(days=365 * 50)  # the simulated dates are in the past; keep Local's TTL off them
START = datetime(2025, 12, 11, 0, 0, tzinfo=UTC)
WEATHER_EVENTS = 14  # 7 cities x today and tomorrow
WEATHER_BRACKETS = 6
BUDGET_USD = 0.05


def load_dynamodb_local() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "tests" / "dynamodb_local.py"
    spec = importlib.util.spec_from_file_location("_bench_dynamodb_local", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class BilledIO(DynamoIO):
    """DynamoIO that also bills a failed conditional put (1 unit on DynamoDB, unreported by Local)."""

    def put(
        self, table: str, item: codec.Item, condition: str | None = None, names: Any = None, **named: Any
    ) -> bool:
        done = super().put(table, item, condition, names, **named)
        if not done and self.meter is not None:
            self.meter.write[self.meter.label] += 1.0
        return done


def store_on(client: Any, prefix: str, meter: CapacityMeter | None) -> DynamoStore:
    store = DynamoStore(
        client=client,
        tables=TableNames.with_prefix(prefix),
        price_ttl=NEVER,
        jobrun_ttl=NEVER,
        snapshot_ttl=NEVER,
        meter=meter,
    )
    store.io = BilledIO(client, meter=meter)
    return store


def hourly_ladder(event: str, strikes: int, spot: float, hour: int) -> tuple[StrikeQuote, ...]:
    """A realistic ladder: $100 strikes ending in .99 around spot, two-sided cent quotes, varied sizes."""
    out = []
    for i in range(strikes):
        k = Decimal(int(spot) // 100 * 100 + (i - strikes // 2) * 100) - Decimal("0.01")
        p = 0.5 * math.erfc(-math.log(float(k) / spot) / (0.004 * math.sqrt(2)))
        bid = Decimal(str(round(min(0.98, max(0.01, 1 - p - 0.01)), 2)))
        ask = min(Decimal("0.99"), bid + Decimal("0.02"))
        out.append(
            StrikeQuote(
                ticker=f"{event}-T{k}",
                strike_type="greater",
                floor_strike=k,
                cap_strike=None,
                yes_bid=bid,
                yes_ask=ask,
                no_bid=1 - ask,
                no_ask=1 - bid,
                yes_bid_size=Decimal((i * 7919 + hour * 31) % 3000 + 1),
                yes_ask_size=Decimal((i * 104729 + hour * 17) % 3000 + 1),
                model_p_no=round(p, 6),
            )
        )
    return tuple(out)


def hourly_snapshot(at: datetime, trigger: Trigger, event: str, strikes: int, looked: bool) -> MarketSnapshot:
    close = at.replace(minute=0, second=0) + timedelta(hours=1)
    ladder = hourly_ladder(event, strikes, 97123.45 + at.minute, at.hour)
    if looked:
        mid = len(ladder) // 2 + 1
        ladder = tuple(
            s if i != mid else StrikeQuote(**{**_fields(s), "looked_at": True}) for i, s in enumerate(ladder)
        )
    return MarketSnapshot(
        scheduled_for=at,
        at=at + timedelta(seconds=3, microseconds=123456),
        trigger=trigger,
        bot=Bot.BTC_HOURLY,
        mode="paper" if trigger is Trigger.DECISION else "",
        series_ticker="KXBTCD",
        event_ticker=event,
        close_time=close,
        strikes=ladder,
        spot=Decimal("97123.45"),
        spot_time=at + timedelta(seconds=1),
        model="ewma-t",
        vol_15m_std_pct=0.1934567890123456,
        tail_nu=5.0,
        settlement_average_s=60.0,
        vol_returns=120,
        decision=TradeDecision.NO_TRADE if trigger is Trigger.DECISION else None,
        reason="edge_too_small" if trigger is Trigger.DECISION else "",
    )


def weather_snapshot(at: datetime, city: int, day: int) -> MarketSnapshot:
    event = f"KXHIGHC{city}-25DEC{11 + day:02d}"
    brackets = tuple(
        StrikeQuote(
            ticker=f"{event}-B{40 + 2 * b}.5",
            strike_type="between",
            floor_strike=Decimal(40 + 2 * b),
            cap_strike=Decimal(41 + 2 * b),
            yes_bid=Decimal("0.1"),
            yes_ask=Decimal("0.12"),
            no_bid=Decimal("0.88"),
            no_ask=Decimal("0.9"),
            yes_bid_size=Decimal(50),
            yes_ask_size=Decimal(80),
            model_p_no=round(0.8 + b / 100, 6),
            looked_at=True,
        )
        for b in range(WEATHER_BRACKETS)
    )
    return MarketSnapshot(
        scheduled_for=at,
        at=at,
        trigger=Trigger.DECISION,
        bot=Bot.WEATHER,
        mode="paper",
        series_ticker=f"KXHIGHC{city}",
        event_ticker=event,
        close_time=at + timedelta(days=day + 1),
        strikes=brackets,
        model="weather",
        forecast_mean_f=44.5,
        forecast_sigma_f=2.6,
    )


def _fields(s: StrikeQuote) -> dict[str, Any]:
    return {name: getattr(s, name) for name in StrikeQuote.__dataclass_fields__}


def event_of(close: datetime) -> str:
    return f"KXBTCD-SIM{close:%y%m%d%H}"


class Day:
    """One simulated day of the recorder's store calls, metered per job label."""

    def __init__(self, client: Any, prefix: str, meter: CapacityMeter, strikes: int, *, cold: bool) -> None:
        self.client, self.prefix, self.meter, self.strikes, self.cold = client, prefix, meter, strikes, cold
        self.recorder = store_on(client, prefix, meter)  # the MarketRecorder function's container
        self.trader = store_on(client, prefix, meter)  # the BTCTradingBot's
        self.weather = store_on(client, prefix, meter)  # the KalshiWeatherBot's
        self.items: dict[str, list[int]] = {}  # label -> item sizes written

    def _container(self, store: DynamoStore) -> DynamoStore:
        if self.cold:
            store._marked.clear()  # a new container knows no markers
        return store

    def _put(self, label: str, store: DynamoStore, snapshot: MarketSnapshot) -> None:
        self.meter.label = label
        self._container(store).put_snapshot(snapshot)
        for item in sc.snapshot_items(snapshot):  # a decision also writes its reduced copy
            self.items.setdefault(label, []).append(codec.item_size(item))

    def run(self, hours: int) -> None:
        windows = tuple(WindowVolatility(w, w + 1, 0.12, 0.2, 0.03) for w in (15, 30, 60, 90, 120))
        recent = tuple(
            PriceTick(Asset.BTC, START - timedelta(minutes=120 - i), Decimal(97000 + i)) for i in range(121)
        )
        vol = VolatilitySnapshot(Asset.BTC, START, windows, Decimal("97123.45"), recent)
        self.meter.label = "setup"
        self.recorder.put_volatility(vol)  # the collector's item: not the recorder's cost
        for minute_no in range(hours * 60):
            at = START + timedelta(minutes=minute_no)
            close = at.replace(minute=0) + timedelta(hours=1)
            if 45 <= at.minute <= 59:
                self.meter.label = "record-market"
                self.recorder.get_volatility(Asset.BTC)
                self._put(
                    "record-market",
                    self.recorder,
                    hourly_snapshot(at, Trigger.MINUTE, event_of(close), self.strikes, False),
                )
            if at.minute == 45:
                self._put(
                    "trade-decision",
                    self.trader,
                    hourly_snapshot(at, Trigger.DECISION, event_of(close), self.strikes, True),
                )
                self._settle(at)
            if at.minute == 0 and at.hour in (23, 1):  # 6 pm and 8 pm ET in winter
                for city in range(WEATHER_EVENTS // 2):
                    for day in (0, 1):
                        self._put("weather-decision", self.weather, weather_snapshot(at, city, day))

    def _settle(self, at: datetime) -> None:
        self.meter.label = "settle"
        pending = self.recorder.unsettled_events(at - timedelta(hours=72), at)
        for event in pending:
            if event.close_time > at - timedelta(minutes=30):
                continue  # not settled yet on Kalshi
            outcomes = ((f"{event.event_ticker}-T1", "no"),) * (
                self.strikes if event.series_ticker == "KXBTCD" else WEATHER_BRACKETS
            )
            result = EventResult(event.event_ticker, event.series_ticker, event.close_time, outcomes)
            self.recorder.put_event_result(result)
            self.items.setdefault("settle", []).append(codec.item_size(sc.event_item(event, result)))


def monthly(read_units: float, write_units: float) -> float:
    return DAYS_PER_MONTH * (read_units * USD_PER_MILLION_RRU + write_units * USD_PER_MILLION_WRU) / 1e6


def measure(client: Any, strikes: int, hours: int, *, cold: bool) -> dict[str, Any]:
    meter = CapacityMeter()
    prefix = f"rec{strikes}{'c' if cold else 'w'}{uuid.uuid4().hex[:6]}_"  # fresh tables per case
    day = Day(client, prefix, meter, strikes, cold=cold)
    day.recorder.init_schema()
    day.run(hours)
    scale = 24 / hours
    reads = {k: v * scale for k, v in meter.read.items() if k != "setup"}
    writes = {k: v * scale for k, v in meter.write.items() if k != "setup"}
    stored_per_day = sum(sum(s + ITEM_OVERHEAD_BYTES for s in sizes) for sizes in day.items.values()) * scale
    storage_gb = stored_per_day * TTL_DAYS / 1e9
    return {
        "reads": reads,
        "writes": writes,
        "rru_day": sum(reads.values()),
        "wru_day": sum(writes.values()),
        "storage_gb": storage_gb,
        "requests_usd": monthly(sum(reads.values()), sum(writes.values())),
        "storage_usd": storage_gb * USD_PER_GB_MONTH,
        "snapshot_bytes": max(day.items["record-market"]),
        "decision_bytes": min(day.items["trade-decision"]),
        "calls": dict(meter.calls),
    }


def gate_read(client: Any, strikes: int) -> tuple[float, float, int]:
    """One edge-gate scorecard read over a full TTL of hourly decisions (30 days x 24), metered: the
    reduced decision items and the events' results, plus one trade-log query per day."""
    prefix = f"gate{strikes}{uuid.uuid4().hex[:6]}_"
    setup = store_on(client, prefix, None)
    setup.init_schema()
    end = START + timedelta(days=TTL_DAYS)
    n = 0
    at = START
    while at < end:
        close = at.replace(minute=0) + timedelta(hours=1)
        snapshot = hourly_snapshot(at.replace(minute=45), Trigger.DECISION, event_of(close), strikes, True)
        setup.put_snapshot(snapshot)
        outcomes = tuple((s.ticker, "no") for s in snapshot.strikes)
        setup.put_event_result(EventResult(snapshot.event_ticker, "KXBTCD", close, outcomes))
        n += 1
        at += timedelta(hours=1)
    meter = CapacityMeter()
    reader = store_on(client, prefix, meter)
    meter.label = "gate"
    started = time.monotonic()
    card = scorecard(reader, reader, now=end, days=TTL_DAYS, bots=(Bot.BTC_HOURLY,))
    elapsed = time.monotonic() - started
    assert card.bots[0].total.decisions == n, card.bots[0].total
    return meter.read["gate"], elapsed, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strikes", type=int, action="append", help="ladder size(s) (default 21, 100, 200)")
    parser.add_argument("--hours", type=int, default=24, help="simulated hours (figures are scaled to a day)")
    parser.add_argument("--no-gate", action="store_true", help="skip the edge-gate read measurement")
    args = parser.parse_args()
    sizes = args.strikes or [21, 100, 200]
    helper = load_dynamodb_local()
    server = helper.start()
    try:
        client = server.client()
        print(f"DynamoDB Local, {args.hours} h simulated per case, scaled to a day; TTL {TTL_DAYS} days")
        print(
            f"prices: ${USD_PER_MILLION_RRU}/M read units, ${USD_PER_MILLION_WRU}/M write units, "
            f"${USD_PER_GB_MONTH:.2f}/GB-month (storage + point-in-time recovery)"
        )
        print()
        print(
            f"{'strikes':>7} {'containers':>10} {'snapshot':>9} {'RRU/day':>8} {'WRU/day':>8} {'GB kept':>8} "
            f"{'requests':>9} {'storage':>8} {'total/month':>12}"
        )
        for strikes in sizes:
            for cold in (False, True):
                m = measure(client, strikes, args.hours, cold=cold)
                total = m["requests_usd"] + m["storage_usd"]
                flag = "" if total < BUDGET_USD else "  OVER $0.05"
                containers = "cold" if cold else "warm"
                print(
                    f"{strikes:>7} {containers:>10} {m['snapshot_bytes']:>8}B {m['rru_day']:>8.0f} "
                    f"{m['wru_day']:>8.0f} {m['storage_gb']:>8.4f} ${m['requests_usd']:>8.4f} "
                    f"${m['storage_usd']:>7.4f} ${total:>11.4f}{flag}"
                )
                if strikes == 100 and not cold:
                    detail = ", ".join(
                        f"{k} {m['writes'].get(k, 0):.0f} WRU/{m['reads'].get(k, 0):.0f} RRU"
                        for k in sorted(m["writes"])
                    )
                    print(f"{'':>19}per day: {detail}")
        if not args.no_gate:
            print()
            for strikes in (21, 100):
                units, elapsed, n = gate_read(client, strikes)
                usd = units * USD_PER_MILLION_RRU / 1e6
                print(
                    f"edge gate (live mode, once per order about to go out): one scorecard read over {n} "
                    f"decisions of {strikes} strikes = {units:.0f} RRU (${usd:.6f}), "
                    f"{elapsed:.2f} s on Local; 24 a day for a month: ${monthly(units * 24, 0):.4f}"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
