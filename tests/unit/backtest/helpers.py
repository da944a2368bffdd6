"""Synthetic data builders for backtest tests (deterministic; no files from ../shared)."""

from __future__ import annotations

import math
import random
from pathlib import Path

HOUR = 3600
BASE_TS = 1_737_331_200  # 2025-01-20T00:00Z


def random_walk_closes(n: int, seed: int = 7, start: float = 100_000.0, sd: float = 0.0009) -> list[float]:
    rng = random.Random(seed)
    price = start
    out = []
    for _ in range(n):
        price *= math.exp(rng.gauss(0.0, sd))
        out.append(round(price, 2))
    return out


def write_bitstamp_csv(
    path: Path, closes: list[float], start_ts: int = BASE_TS, skip: set[int] | None = None
) -> Path:
    """Bars whose open = previous close and high/low bracket both; ``skip`` drops bar indices (gaps)."""
    lines = ["timestamp,open,high,low,close,volume"]
    previous = closes[0]
    for i, close in enumerate(closes):
        if skip and i in skip:
            previous = close
            continue
        high, low = max(previous, close) + 1.0, min(previous, close) - 1.0
        lines.append(f"{start_ts + 60 * i},{previous},{high},{low},{close},0.5")
        previous = close
    path.write_text("\n".join(lines) + "\n")
    return path
