"""DynamoDB read/write units of a simulated day at the spec's schedules, and what that costs a month.

Runs against the official DynamoDB Local (started here, stopped by its PID) through DynamoStore with
``ReturnConsumedCapacity=TOTAL`` on every data call. Single-item and query/batch units are what
DynamoDB Local reports (it sizes items like DynamoDB: a 1.5 KB put reports 2 units, an eventually
consistent get 0.5). Transactions are computed from the items (2 units per item per KB), because
DynamoDB Local reports less for them than DynamoDB bills. Failed conditional writes (a refused claim,
a duplicate minute) also cost 1 unit on DynamoDB but report nothing; the simulated day has none.

    .venv/bin/python bench/bench_store_costs.py [--hours 24]

The day, as the jobs call the store (mirrors ``app/runner.py``, ``collect_prices.py``, ``risk.py``,
``placement.py``, ``reconcile.py``, ``cleanup.py``):
* every run: the runner's ``claim_run`` + ``finish_run``;
* 2 collectors every minute: ``get_volatility`` (the one read), ``put_price``, ``put_volatility``;
* BTC trading hourly at :45 (ETH is off by default): halt flag, day P&L, VOL, ``get_trade`` check,
  reserve + reservation doc, ``put_trade``, ``update_trade`` after the order, a partial release;
  one trade every hour is an upper bound;
* reconcile hourly: ``open_trades``, settle one trade (``update_trade`` + ``record_realized_pnl``);
* cleanup hourly: ``delete_prices_before(now - 180 min)`` for both assets;
* weather twice a day: ``open_trades``, halt flag, reserve + doc, ``put_trade`` + ``update_trade``.

Cleanup is measured twice: with TTL keeping up (rows past ``expires_at`` are already gone, so the query
finds nothing: the normal case) and with TTL lagging (every old row is a paid delete: the worst case).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from kalshi_bots.adapters.store import codec
from kalshi_bots.adapters.store.dynamodb import DynamoStore
from kalshi_bots.adapters.store.dynamodb_io import CapacityMeter
from kalshi_bots.adapters.store.schema import TableNames
from kalshi_bots.domain.models import (
    TRADING_BOTS,
    Asset,
    Bot,
    BudgetLimits,
    BudgetReservation,
    Mode,
    PriceTick,
    RunStatus,
    Side,
    TradeRecord,
    TradeStatus,
    VolatilitySnapshot,
    WindowVolatility,
)

# us-east-1 on-demand prices since 1 Nov 2024 (per million request units).
USD_PER_MILLION_WRU = 0.625
USD_PER_MILLION_RRU = 0.125
# Provisioned: per capacity-unit hour; the always-free tier is 25 WCU + 25 RCU per account/region.
USD_PER_WCU_HOUR = 0.00065
USD_PER_RCU_HOUR = 0.00013
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = 30
RETENTION = timedelta(minutes=180)
NEVER = timedelta(days=365 * 50)  # the simulated dates are in the past; keep DynamoDB Local's TTL off them
START = datetime(2025, 12, 11, 0, 0, tzinfo=UTC)
LIMITS = BudgetLimits(global_limit=Decimal(1000), per_bot=tuple((bot, Decimal(500)) for bot in TRADING_BOTS))


def load_dynamodb_local() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "tests" / "dynamodb_local.py"
    spec = importlib.util.spec_from_file_location("_bench_dynamodb_local", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Day:
    def __init__(self, store: DynamoStore, meter: CapacityMeter) -> None:
        self.store, self.meter = store, meter
        self.recent: dict[Asset, list[PriceTick]] = {Asset.BTC: [], Asset.ETH: []}
        self.runs: dict[str, int] = {}
        self.trade_no = 0

    def run(self, job: str, at: datetime, body: object) -> None:
        """The runner's claim, the job's calls, the runner's finish - all metered under ``job``."""
        self.meter.label = job
        self.runs[job] = self.runs.get(job, 0) + 1
        assert self.store.claim_run(job, at, "bench", at, 600)
        body()  # type: ignore[operator]
        self.store.finish_run(job, at, "bench", RunStatus.OK, "")

    def collect(self, asset: Asset, minute: datetime) -> None:
        self.store.get_volatility(asset)
        base = Decimal("97000.00") if asset is Asset.BTC else Decimal("3100.00")
        wiggle = Decimal((int(minute.timestamp()) // 60 * 7919) % 16000 - 8000) / (
            100 if asset is Asset.BTC else 1000
        )
        tick = PriceTick(asset, minute, base + wiggle)
        self.store.put_price(tick)
        window = [*self.recent[asset], tick][-121:]
        self.recent[asset] = window
        metrics = tuple(
            WindowVolatility(w, min(len(window), w + 1), 0.1234567890123456, 0.23456789, 0.0345678)
            for w in (15, 30, 60, 90, 120)
        )
        self.store.put_volatility(VolatilitySnapshot(asset, minute, metrics, tick.price, tuple(window)))

    def _trade(self, bot: Bot, at: datetime) -> TradeRecord:
        self.trade_no += 1
        return TradeRecord(
            at,
            f"coid-{self.trade_no}",
            bot,
            Mode.PAPER,
            "KXBTCD-25DEC1102-T97499.99",
            Side.NO,
            5,
            Decimal(41),
            Decimal("97123.45"),
            Decimal("97499.99"),
            0.72,
            0.59,
            0.13,
            0.05,
            TradeStatus.PENDING,
            scheduled_for=at,
        )

    def place(self, bot: Bot, at: datetime, *, vol: bool) -> None:
        self.store.get_flag("halt")
        self.store.realized_pnl(at.date())
        if vol:
            self.store.get_volatility(Asset.BTC)
        trade = self._trade(bot, at)
        self.store.get_trade(trade.client_order_id)
        reservation = BudgetReservation(bot, at.date(), Decimal("2.05"), f"res-{trade.client_order_id}")
        self.store.reserve_budget(reservation, LIMITS)
        self.store.put_doc(
            "reservation", reservation.reservation_id, '{"amount": "2.05", "per_contract": "0.41"}'
        )
        self.store.put_trade(trade)
        self.store.update_trade(
            replace(trade, status=TradeStatus.EXECUTED, order_id="o", fill_count=Decimal(4))
        )
        self.store.release_budget(reservation, Decimal("0.41"))

    def reconcile(self, at: datetime) -> None:
        open_now = self.store.open_trades()
        for trade in open_now[:1]:  # settle the oldest: keeps about one trade open, as the hourly cycle does
            self.store.record_realized_pnl(
                trade.bot, at.date(), Decimal("-2.05"), trade.contract_ticker + trade.client_order_id
            )
            self.store.update_trade(replace(trade, settlement_result="no", pnl_dollars=Decimal("2.95")))

    def cleanup(self, at: datetime) -> None:
        for asset in Asset:
            self.store.delete_prices_before(asset, at - RETENTION)


def simulate(day: Day, hours: int) -> None:
    for minute_no in range(hours * 60):
        at = START + timedelta(minutes=minute_no)
        for asset in Asset:
            day.run(f"collect-{asset.value.lower()}", at, lambda asset=asset, at=at: day.collect(asset, at))
        if at.minute == 0:
            day.run("cleanup", at, lambda at=at: day.cleanup(at))
        if at.minute == 5:
            day.run("reconcile", at, lambda at=at: day.reconcile(at))
        if at.minute == 45:
            day.run("trade-btc", at, lambda at=at: day.place(Bot.BTC_HOURLY, at, vol=True))
        if at.minute == 0 and at.hour in (23, 1):  # 6 pm and 8 pm ET in winter
            day.run("weather", at, lambda at=at: day.place(Bot.WEATHER, at, vol=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=24, help="simulated hours (figures are scaled to a day)")
    args = parser.parse_args()
    helper = load_dynamodb_local()
    server = helper.start()
    try:
        meter = CapacityMeter()
        store = DynamoStore(
            client=server.client(),
            tables=TableNames.with_prefix("bench_"),
            price_ttl=NEVER,
            jobrun_ttl=NEVER,
            meter=meter,
        )
        store.init_schema()
        day = Day(store, meter)
        simulate(day, args.hours)
        ttl_case = measure_cleanup_with_ttl(store, meter, args.hours)
        report(day, meter, args.hours, ttl_case)
        print_item_sizes(day)
    finally:
        server.stop()


def measure_cleanup_with_ttl(store: DynamoStore, meter: CapacityMeter, hours: int) -> tuple[float, float]:
    """Cleanup when TTL has removed the old rows already: the same call finds nothing to delete."""
    meter.label = "cleanup-ttl-probe"
    end = START + timedelta(hours=hours)
    for asset in Asset:
        store.delete_prices_before(asset, end - RETENTION)  # removes the rows: the state TTL leaves behind
    meter.label = "cleanup-with-ttl"
    for asset in Asset:
        store.delete_prices_before(asset, end - RETENTION)  # nothing older left, as after TTL
    return meter.read["cleanup-with-ttl"], meter.write["cleanup-with-ttl"]


def report(day: Day, meter: CapacityMeter, hours: int, ttl_cleanup: tuple[float, float]) -> None:
    scale = 24 / hours
    print(f"simulated {hours} h against DynamoDB Local; unreported calls: {meter.unreported_calls}")
    print(f"{'job':<14}{'runs/day':>9}{'RRU/run':>9}{'WRU/run':>9}{'RRU/day':>10}{'WRU/day':>10}")
    total_r = total_w = 0.0
    rows = {}
    for job, runs in sorted(day.runs.items()):
        per_day = runs * scale
        rd, wr = meter.read[job] * scale, meter.write[job] * scale
        rows[job] = (per_day, rd, wr)
        total_r, total_w = total_r + rd, total_w + wr
        print(f"{job:<14}{per_day:>9.0f}{rd / per_day:>9.2f}{wr / per_day:>9.2f}{rd:>10.0f}{wr:>10.0f}")
    claim_w = sum(per_day for per_day, _, _ in rows.values()) * 2  # claim put + finish update, 1 WRU each
    cleanup_runs = rows.get("cleanup", (24.0, 0.0, 0.0))[0]
    ttl_r = ttl_cleanup[0] + 0.0
    ttl_w = ttl_cleanup[1] + 2.0  # the runner's claim + finish
    print(
        f"{'cleanup w/ TTL':<14}{cleanup_runs:>9.0f}{ttl_r:>9.2f}{ttl_w:>9.2f}{ttl_r * cleanup_runs:>10.0f}"
        f"{ttl_w * cleanup_runs:>10.0f}   (old rows already expired: the usual case)"
    )
    cleanup_r, cleanup_w = rows.get("cleanup", (0.0, 0.0, 0.0))[1:]
    with_ttl_r = total_r - cleanup_r + ttl_r * cleanup_runs
    with_ttl_w = total_w - cleanup_w + ttl_w * cleanup_runs
    print()
    print(
        f"prices assumed (us-east-1 on-demand): ${USD_PER_MILLION_RRU}/M read units, "
        f"${USD_PER_MILLION_WRU}/M write units"
    )
    # On DynamoDB the runner skips the claim for collectors (JobParams.claim_collector_runs): the
    # simulation meters every run with a claim, so the deployed figure subtracts the collectors' pair.
    deployed_w = with_ttl_w - claim_w_collectors(rows)
    for label, rd, wr in (
        ("as deployed (collectors claim no run on DynamoDB), TTL keeping up", with_ttl_r, deployed_w),
        ("as deployed, TTL lagging (all cleanup deletes paid)", total_r, total_w - claim_w_collectors(rows)),
        ("if collectors also claimed runs, TTL keeping up", with_ttl_r, with_ttl_w),
    ):
        print(f"  {label}: {rd:,.0f} RRU + {wr:,.0f} WRU a day -> ${monthly(rd, wr):.3f} a month")
    print(f"  (the runner's claim + finish are {claim_w:,.0f} of the write units a day)")
    print()
    print(
        "provisioned instead: 4 tables x (1 RCU + 1 WCU) covers this load (average "
        f"{with_ttl_w / 86400:.3f} WCU/s, {with_ttl_r / 86400:.3f} RCU/s; bursts use burst capacity);"
    )
    cost = 4 * HOURS_PER_MONTH * (USD_PER_WCU_HOUR + USD_PER_RCU_HOUR)
    print(f"  $0.00 inside the always-free 25 WCU + 25 RCU, ${cost:.2f} a month without the free tier")


def claim_w_collectors(rows: dict[str, tuple[float, float, float]]) -> float:
    return sum(per_day * 2 for job, (per_day, _, _) in rows.items() if job.startswith("collect"))


def monthly(read_units: float, write_units: float) -> float:
    return DAYS_PER_MONTH * (read_units * USD_PER_MILLION_RRU + write_units * USD_PER_MILLION_WRU) / 1e6


def print_item_sizes(day: Day) -> None:
    snap_item = codec.vol_item(day.store.get_volatility(Asset.BTC))  # type: ignore[arg-type]
    price = codec.price_item(day.recent[Asset.BTC][-1])
    trade = codec.trade_item(day._trade(Bot.BTC_HOURLY, START))
    print()
    sizes = (codec.item_size(snap_item), codec.item_size(price), codec.item_size(trade))
    print(
        f"item sizes (bytes, DynamoDB's formula): VOL/LATEST with {len(day.recent[Asset.BTC])} prices "
        "{}, PRICE {}, TRADE {}".format(*sizes)
    )


if __name__ == "__main__":
    main()
