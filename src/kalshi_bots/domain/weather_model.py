"""The weather bot's forecast model: what the day's official high may be, as a normal law.

**Model** (simple, documented, uncalibrated: starting values from feeds.md C.5/C.6; docs/model.md §3
tests a calibration and keeps these):

- **Tomorrow's** event: final high ~ N(forecast_high, ``sigma_day_ahead_f``) (2.6 °F at the evening run).
- **Today's** event: final high = max(observed_max, Y), where Y is the max of the rest of the climate
  day, Y ~ N(mu, s) with a weight w = share of the day's heating still ahead:

  - w = clamp((17 - h) / (17 - 7), 0, 1) with h the local *standard* time hour: 1 before 07:00 LST, 0
    after 17:00 LST (the day's max is usually in by late afternoon);
  - mu = w * forecast_high + (1 - w) * (observed_max + ``observed_bias_f``): early the forecast rules,
    late only the gap between hourly readings and the official running max (about 0.5-2 °F) remains;
  - s = sqrt(w * sigma_same_day² + (1 - w) * sigma_late²).

  A *final* climate report fixes the value (s -> tiny, mu -> observed).

The brackets are priced from (mean, sigma, observed max) by
:func:`kalshi_bots.domain.weather.event_probabilities`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

# Annotations only: WeatherParams is part of every job's parameters, the city table only the weather
# job's (issue 13's import budget).
if TYPE_CHECKING:
    from kalshi_bots.domain.cities import WeatherCity

PEAK_DONE_HOUR = 17.0
MORNING_HOUR = 7.0
_FINAL_SIGMA = 0.05


@dataclass(frozen=True, slots=True)
class WeatherParams:
    """The weather bot's trading rules and forecast-error model, with their defaults."""

    min_edge: float = 0.05
    kelly_multiplier: float = 0.25
    max_fraction: float = 0.10
    max_contracts: int = 5
    cities: tuple[str, ...] = ()  # series tickers, e.g. "KXHIGHNY"; empty = all known cities
    # Forecast error model (feeds.md C.6; starting values, to be refit on our own settled history):
    sigma_day_ahead_f: float = 2.6  # tomorrow's high vs the evening NWS forecast, °F
    sigma_same_day_f: float = 2.1  # today's high vs the forecast, early in the day, °F
    sigma_late_f: float = 0.8  # what the evening can still add to the observed max, °F
    observed_bias_f: float = 0.5  # hourly readings understate the official max by ~0.5-2 °F (C.5)


@dataclass(frozen=True, slots=True)
class HighModel:
    mean_f: float
    sigma_f: float
    observed_max_f: float | None  # set for today's event: the final is max(observed, N(mean, sigma))


def heating_left(now: datetime, city: WeatherCity) -> float:
    """Share of the day's heating still ahead, 1 -> 0 between 07:00 and 17:00 local standard time."""
    local = now.astimezone(city.standard_time)
    hour = local.hour + local.minute / 60.0
    return min(1.0, max(0.0, (PEAK_DONE_HOUR - hour) / (PEAK_DONE_HOUR - MORNING_HOUR)))


def tomorrow_model(forecast_high_f: float, params: WeatherParams) -> HighModel:
    return HighModel(forecast_high_f, params.sigma_day_ahead_f, None)


def today_model(
    forecast_high_f: float,
    observed_max_f: float,
    *,
    final: bool,
    now: datetime,
    city: WeatherCity,
    params: WeatherParams,
) -> HighModel:
    if final:
        return HighModel(observed_max_f, _FINAL_SIGMA, observed_max_f)
    w = heating_left(now, city)
    mean = w * forecast_high_f + (1.0 - w) * (observed_max_f + params.observed_bias_f)
    sigma = math.sqrt(w * params.sigma_same_day_f**2 + (1.0 - w) * params.sigma_late_f**2)
    return HighModel(mean, sigma, observed_max_f)
