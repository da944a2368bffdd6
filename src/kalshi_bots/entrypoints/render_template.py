"""Render the EventBridge Scheduler part of ``infra/template.yaml`` from ``app.schedule.SCHEDULE``.

The template is hand-written except for the block between the two marker lines below, which is
generated here so the AWS schedules cannot drift from the local scheduler's. Usage::

    python -m kalshi_bots.entrypoints.render_template infra/template.yaml          # rewrite the block
    python -m kalshi_bots.entrypoints.render_template --check infra/template.yaml  # exit 1 if stale

Standard library only: it emits YAML text directly (short-form ``!GetAtt``), in a fixed order.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kalshi_bots.app.schedule import SCHEDULE, JobName, ScheduleRule

BEGIN = (
    "  # BEGIN GENERATED SCHEDULES (python -m kalshi_bots.entrypoints.render_template infra/template.yaml)"
)
END = "  # END GENERATED SCHEDULES"

# The placeholder EventBridge Scheduler substitutes with the run's scheduled time (ISO 8601, UTC).
SCHEDULED_TIME_PLACEHOLDER = "<aws.scheduler.scheduled-time>"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How long Scheduler keeps trying to *deliver* a run (throttling, Lambda service errors).

    Function errors are retried by Lambda's async invoke config instead (see the template).
    ``max_event_age_s`` must be >= 60 (the API minimum).
    """

    max_event_age_s: int
    max_retries: int
    why: str


DELIVERY: dict[JobName, DeliveryPolicy] = {
    JobName.COLLECT_BTC: DeliveryPolicy(60, 0, "a late minute price is superseded by the next run"),
    JobName.COLLECT_ETH: DeliveryPolicy(60, 0, "a late minute price is superseded by the next run"),
    JobName.TRADE_BTC: DeliveryPolicy(300, 2, "the :45 trade is only useful well before the top of the hour"),
    JobName.TRADE_ETH: DeliveryPolicy(300, 2, "the :45 trade is only useful well before the top of the hour"),
    JobName.CLEANUP: DeliveryPolicy(1800, 2, "any time within the hour is fine"),
    JobName.WEATHER: DeliveryPolicy(1800, 2, "the evening run stays useful for half an hour"),
    JobName.RECONCILE: DeliveryPolicy(1800, 2, "any time within the hour is fine"),
    JobName.RECORD_MARKET: DeliveryPolicy(60, 0, "a late snapshot is superseded by the next minute's"),
}


# Rules a template parameter switches, and the condition that enables each:
# - TRADE_ETH: parameter TradeEth (off by default), the AWS twin of KALSHI_BOTS_TRADE_ETH;
# - WEATHER: parameter NwsContact. NWS requires a contact in the User-Agent, so without one the
#   schedule stays off (visibly: the stack's WeatherBot output) instead of running a bot that can
#   fetch no forecast. Locally the same rule holds: no KALSHI_BOTS_NWS_CONTACT, no weather bot.
SWITCH_CONDITIONS: dict[JobName, str] = {JobName.TRADE_ETH: "TradeEthOn", JobName.WEATHER: "WeatherOn"}


def schedule_state(rule: ScheduleRule) -> str:
    """``ENABLED``, or the condition-driven switch of a rule a parameter turns on."""
    condition = SWITCH_CONDITIONS.get(rule.job)
    if condition is not None:
        return f"!If [{condition}, ENABLED, DISABLED]"
    if not rule.enabled_by_default:
        raise ValueError(f"{rule.rule_name} is off by default but has no switch in SWITCH_CONDITIONS")
    return "ENABLED"


def schedule_logical_id(rule: ScheduleRule) -> str:
    return f"{rule.function}Schedule"


def scheduler_input(rule: ScheduleRule) -> str:
    """The JSON the target receives: the job name and the run's scheduled time."""
    return json.dumps({"job": rule.job.value, "scheduled_time": SCHEDULED_TIME_PLACEHOLDER})


def render_rule(rule: ScheduleRule) -> list[str]:
    delivery = DELIVERY[rule.job]
    state = schedule_state(rule)
    return [
        f"  {schedule_logical_id(rule)}:",
        "    Type: AWS::Scheduler::Schedule",
        "    Properties:",
        f"      Name: {rule.rule_name}",
        f"      Description: {json.dumps(rule.description)}",
        f'      ScheduleExpression: "{rule.aws_expression}"',
        f"      ScheduleExpressionTimezone: {rule.timezone}",
        f"      State: {state}",
        "      FlexibleTimeWindow:",
        '        Mode: "OFF"',
        "      Target:",
        f"        Arn: !GetAtt {rule.function}.Arn",
        "        RoleArn: !GetAtt SchedulerRole.Arn",
        f"        Input: {json.dumps(scheduler_input(rule))}",
        f"        # delivery retries: {delivery.why}",
        "        RetryPolicy:",
        f"          MaximumEventAgeInSeconds: {delivery.max_event_age_s}",
        f"          MaximumRetryAttempts: {delivery.max_retries}",
        "        DeadLetterConfig:",
        "          Arn: !GetAtt FailedEventsQueue.Arn",
    ]


def render_block(schedule: Sequence[ScheduleRule] = SCHEDULE) -> str:
    lines = [BEGIN]
    for rule in schedule:
        lines.extend(render_rule(rule))
    lines.append(END)
    return "\n".join(lines) + "\n"


def replace_block(template_text: str, block: str) -> str:
    """The template with its generated block replaced; the markers must each appear once."""
    lines = template_text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip("\n") == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.rstrip("\n") == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ValueError(
            f"template must contain exactly one {BEGIN.strip()!r} line followed by one {END.strip()!r} line"
        )
    return "".join([*lines[: starts[0]], block, *lines[ends[0] + 1 :]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed block is stale")
    args = parser.parse_args(argv)
    current = args.template.read_text(encoding="utf-8")
    rendered = replace_block(current, render_block())
    if args.check:
        if rendered != current:
            print(f"{args.template}: schedules are stale; re-run without --check", file=sys.stderr)
            return 1
        return 0
    args.template.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
