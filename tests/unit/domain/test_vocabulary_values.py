"""The typed vocabulary: bots, sides, reasons. Limits are total (an unknown bot is an error, never the
global limit), and every value keeps the string that is stored and logged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kalshi_bots.domain.errors import DomainError, UnknownBotError
from kalshi_bots.domain.models import TRADING_BOTS, Asset, Bot, BudgetLimits, Side
from kalshi_bots.domain.reasons import (
    ErrorReason,
    NoTradeReason,
    OrderReason,
    PriceProblem,
    RunReason,
    ServiceFailure,
    parse_reason,
)

D = Decimal
LIMITS = BudgetLimits(global_limit=D(50), per_bot=((Bot.BTC_HOURLY, D(10)), (Bot.WEATHER, D("7.5"))))


def test_a_bot_with_a_limit_gets_its_own_limit() -> None:
    assert LIMITS.limit_for(Bot.BTC_HOURLY) == D(10)
    assert LIMITS.limit_for(Bot.WEATHER) == D("7.5")


@pytest.mark.parametrize("bot", [Bot.ETH_HOURLY, Bot.DISCOVERED])
def test_a_bot_without_a_limit_is_an_error_never_the_global_limit(bot: Bot) -> None:
    with pytest.raises(UnknownBotError, match=f"no daily budget limit for bot.*{bot.value}"):
        LIMITS.limit_for(bot)
    assert issubclass(UnknownBotError, DomainError)  # the runner reports it as invalid_input, no order


def test_the_stored_values_never_change() -> None:
    """These strings are in existing trade records, budget keys, job-run rows and client_order_ids."""
    assert [b.value for b in Bot] == ["btc-hourly", "eth-hourly", "weather", "discovered"]
    assert TRADING_BOTS == (Bot.BTC_HOURLY, Bot.ETH_HOURLY, Bot.WEATHER)
    assert (Bot.hourly(Asset.BTC), Bot.hourly(Asset.ETH)) == (Bot.BTC_HOURLY, Bot.ETH_HOURLY)
    assert [s.value for s in Side] == ["YES", "NO"]
    assert ErrorReason.STORE_UNAVAILABLE == "store_unavailable" and OrderReason.NOT_FILLED == "not_filled"
    assert RunReason.ALREADY_CLAIMED == "already_claimed" and NoTradeReason.KILL_SWITCH == "kill_switch"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("kill_switch", NoTradeReason.KILL_SWITCH),
        ("store_unavailable: table unreachable", ErrorReason.STORE_UNAVAILABLE),
        ("order_rejected: invalid_price: off the grid", ErrorReason.ORDER_REJECTED),
        ("price_jump", PriceProblem.JUMP),
        ("nothing_to_record", RunReason.NOTHING_TO_RECORD),
        ("order_not_found", OrderReason.ORDER_NOT_FOUND),
        ("kalshi_AuthError", ServiceFailure("kalshi", "AuthError")),
        ("", None),
        ("something_else", None),
    ],
)
def test_text_read_back_from_a_log_or_a_run_row_becomes_its_value(text: str, reason: object) -> None:
    assert parse_reason(text) == reason


def test_a_service_failure_is_spelt_as_ever() -> None:
    failure = ServiceFailure("nws", "MalformedResponseError")
    assert failure.value == str(failure) == "nws_MalformedResponseError"
