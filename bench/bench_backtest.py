"""Replay throughput of the crypto backtest through the live decision code.

Scales the 27-day Bitstamp file to one year (525,600 one-minute bars) by laying copies of it end to end
(each copy rescaled so the price path stays continuous), writes that to a temporary CSV and times:
load (CSV parse + validation + gap scan), feature computation (live ``compute_window`` and the model's
statistics per hour; for ``live`` the collector's trailing ticks and ``hourly_model_input``) and the
replay (the live job's ``decide_hour``: input gates, ``decide_hourly``, sizing; plus ladder pricing)
for the default model (``live``: ewma-t).

    .venv/bin/python bench/bench_backtest.py [--prices FILE] [--bars 525600] [--strikes decision|ladder]

Target: one year in <= 10 s on a 2-core machine. Needs ../shared (the Bitstamp file) unless --prices.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from kalshi_bots.adapters.backtest_data import load_minute_bars
from kalshi_bots.app.backtest.bars import MINUTE_S
from kalshi_bots.app.backtest.crypto import ReplayConfig, collect_hours, replay
from kalshi_bots.app.backtest.models import LIVE, MODELS, get_model, live_model
from kalshi_bots.domain.hourly_model import hourly_model

DEFAULT_PRICES = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/bitstamp_btcusd_1m_2025-01/btcusd_bitstamp_1min_2025-01-07_2025-02-03.csv"
)
YEAR_BARS = 525_600


def scaled_year(source: Path, target_bars: int, out: Path) -> int:
    bars = load_minute_bars(source)
    n = len(bars)
    written = 0
    factor = 1.0
    offset = 0
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("timestamp", "open", "high", "low", "close", "volume"))
        while written < target_bars:
            for i in range(n):
                if written >= target_bars:
                    break
                writer.writerow(
                    (
                        bars.ts[i] + offset,
                        f"{bars.open[i] * factor:.2f}",
                        f"{bars.high[i] * factor:.2f}",
                        f"{bars.low[i] * factor:.2f}",
                        f"{bars.close[i] * factor:.2f}",
                        "1",
                    )
                )
                written += 1
            factor *= bars.close[-1] / bars.close[0]
            offset += bars.ts[-1] - bars.ts[0] + MINUTE_S
    return written


def run(path: Path, model_name: str, ladder: bool) -> None:
    live = hourly_model()  # the default settings' model (ewma-t)
    model = get_model(model_name, {**MODELS, LIVE: live_model(live)})
    reference = get_model("spec-60")
    config = ReplayConfig(price_ladder=ladder)
    c0, t0 = time.process_time(), time.perf_counter()
    bars = load_minute_bars(path)
    t1 = time.perf_counter()
    samples = collect_hours(bars, config, model.needs | reference.needs, live)
    t2 = time.perf_counter()
    params = {"nu": 5.0, "scale": 1.0} if model_name == "student-t" else None
    result = replay(samples, model, params=params, reference=reference, config=config)
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    total = t3 - t0
    print(f"{path.name}: {len(bars):,} bars, {len(samples):,} hours, {len(result.ladder):,} priced strikes")
    print(f"  load      {t1 - t0:6.2f} s")
    print(f"  features  {t2 - t1:6.2f} s  (live compute_window + {model_name} statistics)")
    print(f"  replay    {t3 - t2:6.2f} s  (live decide_hour + prob_no_law per strike)")
    print(f"  total     {total:6.2f} s  -> {len(bars) / total:,.0f} bars/s")
    # Wall time suffers when other processes share the cores; CPU time is this process's own work.
    print(f"  cpu       {cpu:6.2f} s  (process time; wall minus waiting for a shared core)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES)
    parser.add_argument("--bars", type=int, default=YEAR_BARS)
    parser.add_argument(
        "--model", default=LIVE, help="a backtest model; 'live' = the default settings' model"
    )
    parser.add_argument("--strikes", choices=("decision", "ladder"), default="decision")
    args = parser.parse_args()
    if not args.prices.is_file():
        print(f"no price file at {args.prices} (pass --prices)", file=sys.stderr)
        return 2
    ladder = args.strikes == "ladder"
    run(args.prices, args.model, ladder)
    with tempfile.TemporaryDirectory() as tmp:
        year = Path(tmp) / "year.csv"
        scaled_year(args.prices, args.bars, year)
        run(year, args.model, ladder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
