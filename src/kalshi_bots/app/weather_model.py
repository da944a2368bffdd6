"""The weather bot's forecast model and market checks (pure functions; the job does the I/O).

**Model** (simple, documented, uncalibrated: starting values from feeds.md C.5/C.6; refit them on
settled history before trusting it with money):

- **Tomorrow's** event: final high ~ N(forecast_high, ``sigma_day_ahead_f``) (2.6 °F at the evening run).
- **Today's** event: final high = max(observed_max, Y), where Y is the max of the rest of the climate
  day, Y ~ N(mu, s) with a weight w = share of the day's heating still ahead:

  - w = clamp((17 - h) / (17 - 7), 0, 1) with h the local *standard* time hour: 1 before 07:00 LST, 0
    after 17:00 LST (the day's max is usually in by late afternoon);
  - mu = w * forecast_high + (1 - w) * (observed_max + ``observed_bias_f``): early the forecast rules,
    late only the gap between hourly readings and the official running max (about 0.5-2 °F) remains;
  - s = sqrt(w * sigma_same_day² + (1 - w) * sigma_late²).

  A *final* climate report fixes the value (s -> tiny, mu -> observed).

**Station check**: the market's ``rules_primary`` must name the city's CLI product (``CLINYC``...) or,
for the older NWS wording without a code, the settlement site's name ("Central Park", "Midway"...). A
rule naming another CLI product, or no recognisable station at all, refuses the event.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from kalshi_bots.app.deps import WeatherParams
from kalshi_bots.domain.cities import WeatherCity

_CLI_TOKEN = re.compile(r"\bCLI([A-Z]{3})\b")
PEAK_DONE_HOUR = 17.0
MORNING_HOUR = 7.0
_FINAL_SIGMA = 0.05


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


def station_problem(rules_primary: str, city: WeatherCity) -> str:
    """Why the rule text does not match the city's settlement station, or ``""`` if it does."""
    text = rules_primary.strip()
    if not text:
        return "rules_primary is empty"
    named = {m.group(0) for m in _CLI_TOKEN.finditer(text)}
    if named:
        if named == {city.cli_pil}:
            return ""
        return f"rules name {sorted(named)}, expected {city.cli_pil}"
    site = _site_name(city)
    if site and site.lower() in text.lower():
        return ""
    return f"rules name neither {city.cli_pil} nor {site!r}"


def _site_name(city: WeatherCity) -> str:
    """The settlement site from the table's name: "New York (Central Park)" -> "Central Park"."""
    match = re.search(r"\(([^)]+)\)", city.name)
    site = match.group(1) if match else ""
    return "" if site.lower() in ("intl", "") else site
