"""``decisions.csv`` and ``metrics.json`` writers."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kalshi_bots.app.backtest.crypto import ReplayResult

DECISION_COLUMNS = (
    "decision_time",
    "close_time",
    "spot",
    "strike",
    "minutes_left",
    "sigma_pct",
    "p_no",
    "settle_proxy",
    "outcome_no",
    "decision_strike",
    "no_ask",
    "edge",
    "traded",
    "contracts",
    "pnl",
)


def write_decisions_csv(result: ReplayResult, path: Path, decision_only: bool = False) -> Path:
    """One row per hour and strike; trade columns are filled on the decision strike's row."""
    by_time = {h.sample.decision_time: h for h in result.hours}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(DECISION_COLUMNS)
        for row in result.ladder:
            if decision_only and not row.decision_strike:
                continue
            hour = by_time[row.decision_time]
            d = hour.decision if row.decision_strike else None
            writer.writerow(
                (
                    row.decision_time.isoformat(),
                    hour.sample.close_time.isoformat(),
                    row.spot,
                    row.strike,
                    f"{row.minutes_left:g}",
                    f"{row.sigma_pct:.6f}",
                    f"{row.p_no:.6f}",
                    f"{row.settle:.4f}",
                    row.outcome_no,
                    int(row.decision_strike),
                    "" if d is None or d.no_ask is None else d.no_ask,
                    "" if d is None or d.edge is None else f"{d.edge:.4f}",
                    "" if d is None else int(hour.trade is not None),
                    "" if d is None else (0 if hour.trade is None else hour.trade.contracts),
                    "" if d is None else hour.pnl,
                )
            )
    return path


def write_json(data: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    return path


def write_rows_csv(columns: Sequence[str], rows: Sequence[Sequence[object]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path
