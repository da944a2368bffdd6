"""What a report shows, independent of how it is drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kalshi_bots.app.backtest.metrics import CalibrationBin


@dataclass(frozen=True, slots=True)
class CalibrationSeries:
    label: str
    bins: tuple[CalibrationBin, ...]
    probabilities: tuple[float, ...] = ()  # for the histogram


@dataclass(frozen=True, slots=True)
class EquitySeries:
    label: str
    times: tuple[datetime, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportContent:
    title: str
    summary: tuple[str, ...]  # short paragraphs shown at the top
    tables: tuple[Table, ...]
    calibration: tuple[CalibrationSeries, ...]
    equity: tuple[EquitySeries, ...]
    equity_ylabel: str = "bankroll ($)"
    footnotes: tuple[str, ...] = field(default=())
