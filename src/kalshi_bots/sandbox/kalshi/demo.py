"""Realistic demo markets for the fake Kalshi: hourly KXBTCD/KXETHD ladders and daily KXHIGH* brackets.

``seed_demo_markets(fake, now, {Asset.BTC: Decimal("97000")})`` is meant to be called again as time
advances (e.g. every minute by the sandbox runner):
- it lists the next two hourly crypto events (close at the top of the hour, ticker hour in ET), a
  strike ladder ending in .99 around the spot (step $100 for BTC as observed in 2026, $10 for ETH,
  whose spacing we have not seen: reference §6 says read the strikes, never assume them);
- it requotes every still-open crypto market around the new spot with a random-walk model
  (0.5 % hourly sigma) plus a deterministic per-market mispricing, so some strikes show an edge;
- it settles crypto events whose close has passed, at the spot it is given (close enough for demos);
- it lists today's and tomorrow's (ET) daily-high events for three cities: four 2 °F brackets and two
  tails (reference §7, feeds.md C.3), ``close_time`` at local-standard midnight minus a minute.
- /exchange/status lists shards 0 and 2 as trading (unless the caller already set shard statuses).
Quotes are deterministic for a given (event, spot, minute), so demos are repeatable.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from kalshi_bots.domain.markets import NEW_YORK, event_ticker_for_close, next_top_of_hour
from kalshi_bots.domain.models import Asset
from kalshi_bots.domain.pricing import normal_cdf
from kalshi_bots.sandbox.kalshi.state import FakeMarket

if TYPE_CHECKING:
    from kalshi_bots.sandbox.kalshi.server import FakeKalshi

CRYPTO_SHARD = 2  # crypto events live on exchange shard 2 since 2026-08-24 (reference §0.1)
_STEP = {Asset.BTC: Decimal(100), Asset.ETH: Decimal(10)}
_INDEX_NAME = {Asset.BTC: "Bitcoin Real-Time Index (BRTI)", Asset.ETH: "Ether Real-Time Index (ETHUSD_RTI)"}
_HOURLY_SIGMA = 0.005
_STRIKES_EACH_SIDE = 10
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class DemoCity:
    series: str
    place: str  # as the TWC-era rules name it
    cli: str
    standard_utc_offset: int  # hours; the climate day runs on local standard time
    mean_high_f: float  # annual mean of the daily high
    swing_f: float  # seasonal amplitude


DEMO_CITIES = (
    DemoCity("KXHIGHNY", "New York City", "CLINYC", -5, 62.0, 22.0),
    DemoCity("KXHIGHCHI", "Chicago Midway", "CLIMDW", -6, 59.0, 25.0),
    DemoCity("KXHIGHMIA", "Miami", "CLIMIA", -5, 84.0, 6.0),
)


def seed_demo_markets(fake: FakeKalshi, now: datetime, spot_by_asset: Mapping[Asset, Decimal]) -> list[str]:
    """Create/refresh demo events at ``now`` (aware); returns the event tickers created by this call."""
    now = now.astimezone(UTC)
    created: list[str] = []
    with fake.server.lock:  # one consistent step: handler threads never see a half-built ladder
        if fake.state.shard_trading is None:  # the live API lists shards; keep a test's choice if set
            fake.state.shard_trading = {0: True, CRYPTO_SHARD: True}
        for asset, spot in spot_by_asset.items():
            created += _crypto(fake, now, asset, Decimal(spot))
        for city in DEMO_CITIES:
            created += _weather(fake, now, city)
    return created


# --- hourly crypto ---------------------------------------------------------------------------------------


def _crypto(fake: FakeKalshi, now: datetime, asset: Asset, spot: Decimal) -> list[str]:
    series = asset.hourly_series
    fake.add_series(series, "quadratic", frequency="hourly")
    _settle_passed(
        fake, series, now, lambda m: "yes" if m.floor_strike is not None and spot > m.floor_strike else "no"
    )
    created: list[str] = []
    close = next_top_of_hour(now)
    for close_time in (close, close + timedelta(hours=1)):
        event_ticker = event_ticker_for_close(asset, close_time)
        if event_ticker not in fake.state.events:
            markets = [_strike_market(asset, event_ticker, close_time, k) for k in _strike_grid(asset, spot)]
            fake.add_event(event_ticker, series, *markets, exchange_index=CRYPTO_SHARD)
            created.append(event_ticker)
        _requote_crypto(fake, event_ticker, now, close_time, spot)
    return created


def _strike_grid(asset: Asset, spot: Decimal) -> list[Decimal]:
    step = _STEP[asset]
    center = (spot / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return [center + i * step - _CENT for i in range(-_STRIKES_EACH_SIDE, _STRIKES_EACH_SIDE + 1)]


def _strike_market(asset: Asset, event_ticker: str, close_time: datetime, strike: Decimal) -> FakeMarket:
    local = close_time.astimezone(NEW_YORK)
    zone = local.tzname() or "ET"
    when = f"{local:%-I %p} {zone} on {local:%b} {local.day}, {local.year}"
    rules = (
        f"If the simple average of the sixty seconds of CF Benchmarks' {_INDEX_NAME[asset]} before {when} "
        f"is above {strike} at {when}, then the market resolves to Yes."
    )
    return FakeMarket(
        ticker=f"{event_ticker}-T{strike}",
        event_ticker=event_ticker,
        close_time=close_time,
        open_time=close_time - timedelta(hours=1),
        strike_type="greater",
        floor_strike=strike,
        yes_sub_title=f"${strike + _CENT:,.0f} or above",
        rules_primary=rules,
    )


def _requote_crypto(
    fake: FakeKalshi, event_ticker: str, now: datetime, close_time: datetime, spot: Decimal
) -> None:
    minutes_left = max((close_time - now).total_seconds() / 60.0, 0.5)
    sigma = _HOURLY_SIGMA * math.sqrt(minutes_left / 60.0)
    for ticker in list(fake.state.events[event_ticker].market_tickers):
        market = fake.state.markets[ticker]
        if market.status != "active" or market.floor_strike is None:
            continue
        fair = normal_cdf(math.log(float(spot) / float(market.floor_strike)) / sigma)
        _quote(fake, ticker, fair, _rng(ticker, now))


# --- daily weather -----------------------------------------------------------------------------------------


def _weather(fake: FakeKalshi, now: datetime, city: DemoCity) -> list[str]:
    fake.add_series(city.series, "quadratic")
    _settle_passed(fake, city.series, now, lambda m: _weather_result(m, city))
    today = now.astimezone(NEW_YORK).date()
    created: list[str] = []
    for day in (today, today + timedelta(days=1)):
        event_ticker = f"{city.series}-{day:%y}{_MONTHS[day.month - 1]}{day:%d}"
        close_time = (
            datetime(day.year, day.month, day.day, tzinfo=UTC)
            + timedelta(hours=-city.standard_utc_offset, minutes=-1)
            + timedelta(days=1)
        )
        if event_ticker in fake.state.events or close_time <= now:
            continue
        mean = _expected_high(city, day)
        low = round(mean) - 4
        markets = _bracket_markets(city, event_ticker, day, close_time, low)
        fake.add_event(event_ticker, city.series, *markets, exchange_index=0, mutually_exclusive=True)
        for market in markets:
            _quote(fake, market.ticker, _bracket_prob(market, mean, 2.5), _rng(market.ticker, now))
        created.append(event_ticker)
    return created


def _expected_high(city: DemoCity, day: date) -> float:
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.0)
    return city.mean_high_f + city.swing_f * season + random.Random(f"{city.series}{day}").uniform(-3, 3)


def _bracket_markets(
    city: DemoCity, event_ticker: str, day: date, close_time: datetime, low: int
) -> list[FakeMarket]:
    place = f"{city.place} ({city.cli})"
    text = f"If the maximum temperature recorded at {place} for {day:%b} {day.day}, {day.year}, is"
    source = "fahrenheit according to The Weather Company, then the market resolves to Yes."
    opened = datetime(day.year, day.month, day.day, 14, tzinfo=UTC) - timedelta(days=1)

    def market(
        suffix: str, strike_type: str, floor: int | None, cap: int | None, *, words: str, title: str
    ) -> FakeMarket:
        return FakeMarket(
            ticker=f"{event_ticker}-{suffix}",
            event_ticker=event_ticker,
            close_time=close_time,
            open_time=opened,
            strike_type=strike_type,
            floor_strike=None if floor is None else Decimal(floor),
            cap_strike=None if cap is None else Decimal(cap),
            yes_sub_title=title,
            rules_primary=f"{text} {words} {source}",
        )

    ladder = [market(f"T{low}", "less", None, low, words=f"less than {low}°", title=f"{low - 1}° or below")]
    for lo in range(low, low + 8, 2):
        ladder.append(
            market(
                f"B{lo}.5",
                "between",
                lo,
                lo + 1,
                words=f"between {lo}-{lo + 1}°",
                title=f"{lo}° to {lo + 1}°",
            )
        )
    top = low + 7
    ladder.append(
        market(f"T{top}", "greater", top, None, words=f"greater than {top}°", title=f"{top + 1}° or above")
    )
    return ladder


def _bracket_prob(market: FakeMarket, mean: float, sigma: float) -> float:
    # Whole-degree reports: "between a-b" is [a-0.5, b+0.5); "greater than n" is [n+0.5, inf).
    lo = (
        -math.inf
        if market.floor_strike is None
        else float(market.floor_strike) + (0.5 if market.strike_type == "greater" else -0.5)
    )
    hi = (
        math.inf
        if market.cap_strike is None
        else float(market.cap_strike) + (-0.5 if market.strike_type == "less" else 0.5)
    )
    upper = 1.0 if hi == math.inf else normal_cdf((hi - mean) / sigma)
    lower = 0.0 if lo == -math.inf else normal_cdf((lo - mean) / sigma)
    return max(0.0, upper - lower)


def _weather_result(market: FakeMarket, city: DemoCity) -> str:
    day_text = market.event_ticker.rsplit("-", 1)[1]
    day = datetime.strptime(day_text.title(), "%y%b%d").replace(tzinfo=UTC).date()
    high = round(_expected_high(city, day) + random.Random(market.event_ticker).gauss(0, 2.5))
    floor = -math.inf if market.floor_strike is None else float(market.floor_strike)
    cap = math.inf if market.cap_strike is None else float(market.cap_strike)
    if market.strike_type == "less":
        return "yes" if high < cap else "no"
    if market.strike_type == "greater":
        return "yes" if high > floor else "no"
    return "yes" if floor <= high <= cap else "no"


# --- shared ----------------------------------------------------------------------------------------------


def _rng(ticker: str, now: datetime) -> random.Random:
    return random.Random(f"{ticker}|{now:%Y%m%d%H%M}")


def _quote(fake: FakeKalshi, ticker: str, fair: float, rng: random.Random) -> None:
    """Two levels a side around ``fair`` shifted by a mispricing (30 % of markets: 4-10 cents)."""
    shift = rng.uniform(0.04, 0.10) if rng.random() < 0.3 else rng.uniform(0.0, 0.02)
    mid = min(0.98, max(0.02, fair + (shift if rng.random() < 0.5 else -shift)))
    bid = Decimal(str(mid - 0.01)).quantize(_CENT, rounding=ROUND_FLOOR)
    ask = Decimal(str(mid + 0.01)).quantize(_CENT, rounding=ROUND_CEILING)
    yes_bids = [(p, Decimal(rng.randint(20, 500))) for p in (bid - 2 * _CENT, bid) if p >= _CENT]
    no_bids = [(1 - p, Decimal(rng.randint(20, 500))) for p in (ask + 2 * _CENT, ask) if p <= 1 - _CENT]
    fake.set_orderbook(ticker, yes_bids=yes_bids, no_bids=no_bids)


def _settle_passed(fake: FakeKalshi, series: str, now: datetime, decide: Callable[[FakeMarket], str]) -> None:
    for event in list(fake.state.events.values()):
        if event.series_ticker != series:
            continue
        for ticker in event.market_tickers:
            market = fake.state.markets[ticker]
            if market.status == "active" and market.close_time <= now:
                fake.settle(ticker, decide(market))
