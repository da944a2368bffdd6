"""api.weather.gov: forecasts, observations and Daily Climate Reports (CLI)."""

from kalshi_bots.adapters.nws.client import NwsClient
from kalshi_bots.adapters.nws.climate_report import ClimateReport, ClimateReportError, parse_climate_report

__all__ = ["ClimateReport", "ClimateReportError", "NwsClient", "parse_climate_report"]
