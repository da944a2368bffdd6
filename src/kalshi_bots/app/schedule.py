"""The ONE schedule definition. The local scheduler fires from it and the AWS template is checked
against it (``tests/unit/test_template_schedules.py``), so the two cannot drift apart.

Each entry is the spec's EventBridge rule, restated as data. Weather runs are defined in
``America/New_York`` wall-clock time (6 pm and 8 pm ET) — the spec's fixed-UTC crons
``cron(0 23 * * ? *)``/``cron(0 1 * * ? *)`` are only right in winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kalshi_bots.domain.markets import RECORDER_WINDOW


class JobName(StrEnum):
    COLLECT_BTC = "collect-prices-btc"
    COLLECT_ETH = "collect-prices-eth"
    TRADE_BTC = "trade-hourly-btc"
    TRADE_ETH = "trade-hourly-eth"
    CLEANUP = "cleanup"
    WEATHER = "weather"
    RECONCILE = "reconcile"
    RECORD_MARKET = "record-market"


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    """A recurring trigger.

    ``minutes``/``hours`` list the wall-clock minutes/hours (in ``timezone``) it fires at;
    ``None`` means every minute/hour. ``rule_name`` is the spec's EventBridge rule name and
    ``function`` the Lambda function it targets.
    """

    rule_name: str
    job: JobName
    function: str
    minutes: tuple[int, ...] | None
    hours: tuple[int, ...] | None
    timezone: str = "UTC"
    enabled_by_default: bool = True
    description: str = ""

    def fires_at(self, hour: int, minute: int) -> bool:
        """Whether the rule fires at this wall-clock time (in ``timezone``)."""
        minute_ok = self.minutes is None or minute in self.minutes
        hour_ok = self.hours is None or hour in self.hours
        return minute_ok and hour_ok

    @property
    def aws_expression(self) -> str:
        """The EventBridge Scheduler expression: always a six-field ``cron(...)``, even every minute.

        Not ``rate(1 minute)``: a rate schedule fires at the second it was created, up to 59 s off
        the minute, while a cron fires at the start of each minute, as the local scheduler does."""
        minute = "*" if self.minutes is None else cron_field(self.minutes)
        hour = "*" if self.hours is None else cron_field(self.hours)
        return f"cron({minute} {hour} * * ? *)"


def cron_field(values: tuple[int, ...]) -> str:
    """``(45, 46, ..., 59)`` -> ``45-59``; ``(18, 20)`` -> ``18,20`` (runs of three or more as a range)."""
    parts: list[str] = []
    run: list[int] = []
    for value in sorted(values):
        if run and value != run[-1] + 1:
            parts.append(_run_text(run))
            run = []
        run.append(value)
    if run:
        parts.append(_run_text(run))
    return ",".join(parts)


def _run_text(run: list[int]) -> str:
    return f"{run[0]}-{run[-1]}" if len(run) >= 3 else ",".join(str(v) for v in run)


SCHEDULE: tuple[ScheduleRule, ...] = (
    ScheduleRule(
        "BTCPriceCollector-EveryMinute",
        JobName.COLLECT_BTC,
        "BTCPriceCollector",
        None,
        None,
        description="Collect BTC price and volatility",
    ),
    ScheduleRule(
        "ETHPriceCollector-EveryMinute",
        JobName.COLLECT_ETH,
        "ETHPriceCollector",
        None,
        None,
        description="Collect ETH price and volatility",
    ),
    ScheduleRule(
        "BTCTradingBot-Minute45",
        JobName.TRADE_BTC,
        "BTCTradingBot",
        (45,),
        None,
        description="Trade the next-hour KXBTCD event at :45",
    ),
    ScheduleRule(
        "ETHTradingBot-Minute45",
        JobName.TRADE_ETH,
        "ETHTradingBot",
        (45,),
        None,
        enabled_by_default=False,
        description="Trade the next-hour KXETHD event at :45 (off by default)",
    ),
    ScheduleRule(
        "PriceHistoryCleanup-Hourly",
        JobName.CLEANUP,
        "PriceHistoryCleanup",
        (0,),
        None,
        description="Delete price rows older than the retention",
    ),
    ScheduleRule(
        "Weather-6pm-8pm-ET",
        JobName.WEATHER,
        "KalshiWeatherBot",
        (0,),
        (18, 20),
        timezone="America/New_York",
        description="Weather bot at 6 pm and 8 pm Eastern, DST-correct",
    ),
    # :10, not :05: hourly crypto markets settle about 5 minutes after the top of the hour, and the
    # :45 run's daily-loss gate should see the :00 settlement's realized P&L.
    ScheduleRule(
        "Reconcile-Hourly",
        JobName.RECONCILE,
        "Reconciler",
        (10,),
        None,
        description="Bring the trade log up to date from Kalshi",
    ),
    # The market recorder: each minute of the late window (KALSHI_BOTS_RECORDER_MINUTES narrows it), its
    # own function and job so it can never delay the :45 trade.
    ScheduleRule(
        "MarketRecorder-Minutes45to59",
        JobName.RECORD_MARKET,
        "MarketRecorder",
        RECORDER_WINDOW,
        None,
        description="Record the hourly ladders from :45 to :59 and settle recorded events",
    ),
)


def rule_for(job: JobName) -> ScheduleRule:
    for rule in SCHEDULE:
        if rule.job is job:
            return rule
    raise KeyError(job)
