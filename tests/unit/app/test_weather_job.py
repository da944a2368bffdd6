"""weather: prices today's and tomorrow's brackets, trades the best edges, refuses bad events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.app.deps import JobParams, WeatherParams
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.weather_job import weather
from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.domain.models import Event, Market, StrikeType, TradeStatus
from kalshi_bots.domain.models import Outcome as Side
from kalshi_bots.domain.weather import event_probabilities
from kalshi_bots.domain.weather_decision import Observation, WeatherInputs, WeatherTrade, decide_weather

from .fakes import World, make_world

D = Decimal
RUN = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 18:00 EST
TODAY, TOMORROW = date(2026, 11, 24), date(2026, 11, 25)
NY = city_for_series("KXHIGHNY")
RULE = "If the maximum temperature recorded at New York City (CLINYC) for {d}, is greater than X° fahrenheit according to The Weather Company, then the market resolves to Yes."  # noqa: E501
PARAMS = JobParams(weather=WeatherParams(cities=("KXHIGHNY",)))


def bracket(event: str, kind: StrikeType, floor: int | None, cap: int | None, close: datetime) -> Market:
    suffix = f"B{floor}.5" if kind is StrikeType.BETWEEN else f"T{floor if floor is not None else cap}"
    return Market(
        ticker=f"{event}-{suffix}",
        event_ticker=event,
        strike_type=kind,
        floor_strike=None if floor is None else D(floor),
        cap_strike=None if cap is None else D(cap),
        close_time=close,
        yes_bid=None,
        yes_ask=None,
        no_bid=None,
        no_ask=None,
        rules_primary=RULE.format(d=event[-5:]),
        exchange_index=0,
    )


def ladder(event: str, low: int, close: datetime) -> list[Market]:
    """less than ``low`` | 4 two-degree brackets | greater than low + 7."""
    markets = [bracket(event, StrikeType.LESS, None, low, close)]
    markets += [bracket(event, StrikeType.BETWEEN, low + 2 * k, low + 2 * k + 1, close) for k in range(4)]
    markets.append(bracket(event, StrikeType.GREATER, low + 7, None, close))
    return markets


def fairly_priced(markets: list[Market], mean: float, sigma: float, observed: float | None) -> list[Market]:
    probs = event_probabilities(markets, mean, sigma, observed_max_f=observed)

    def clip(x: float) -> Decimal:
        return D(str(round(min(0.99, max(0.01, x)), 2)))

    return [
        replace(m, yes_ask=clip(probs[m.ticker] + 0.04), no_ask=clip(1 - probs[m.ticker] + 0.04))
        for m in markets
    ]


def weather_world() -> World:
    w = make_world(RUN)
    close_today = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    close_tomorrow = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    today = fairly_priced(ladder("KXHIGHNY-26NOV24", 48, close_today), 50.5, 0.8, 50.0)
    tomorrow = fairly_priced(ladder("KXHIGHNY-26NOV25", 40, close_tomorrow), 44.0, 2.6, None)
    # Mispriced: today's 50-51 bracket (P ~ 0.89) offered at 0.60; tomorrow's 44-45 (P ~ 0.29) at 0.15.
    today = [replace(m, yes_ask=D("0.60")) if m.ticker.endswith("B50.5") else m for m in today]
    tomorrow = [replace(m, yes_ask=D("0.15")) if m.ticker.endswith("B44.5") else m for m in tomorrow]
    w.data.add_event(Event("KXHIGHNY-26NOV24", "KXHIGHNY", tuple(today), 0))
    w.data.add_event(Event("KXHIGHNY-26NOV25", "KXHIGHNY", tuple(tomorrow), 0))
    # An old event that is no longer today's or tomorrow's is ignored even if listed.
    w.data.add_event(
        Event("KXHIGHNY-26NOV23", "KXHIGHNY", tuple(ladder("KXHIGHNY-26NOV23", 40, close_today)), 0)
    )
    w.weather.forecasts = {TODAY: D(49), TOMORROW: D(44)}
    w.weather.observed = {TODAY: D(50)}
    return w


def test_trades_the_best_bracket_of_each_day() -> None:
    w = weather_world()
    result = weather(w.deps(params=PARAMS), RUN)
    assert result.outcome is Outcome.OK, result
    tickers = sorted(o.ticker for o in w.exchange.orders)
    assert tickers == ["KXHIGHNY-26NOV24-B50.5", "KXHIGHNY-26NOV25-B44.5"]
    assert all(
        o.book_side.value == "bid" and o.time_in_force.value == "immediate_or_cancel"
        for o in w.exchange.orders
    )
    trades = {t.contract_ticker: t for t in w.store.all_trades()}
    today = trades["KXHIGHNY-26NOV24-B50.5"]
    assert today.status is TradeStatus.EXECUTED and today.side is Side.YES and today.bot == "weather"
    assert today.price_cents == D(60) and today.strike_price == D(50) and today.btc_price is None
    assert 0.85 < today.model_prob < 0.95 and today.edge > 0.05 and today.kelly_fraction > 0
    tomorrow = trades["KXHIGHNY-26NOV25-B44.5"]
    assert 0.25 < tomorrow.model_prob < 0.33 and tomorrow.market_prob == 0.15
    # Observed max asked for today only; the forecast for both days.
    assert sorted(w.weather.calls) == [f"forecast {TODAY}", f"forecast {TOMORROW}", f"observed KNYC {TODAY}"]


def test_a_second_run_does_not_add_to_an_open_position() -> None:
    w = weather_world()
    weather(w.deps(params=PARAMS), RUN)
    later = RUN + timedelta(hours=2)
    w.clock.set(later)
    again = weather(w.deps(params=PARAMS), later)
    assert again.outcome is Outcome.NO_TRADE
    assert len(w.exchange.orders) == 2


def test_stale_forecast_refuses_and_places_nothing() -> None:
    w = weather_world()
    w.weather.stale = True
    result = weather(w.deps(params=PARAMS), RUN)
    assert result.outcome is Outcome.NO_TRADE and w.exchange.orders == []
    assert {n["reason"] for n in result.data["refusals"]} == {"forecast_stale"}


def test_missing_observations_refuse_only_todays_event() -> None:
    w = weather_world()
    w.weather.observed = {}
    weather(w.deps(params=PARAMS), RUN)
    assert [o.ticker for o in w.exchange.orders] == ["KXHIGHNY-26NOV25-B44.5"]


def test_an_event_whose_rules_name_another_station_is_refused() -> None:
    w = weather_world()
    event = w.data.events["KXHIGHNY-26NOV25"]
    markets = tuple(
        replace(m, rules_primary=m.rules_primary.replace("CLINYC", "CLILGA")) for m in event.markets
    )
    w.data.add_event(replace(event, markets=markets))
    result = weather(w.deps(params=PARAMS), RUN)
    assert [o.ticker for o in w.exchange.orders] == ["KXHIGHNY-26NOV24-B50.5"]
    assert "station_mismatch" in {n["reason"] for n in result.data["refusals"]}


def test_an_event_with_a_missing_bracket_is_refused() -> None:
    w = weather_world()
    event = w.data.events["KXHIGHNY-26NOV25"]
    w.data.add_event(replace(event, markets=event.markets[:-1]))
    weather(w.deps(params=PARAMS), RUN)
    assert [o.ticker for o in w.exchange.orders] == ["KXHIGHNY-26NOV24-B50.5"]


def test_the_weather_budget_caps_the_orders() -> None:
    w = weather_world()
    params = replace(PARAMS, budget=replace(PARAMS.budget, per_bot=(("weather", D(1)),)))
    result = weather(w.deps(params=params), RUN)
    # 50-51 (edge ~0.27) is tried first; 5 x 0.62 > $1 -> budget refuses; the loop stops there.
    assert w.exchange.orders == []
    assert result.reason == "budget_exceeded"


def test_kill_switch_stops_the_weather_bot() -> None:
    w = weather_world()
    w.store.set_flag("halt", "operator")
    result = weather(w.deps(params=PARAMS), RUN)
    assert result.reason == "kill_switch" and w.exchange.orders == [] and w.weather.calls == []


def test_the_job_places_exactly_what_the_domain_decision_decides() -> None:
    """One rule: the job's order for each event is decide_weather on the same inputs, number for number
    (the backtest calls the same function, see tests/unit/backtest/test_quotes_weather.py)."""
    w = weather_world()
    bankroll = w.paper.balance()
    weather(w.deps(params=PARAMS), RUN)
    trades = {t.contract_ticker: t for t in w.store.all_trades()}
    inputs = {
        "KXHIGHNY-26NOV24": WeatherInputs(49.0, Observation(TODAY, 50.0, final=False)),
        "KXHIGHNY-26NOV25": WeatherInputs(44.0),
    }
    for ticker, model_inputs in inputs.items():
        decided = decide_weather(
            w.data.events[ticker],
            series_fees=w.data.series_fees("KXHIGHNY"),
            status=w.data.status,
            city=NY,
            inputs=model_inputs,
            now=RUN,
            params=PARAMS.weather,
            bankroll=bankroll,
        )
        assert isinstance(decided, WeatherTrade), decided
        trade = trades[decided.pick.market.ticker]
        assert (trade.side, trade.quantity, trade.price_cents) == (
            decided.pick.side,
            decided.contracts,
            decided.pick.price * 100,
        )
        assert (trade.model_prob, trade.edge, trade.kelly_fraction) == (
            decided.pick.p_model,
            decided.edge,
            decided.kelly_applied,
        )
