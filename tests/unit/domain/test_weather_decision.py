"""The weather decision (one rule for the live job and the backtest) and the forecast model under it."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.domain.decision import NoTradeReason, Refusal
from kalshi_bots.domain.fees import fee_per_contract
from kalshi_bots.domain.models import (
    Event,
    ExchangeStatus,
    FeeSchedule,
    FeeType,
    Market,
    PriceRange,
    StrikeType,
)
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.weather import event_probabilities
from kalshi_bots.domain.weather_decision import (
    Horizon,
    Observation,
    WeatherInputs,
    WeatherTrade,
    decide_weather,
    horizon,
    price_event,
    size_pick,
    station_problem,
)
from kalshi_bots.domain.weather_model import WeatherParams, heating_left, today_model

D = Decimal
NY = city_for_series("KXHIGHNY")
NOW = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 18:00 EST: climate day Nov 24 in New York
TODAY, TOMORROW = date(2026, 11, 24), date(2026, 11, 25)
OPEN = ExchangeStatus(True, True)
QUADRATIC = FeeSchedule(FeeType.QUADRATIC)
PARAMS = WeatherParams()
RULE = "If the maximum temperature recorded at New York City (CLINYC) for the day is greater than X."


def _market(event: str, kind: StrikeType, floor: int | None, cap: int | None) -> Market:
    suffix = f"B{floor}.5" if kind is StrikeType.BETWEEN else f"T{floor if floor is not None else cap}"
    return Market(
        ticker=f"{event}-{suffix}",
        event_ticker=event,
        strike_type=kind,
        floor_strike=None if floor is None else D(floor),
        cap_strike=None if cap is None else D(cap),
        close_time=NOW + timedelta(days=2),
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None,
        rules_primary=RULE,
        exchange_index=0,
    )


def ladder_event(day: date, low: int, asks: list[tuple[str | None, str | None]]) -> Event:
    """less than ``low`` | four 2 °F brackets | greater than low + 7, with (YES ask, NO ask) each."""
    ticker = f"KXHIGHNY-{day:%y}{day.strftime('%b').upper()}{day:%d}"
    markets = [_market(ticker, StrikeType.LESS, None, low)]
    markets += [_market(ticker, StrikeType.BETWEEN, low + 2 * k, low + 2 * k + 1) for k in range(4)]
    markets.append(_market(ticker, StrikeType.GREATER, low + 7, None))
    quoted = [
        replace(m, yes_ask=None if y is None else D(y), no_ask=None if n is None else D(n))
        for m, (y, n) in zip(markets, asks, strict=True)
    ]
    return Event(ticker, "KXHIGHNY", tuple(quoted), 0)


def fair_asks(low: int, mean: float, sigma: float) -> list[tuple[str | None, str | None]]:
    """Asks 4 points above the model's own probabilities: no edge anywhere."""
    probs = event_probabilities(ladder_event(TOMORROW, low, [(None, None)] * 6).markets, mean, sigma)

    def ask(x: float) -> str:
        return str(round(min(0.99, max(0.01, x + 0.04)), 2))

    return [(ask(p), ask(1 - p)) for p in probs.values()]


FAIR = fair_asks(40, 44.0, PARAMS.sigma_day_ahead_f)
FAIR[3] = ("0.15", FAIR[3][1])  # the 44-45 bracket (P ~ 0.28) offered at 0.15


def decide(event: Event, inputs: WeatherInputs, **over: object) -> WeatherTrade | Refusal:
    args: dict[str, object] = {
        "series_fees": QUADRATIC,
        "status": OPEN,
        "city": NY,
        "inputs": inputs,
        "now": NOW,
        "params": PARAMS,
        "bankroll": D(1000),
    }
    args.update(over)
    return decide_weather(event, **args)  # type: ignore[arg-type]


def test_tomorrows_event_buys_the_side_with_the_largest_edge_and_sizes_it() -> None:
    event = ladder_event(TOMORROW, 40, FAIR)
    trade = decide(event, WeatherInputs(44.0))
    assert isinstance(trade, WeatherTrade), trade
    pick = trade.pick
    assert pick.market.ticker == "KXHIGHNY-26NOV25-B44.5" and pick.side is Side.YES
    p = event_probabilities(event.markets, 44.0, PARAMS.sigma_day_ahead_f)
    assert pick.p_model == pytest.approx(p[pick.market.ticker])
    assert dict(pick.p_yes) == pytest.approx(p)
    assert pick.fee_per_contract == fee_per_contract(1, D("0.15"), QUADRATIC)
    assert pick.edge == pytest.approx(pick.p_model - float(D("0.15") + pick.fee_per_contract))
    # Every other side of every bracket has a smaller edge.
    for m in event.markets:
        for ask, q in ((m.yes_ask, p[m.ticker]), (m.no_ask, 1 - p[m.ticker])):
            assert ask is not None
            assert q - float(ask + fee_per_contract(1, ask, QUADRATIC)) <= pick.edge
    assert trade.contracts == PARAMS.max_contracts  # $1000 bankroll: the contract cap binds
    assert trade.fee_per_contract == fee_per_contract(trade.contracts, D("0.15"), QUADRATIC)
    assert trade.edge == pytest.approx(pick.p_model - float(D("0.15") + trade.fee_per_contract))
    assert 0 < trade.kelly_applied <= PARAMS.max_fraction


def test_todays_event_uses_the_observed_max() -> None:
    event = ladder_event(TODAY, 48, [("0.05", "0.97")] * 6)
    inputs = WeatherInputs(49.0, Observation(TODAY, 50.0, final=False))
    pick = price_event(
        event, series_fees=QUADRATIC, status=OPEN, city=NY, inputs=inputs, now=NOW, params=PARAMS
    )
    assert not isinstance(pick, Refusal)
    model = today_model(49.0, 50.0, final=False, now=NOW, city=NY, params=PARAMS)
    assert pick.model == model and pick.model.observed_max_f == 50.0
    assert dict(pick.p_yes)["KXHIGHNY-26NOV24-T48"] == 0.0  # below what was already observed


def _refusal(event: Event, inputs: WeatherInputs, **over: object) -> Refusal:
    verdict = decide(event, inputs, **over)
    assert isinstance(verdict, Refusal), verdict
    return verdict


def test_every_refusal_names_its_reason() -> None:
    tomorrow = ladder_event(TOMORROW, 40, FAIR)
    today = ladder_event(TODAY, 48, FAIR)
    forecast = WeatherInputs(44.0)
    cases: list[tuple[NoTradeReason, Event, WeatherInputs, dict[str, object]]] = [
        (NoTradeReason.INVALID_INPUT, replace(tomorrow, event_ticker="KXHIGHNY-26XXX25"), forecast, {}),
        (NoTradeReason.OUTSIDE_HORIZON, ladder_event(TOMORROW + timedelta(days=1), 40, FAIR), forecast, {}),
        (NoTradeReason.EVENT_MISSING, replace(tomorrow, markets=tomorrow.markets[:-1]), forecast, {}),
        (
            NoTradeReason.STATION_MISMATCH,
            replace(
                tomorrow,
                markets=tuple(replace(m, rules_primary="at LaGuardia (CLILGA)") for m in tomorrow.markets),
            ),
            forecast,
            {},
        ),
        (
            NoTradeReason.SHARD_CLOSED,
            tomorrow,
            forecast,
            {"status": ExchangeStatus(True, True, ((0, False),))},
        ),
        (NoTradeReason.WEATHER_DATA_UNAVAILABLE, today, forecast, {}),
        (NoTradeReason.FORECAST_STALE, today, WeatherInputs(49.0, Observation(TOMORROW, 50.0, False)), {}),
        (NoTradeReason.FEE_TYPE_UNKNOWN, tomorrow, forecast, {"series_fees": FeeSchedule(FeeType.FLAT)}),
        (NoTradeReason.NO_QUOTE, ladder_event(TOMORROW, 40, [(None, "1")] * 6), forecast, {}),
        (NoTradeReason.EDGE_TOO_SMALL, ladder_event(TOMORROW, 40, [("0.99", "0.99")] * 6), forecast, {}),
        (NoTradeReason.SIZE_ZERO, tomorrow, forecast, {"bankroll": D(0)}),
        (NoTradeReason.INVALID_INPUT, tomorrow, WeatherInputs(math.nan), {}),
        (NoTradeReason.INVALID_INPUT, tomorrow, forecast, {"bankroll": D(-5)}),
    ]
    for reason, event, inputs, over in cases:
        assert _refusal(event, inputs, **over).reason is reason, (reason, event.event_ticker)


def test_an_ask_off_the_tick_grid_is_refused_before_sizing() -> None:
    grid = (PriceRange(D("0.01"), D("0.99"), D("0.01")),)
    event = ladder_event(TOMORROW, 40, FAIR)
    markets = tuple(
        replace(m, price_ranges=grid, yes_ask=D("0.155") if m.ticker.endswith("B44.5") else m.yes_ask)
        for m in event.markets
    )
    refusal = _refusal(replace(event, markets=markets), WeatherInputs(44.0))
    assert refusal.reason is NoTradeReason.PRICE_OFF_TICK and "0.155" in refusal.detail


def test_the_horizon_is_the_citys_climate_day() -> None:
    assert horizon(TODAY, NY, NOW) is Horizon.TODAY
    assert horizon(TOMORROW, NY, NOW) is Horizon.TOMORROW
    # 00:30 EST on Nov 25 is climate day Nov 25: "today" moves at local standard midnight.
    assert horizon(TOMORROW, NY, datetime(2026, 11, 25, 5, 30, tzinfo=UTC)) is Horizon.TODAY
    assert horizon(TODAY - timedelta(days=1), NY, NOW) is None


asks = st.one_of(st.none(), st.decimals(D("0.01"), D("0.99"), places=2), st.just(D(1)))


@settings(max_examples=150, deadline=None)
@given(
    quotes=st.lists(st.tuples(asks, asks), min_size=6, max_size=6),
    forecast=st.floats(20, 70),
    bankroll=st.decimals(D(0), D(5000), places=2),
    min_edge=st.floats(0.0, 0.3),
)
def test_the_decision_is_total_and_every_trade_keeps_the_rules(
    quotes: list[tuple[Decimal | None, Decimal | None]], forecast: float, bankroll: Decimal, min_edge: float
) -> None:
    """Never raises; a trade is the best edge of the event, clears min_edge and fits the caps."""
    event = ladder_event(
        TOMORROW, 40, [(None if y is None else str(y), None if n is None else str(n)) for y, n in quotes]
    )
    params = replace(PARAMS, min_edge=min_edge)
    verdict = decide(event, WeatherInputs(forecast), params=params, bankroll=bankroll)
    if isinstance(verdict, Refusal):
        assert isinstance(verdict.reason, NoTradeReason)
        return
    pick = verdict.pick
    p = event_probabilities(event.markets, forecast, params.sigma_day_ahead_f)
    edges = [
        q - float(ask + fee_per_contract(1, ask, QUADRATIC))
        for m in event.markets
        for ask, q in ((m.yes_ask, p[m.ticker]), (m.no_ask, 1 - p[m.ticker]))
        if ask is not None and 0 < ask < 1
    ]
    assert pick.edge == pytest.approx(max(edges)) and pick.edge >= min_edge
    assert 1 <= verdict.contracts <= params.max_contracts
    assert verdict.fee_per_contract <= pick.fee_per_contract  # the order's fee is never worse than 1's
    assert verdict.edge >= pick.edge
    cost = verdict.contracts * (pick.price + pick.fee_per_contract)
    assert cost <= bankroll * D(repr(params.max_fraction)) + D("0.000001")
    # Sizing the same pick again is the same trade: the decision is a value.
    assert size_pick(pick, bankroll, params) == verdict


@pytest.mark.parametrize(("hour_utc", "expected"), [(11, 1.0), (17, 0.5), (22, 0.0), (23, 0.0)])
def test_heating_left_follows_local_standard_time(hour_utc: int, expected: float) -> None:
    # New York LST = UTC-5 all year: 11Z = 06 LST (before morning), 17Z = 12 LST, 22Z = 17 LST.
    assert heating_left(datetime(2026, 7, 1, hour_utc, tzinfo=UTC), NY) == pytest.approx(expected)


def test_today_model_moves_from_forecast_to_observed_through_the_day() -> None:
    params = WeatherParams()
    morning = today_model(
        80.0, 70.0, final=False, now=datetime(2026, 7, 1, 11, tzinfo=UTC), city=NY, params=params
    )
    evening = today_model(
        80.0, 78.0, final=False, now=datetime(2026, 7, 1, 23, tzinfo=UTC), city=NY, params=params
    )
    final = today_model(
        80.0, 78.0, final=True, now=datetime(2026, 7, 1, 23, tzinfo=UTC), city=NY, params=params
    )
    assert morning.mean_f == 80.0 and morning.sigma_f == pytest.approx(params.sigma_same_day_f)
    assert evening.mean_f == 78.5 and evening.sigma_f == pytest.approx(params.sigma_late_f)
    assert final.mean_f == 78.0 and final.sigma_f < 0.1


def test_station_check() -> None:
    assert station_problem("... recorded at New York City (CLINYC) for ...", NY) == ""
    assert station_problem("highest temperature recorded in Central Park, New York for ...", NY) == ""
    assert "CLILGA" in station_problem("... at LaGuardia (CLILGA) ...", NY)
    assert station_problem("", NY) == "rules_primary is empty"
    assert station_problem("some other wording", NY) != ""
