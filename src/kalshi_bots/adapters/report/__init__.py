"""Backtest report writers: ``decisions.csv``, ``metrics.json``, PNG charts and one offline HTML file."""

from kalshi_bots.adapters.report.content import CalibrationSeries, EquitySeries, ReportContent, Table
from kalshi_bots.adapters.report.html import write_report

__all__ = ["CalibrationSeries", "EquitySeries", "ReportContent", "Table", "write_report"]
