"""infra/template.yaml: valid (cfn-lint on the SAM and the translated template), its schedules equal
``app.schedule.SCHEDULE``, its tables equal ``adapters.store.schema``, and every function gets exactly
the permissions it needs.
"""

from __future__ import annotations

import json
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from sam_support import TEMPLATE, translate

from kalshi_bots.adapters.http import DEFAULT_TIMEOUT, RetryPolicy
from kalshi_bots.adapters.store import records
from kalshi_bots.adapters.store.schema import TTL_ATTRIBUTE, table_definitions
from kalshi_bots.app.deps import JobParams
from kalshi_bots.app.schedule import SCHEDULE, JobName
from kalshi_bots.entrypoints import aws_lambda, lambda_metrics, lambda_secrets, render_template

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TRADING_FUNCTIONS = ("BTCTradingBot", "ETHTradingBot", "KalshiWeatherBot", "Reconciler")
ALL_FUNCTIONS = (
    "BTCPriceCollector",
    "ETHPriceCollector",
    "BTCTradingBot",
    "ETHTradingBot",
    "PriceHistoryCleanup",
    "KalshiWeatherBot",
    "Reconciler",
    "ETHVolatilityAPI",
    "MarketRecorder",
)
# No Errors alarm on the recorder: the free 10 are taken, and a silent recorder starves the edge gate of
# evidence, which then refuses live orders (fail closed). Its failures still reach the failed-event queue.
UNALARMED_FUNCTIONS = frozenset({"MarketRecorder"})


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def ref_name(value: Any) -> str:
    """A readable IAM Resource: ``arn:<logical id>``, ``sub:<parameter>``, ``ref:<id>`` or the string."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"][0]
        return f"arn:{target}"
    if "Fn::Sub" in value:
        text = value["Fn::Sub"]
        return (
            f"sub:{text.split('parameter${', 1)[1].rstrip('}')}" if "parameter${" in text else f"sub:{text}"
        )
    if "Ref" in value:
        return f"ref:{value['Ref']}"
    return json.dumps(value, sort_keys=True)


def statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy_document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def leading_keys(statement: dict[str, Any]) -> str:
    """``""``, or ``[pk=A,B]`` for a statement limited to items whose partition key is A or B (the
    only condition this template uses)."""
    condition = statement.get("Condition")
    if condition is None:
        return ""
    assert list(condition) == ["ForAllValues:StringEquals"], condition
    [(key, values)] = condition["ForAllValues:StringEquals"].items()
    assert key == "dynamodb:LeadingKeys", condition
    return f"[pk={','.join(as_list(values))}]"


def grants(role: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (action, resource) pair the role's inline policies allow; a resource limited to some
    partition keys reads ``arn:<table>[pk=...]``."""
    pairs: set[tuple[str, str]] = set()
    for policy in role["Properties"].get("Policies", []):
        for st in statements(policy["PolicyDocument"]):
            assert st["Effect"] == "Allow", f"unexpected {st['Effect']} in {policy['PolicyName']}"
            for action in as_list(st["Action"]):
                for resource in as_list(st["Resource"]):
                    pairs.add((action, ref_name(resource) + leading_keys(st)))
    return pairs


def ddb(actions: str, table: str) -> set[tuple[str, str]]:
    return {(f"dynamodb:{a}", f"arn:{table}") for a in actions.split()}


DLQ = {("sqs:SendMessage", "arn:FailedEventsQueue")}
KALSHI_KEY = {("ssm:GetParameter", "sub:KalshiCredentialsParameter")}
# Job-run claims: a conditional PutItem claims the run, an UpdateItem records its outcome, a GetItem
# reads a run whose claim was refused (a retry of a failed run must fail again; runner.py).
CLAIMS = ddb("GetItem PutItem UpdateItem", "KalshiTradingBudget")
# Trading jobs: put_trade/update_trade write the trade row plus its ORDER#/open-trade entries in one
# TransactWriteItems, and reserve/release_budget update BOT#/GLOBAL and the RES# item in one.
# DynamoDB has no IAM action for TransactWriteItems: each contained Put/Update/Delete is authorized
# as PutItem/UpdateItem/DeleteItem. Query: realized P&L of the day and the paper exchange's documents.
# The only delete is a settled trade leaving the open-trade index: DeleteItem is limited to that
# partition key, so no function can delete the kill switch (pk FLAG).
OPEN_INDEX_DELETE = {("dynamodb:DeleteItem", f"arn:KalshiTradingBudget[pk={records.OPEN_TRADE_PK}]")}
TRADER_BUDGET = ddb("GetItem PutItem UpdateItem Query", "KalshiTradingBudget") | OPEN_INDEX_DELETE
TRADE_LOG = ddb("GetItem PutItem Query", "BTCTradeLog")  # Query: the reconcile pass after each run

# The minimal set per function, derived from the Store methods each job calls (DynamoStore).
EXPECTED_GRANTS: dict[str, set[tuple[str, str]]] = {
    # Collectors claim no run on DynamoDB (bootstrap: claim_collector_runs=False): no budget table.
    "BTCPriceCollector": ddb("GetItem PutItem", "BTCPriceHistory") | DLQ,
    "ETHPriceCollector": ddb("GetItem PutItem", "ETHPriceHistory") | DLQ,
    "BTCTradingBot": ddb("GetItem", "BTCPriceHistory") | TRADE_LOG | TRADER_BUDGET | KALSHI_KEY | DLQ,
    "ETHTradingBot": ddb("GetItem", "ETHPriceHistory") | TRADE_LOG | TRADER_BUDGET | KALSHI_KEY | DLQ,
    "PriceHistoryCleanup": ddb("Query BatchWriteItem", "BTCPriceHistory")
    | ddb("Query BatchWriteItem", "ETHPriceHistory")
    | CLAIMS
    | DLQ,
    "KalshiWeatherBot": TRADE_LOG | TRADER_BUDGET | KALSHI_KEY | DLQ,
    "Reconciler": ddb("GetItem PutItem Query", "BTCTradeLog") | TRADER_BUDGET | KALSHI_KEY | DLQ,
    "ETHVolatilityAPI": ddb("GetItem", "BTCPriceHistory")
    | ddb("GetItem", "ETHPriceHistory")
    | {("ssm:GetParameter", "sub:ApiTokenParameter")},
    # Claims no run on DynamoDB (self-idempotent, like the collectors): snapshots, event markers and
    # results are PutItem, the events to settle one Query; VOL/LATEST prices the ladder.
    "MarketRecorder": ddb("GetItem", "BTCPriceHistory")
    | ddb("GetItem", "ETHPriceHistory")
    | ddb("PutItem Query", "KalshiTradingBudget")
    | DLQ,
}


# ----------------------------------------------------------------------------- validity
def lint(path: Path) -> list[str]:
    """cfn-lint findings (errors, warnings and informational) as readable lines."""
    from cfnlint.api import lint_file

    return [f"{m.rule.id} {m.filename}:{m.linenumber} {m.message}" for m in lint_file(path)]


# cfn-lint takes 5-10 s per file (its rule set loads slowly): the two lint tests are marked slow so
# `make unit` stays quick; `make test` and CI run them.
@pytest.mark.slow
def test_cfn_lint_passes_on_the_sam_template_and_its_translation(
    cfn_template: dict[str, Any], tmp_path: Path
) -> None:
    translated = tmp_path / "translated.json"
    translated.write_text(json.dumps(cfn_template))
    assert lint(TEMPLATE) == []
    assert lint(translated) == []


@pytest.mark.slow
def test_cfn_lint_catches_an_error_inside_a_sam_resource(
    sam_template: dict[str, Any], tmp_path: Path
) -> None:
    # Proves the translate-then-lint step has teeth: plain cfn-lint misses values inside SAM resources.
    broken = json.loads(json.dumps(sam_template))
    broken["Resources"]["BTCPriceCollector"]["Properties"]["Timeout"] = 1200  # Lambda's maximum is 900
    translated = tmp_path / "broken.json"
    translated.write_text(json.dumps(translate(broken)))
    findings = lint(translated)
    assert any("900" in f for f in findings), findings


# `sam validate --lint` and `sam build`: tests/unit/aws/test_sam_cli.py (the project's SAM CLI).


# ----------------------------------------------------------------------------- schedules
def test_generated_schedule_block_is_current() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert render_template.replace_block(text, render_template.render_block()) == text, (
        "run: python -m kalshi_bots.entrypoints.render_template infra/template.yaml"
    )


def condition_holds(sam: dict[str, Any], name: str, overrides: dict[str, str] | None = None) -> bool:
    """A template Condition (Equals/Not, the only forms used) with parameters at their defaults."""

    def value(operand: Any) -> str:
        if isinstance(operand, dict):
            ref = operand["Ref"]
            return (overrides or {}).get(ref, str(sam["Parameters"][ref]["Default"]))
        return str(operand)

    def holds(expr: dict[str, Any]) -> bool:
        if "Fn::Equals" in expr:
            left, right = expr["Fn::Equals"]
            return value(left) == value(right)
        if "Fn::Not" in expr:
            return not holds(expr["Fn::Not"][0])
        raise AssertionError(f"unexpected condition {expr}")

    return holds(sam["Conditions"][name])


def resolve_state(sam: dict[str, Any], state: Any, overrides: dict[str, str] | None = None) -> str:
    """A schedule's State with the template's parameters at their defaults (or ``overrides``)."""
    if isinstance(state, str):
        return state
    condition, if_true, if_false = state["Fn::If"]
    return str(if_true if condition_holds(sam, condition, overrides) else if_false)


# Rules on in app.schedule that the template leaves off until a parameter says otherwise: the weather
# bot needs an NWS contact (NwsContact, empty by default), as it does locally.
OFF_UNTIL_CONFIGURED = {JobName.WEATHER}


def test_schedules_equal_the_app_schedule(sam_template: dict[str, Any]) -> None:
    functions = resources_of(sam_template, "AWS::Serverless::Function")
    in_template = set()
    for schedule in resources_of(sam_template, "AWS::Scheduler::Schedule").values():
        p = schedule["Properties"]
        target_fn = p["Target"]["Arn"]["Fn::GetAtt"][0]
        payload = json.loads(p["Target"]["Input"])
        assert payload["scheduled_time"] == "<aws.scheduler.scheduled-time>"
        handler = functions[target_fn]["Properties"]["Handler"]
        in_template.add(
            (
                p["Name"],
                p["ScheduleExpression"],
                p["ScheduleExpressionTimezone"],
                target_fn,
                resolve_state(sam_template, p["State"]),
                payload["job"],
                handler,
            )
        )
    expected = {
        (
            r.rule_name,
            r.aws_expression,
            r.timezone,
            r.function,
            "ENABLED" if r.enabled_by_default and r.job not in OFF_UNTIL_CONFIGURED else "DISABLED",
            r.job.value,
            f"kalshi_bots.entrypoints.aws_lambda.{aws_lambda.HANDLERS[r.job].__name__}",
        )
        for r in SCHEDULE
    }
    assert in_template == expected
    assert len(resources_of(sam_template, "AWS::Scheduler::Schedule")) == len(SCHEDULE)


def test_eth_trading_is_switched_by_one_parameter(sam_template: dict[str, Any]) -> None:
    state = sam_template["Resources"]["ETHTradingBotSchedule"]["Properties"]["State"]
    assert state == {"Fn::If": ["TradeEthOn", "ENABLED", "DISABLED"]}
    assert sam_template["Conditions"]["TradeEthOn"] == {"Fn::Equals": [{"Ref": "TradeEth"}, "yes"]}
    env = sam_template["Resources"]["ETHTradingBot"]["Properties"]["Environment"]["Variables"]
    assert env["KALSHI_BOTS_TRADE_ETH"] == {"Ref": "TradeEth"}


def test_weather_runs_at_6_and_8_pm_new_york_time(sam_template: dict[str, Any]) -> None:
    weather = sam_template["Resources"]["KalshiWeatherBotSchedule"]["Properties"]
    assert weather["ScheduleExpression"] == "cron(0 18,20 * * ? *)"
    assert weather["ScheduleExpressionTimezone"] == "America/New_York"


def test_weather_is_on_exactly_when_the_nws_contact_is_set(sam_template: dict[str, Any]) -> None:
    state = sam_template["Resources"]["KalshiWeatherBotSchedule"]["Properties"]["State"]
    assert resolve_state(sam_template, state) == "DISABLED"  # default: no contact, visibly off
    assert resolve_state(sam_template, state, {"NwsContact": "ops@example.com"}) == "ENABLED"
    env = sam_template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["KALSHI_BOTS_NWS_CONTACT"] == {"Ref": "NwsContact"}
    # ...and the stack says so: its WeatherBot output names the parameter to set.
    output = sam_template["Outputs"]["WeatherBot"]["Value"]["Fn::If"]
    assert output[0] == "WeatherOn" and "NwsContact" in output[2]


def test_every_minute_is_a_cron_on_the_minute_not_a_rate(sam_template: dict[str, Any]) -> None:
    # rate(1 minute) fires at the second the schedule was created, up to 59 s off the minute.
    for name in ("BTCPriceCollectorSchedule", "ETHPriceCollectorSchedule"):
        assert sam_template["Resources"][name]["Properties"]["ScheduleExpression"] == "cron(* * * * ? *)"


def test_schedule_expressions_are_six_field_crons_or_rates_in_real_zones(
    sam_template: dict[str, Any],
) -> None:
    # No linter checks these (infra-local-aws.md 2.2); AWS rejects 5-field crons at deploy time.
    for name, schedule in resources_of(sam_template, "AWS::Scheduler::Schedule").items():
        p = schedule["Properties"]
        zoneinfo.ZoneInfo(p["ScheduleExpressionTimezone"])
        expr = p["ScheduleExpression"]
        if expr.startswith("cron("):
            fields = expr[5:-1].split()
            assert len(fields) == 6, f"{name}: {expr}"
            assert "?" in (fields[2], fields[4]), f"{name}: one of day-of-month/day-of-week must be ?"
        else:
            raise AssertionError(f"{name}: {expr} is not a cron (rates drift off the minute)")
        assert p["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert p["Target"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
        assert p["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"] >= 60


def test_scheduler_role_invokes_exactly_the_scheduled_functions(cfn_template: dict[str, Any]) -> None:
    role = cfn_template["Resources"]["SchedulerRole"]
    expected = {("lambda:InvokeFunction", f"arn:{r.function}") for r in SCHEDULE} | DLQ
    assert grants(role) == expected
    principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "scheduler.amazonaws.com"}


# ----------------------------------------------------------------------------- tables
def test_tables_equal_the_store_schema(sam_template: dict[str, Any]) -> None:
    tables = {
        t["Properties"]["TableName"]: t["Properties"]
        for t in resources_of(sam_template, "AWS::DynamoDB::Table").values()
    }
    definitions = {d.name: d for d in table_definitions()}
    assert set(tables) == set(definitions)
    for name, definition in definitions.items():
        props = tables[name]
        request = definition.create_table_request()
        assert props["KeySchema"] == request["KeySchema"], name
        assert props["AttributeDefinitions"] == request["AttributeDefinitions"], name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["BillingMode"] == {"Ref": "TableBillingMode"}, name
        ttl = props.get("TimeToLiveSpecification")
        if definition.ttl_attribute is None:
            assert ttl is None, name
        else:
            assert ttl == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}, name
    assert sam_template["Parameters"]["TableBillingMode"]["Default"] == "PAY_PER_REQUEST"


# ----------------------------------------------------------------------------- IAM
def function_roles(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    roles = {}
    for logical_id, fn in resources_of(cfn, "AWS::Lambda::Function").items():
        role_ref = fn["Properties"]["Role"]["Fn::GetAtt"][0]
        roles[logical_id] = cfn["Resources"][role_ref]
    return roles


def test_every_function_has_exactly_its_minimal_grants(cfn_template: dict[str, Any]) -> None:
    roles = function_roles(cfn_template)
    assert set(roles) == set(ALL_FUNCTIONS)
    for name, role in roles.items():
        assert grants(role) == EXPECTED_GRANTS[name], name
        assert role["Properties"]["ManagedPolicyArns"] == [BASIC_EXECUTION], name


def wildcard_problems(cfn: dict[str, Any]) -> list[str]:
    """Any ``*`` in an action or resource of an inline policy (the basic logs policy is managed)."""
    problems = []
    for logical_id, res in cfn["Resources"].items():
        if res["Type"] != "AWS::IAM::Role":
            continue
        for policy in res["Properties"].get("Policies", []):
            for st in statements(policy["PolicyDocument"]):
                problems += [f"{logical_id}: action {a}" for a in as_list(st["Action"]) if "*" in a]
                problems += [
                    f"{logical_id}: resource {r}"
                    for r in as_list(st["Resource"])
                    if isinstance(r, str) and "*" in r
                ]
    return problems


def test_no_wildcard_actions_or_resources(cfn_template: dict[str, Any]) -> None:
    assert wildcard_problems(cfn_template) == []


def test_adding_dynamodb_star_is_caught(sam_template: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(sam_template))
    policy = broken["Resources"]["BTCPriceCollector"]["Properties"]["Policies"][0]
    policy["Statement"].append({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    cfn = translate(broken)
    assert "BTCPriceCollectorRole: action dynamodb:*" in wildcard_problems(cfn)
    assert grants(function_roles(cfn)["BTCPriceCollector"]) != EXPECTED_GRANTS["BTCPriceCollector"]


def test_no_function_can_delete_the_kill_switch(cfn_template: dict[str, Any]) -> None:
    for name, role in function_roles(cfn_template).items():
        deletes = {r for a, r in grants(role) if a == "dynamodb:DeleteItem" and "KalshiTradingBudget" in r}
        assert deletes <= {f"arn:KalshiTradingBudget[pk={records.OPEN_TRADE_PK}]"}, name
    assert records.FLAG_PK != records.OPEN_TRADE_PK


def test_only_signing_functions_can_read_the_kalshi_key(cfn_template: dict[str, Any]) -> None:
    readers = {n for n, role in function_roles(cfn_template).items() if grants(role) >= KALSHI_KEY}
    assert readers == set(TRADING_FUNCTIONS)


# ----------------------------------------------------------------------------- functions
def function_props(sam: dict[str, Any], name: str) -> dict[str, Any]:
    return sam["Resources"][name]["Properties"]  # type: ignore[no-any-return]


def test_reserved_concurrency_is_opt_in(sam_template: dict[str, Any]) -> None:
    # Off by default: an account with the new-account quota of 10 cannot reserve any, and the
    # first deploy would fail. The job-run claim already refuses a second copy of a run.
    for name in TRADING_FUNCTIONS:
        reserved = function_props(sam_template, name)["ReservedConcurrentExecutions"]
        assert reserved == {"Fn::If": ["ReserveConcurrency", 1, {"Ref": "AWS::NoValue"}]}, name
    assert sam_template["Parameters"]["ReserveTradingConcurrency"]["Default"] == "false"
    assert not condition_holds(sam_template, "ReserveConcurrency")


def test_function_names_handlers_runtime_and_log_groups(sam_template: dict[str, Any]) -> None:
    glob = sam_template["Globals"]["Function"]
    assert glob["Runtime"] in ("python3.12", "python3.11")
    assert glob["Architectures"] == ["arm64"]
    # Per function, not in Globals: `sam build` rewrites only the functions' relative paths.
    assert "CodeUri" not in glob
    assert glob["Environment"]["Variables"]["PYDANTIC_DISABLE_PLUGINS"] == "__all__"  # cold start
    logs = {
        g["Properties"]["LogGroupName"]: k
        for k, g in resources_of(sam_template, "AWS::Logs::LogGroup").items()
    }
    for name in ALL_FUNCTIONS:
        props = function_props(sam_template, name)
        assert props["FunctionName"] == name  # the spec's `aws logs tail /aws/lambda/<name>` works
        assert props["CodeUri"] == "../build/lambda.zip", name
        module, _, attr = props["Handler"].rpartition(".")
        assert module == "kalshi_bots.entrypoints.aws_lambda"
        assert callable(getattr(aws_lambda, attr))
        assert props["LoggingConfig"] == {"LogGroup": {"Ref": logs[f"/aws/lambda/{name}"]}}
    for group in resources_of(sam_template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def worst_case_request_seconds() -> float:
    """One safe GET with every attempt timing out (connect + read) plus the maximum backoffs."""
    policy = RetryPolicy()
    per_attempt = (DEFAULT_TIMEOUT.connect or 0) + (DEFAULT_TIMEOUT.read or 0)
    backoff = sum(
        min(policy.max_delay_s, policy.base_delay_s * 2 ** (a - 1)) for a in range(1, policy.attempts)
    )
    return policy.attempts * per_attempt + backoff


def test_timeouts_cover_the_retry_loop_and_stay_below_the_run_lease(sam_template: dict[str, Any]) -> None:
    lease = JobParams().job_lease_seconds
    for name in ALL_FUNCTIONS:
        timeout = function_props(sam_template, name)["Timeout"]
        assert timeout < lease, f"{name}: a retry must not overlap a still-running run ({timeout} >= {lease})"
    for name in ("BTCPriceCollector", "ETHPriceCollector"):
        assert function_props(sam_template, name)["Timeout"] > worst_case_request_seconds(), name


def test_scheduled_functions_send_failures_to_the_queue(sam_template: dict[str, Any]) -> None:
    for rule in SCHEDULE:
        config = function_props(sam_template, rule.function)["EventInvokeConfig"]
        assert config["DestinationConfig"]["OnFailure"] == {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]},
        }


def test_volatility_api_is_opt_in_with_its_own_throttle_and_token_in_ssm(
    sam_template: dict[str, Any],
) -> None:
    # Off by default; when on, a public function URL (the handler checks the bearer token) whose
    # reserved concurrency caps what a flood of refused requests can cost.
    resources = sam_template["Resources"]
    for name in ("ETHVolatilityAPI", "ETHVolatilityAPILogs", "ETHVolatilityAPIErrors"):
        assert resources[name]["Condition"] == "ApiOn", name
    assert sam_template["Outputs"]["VolatilityApiUrl"]["Condition"] == "ApiOn"
    assert not condition_holds(sam_template, "ApiOn")
    assert condition_holds(sam_template, "ApiOn", {"VolatilityApi": "on"})
    props = function_props(sam_template, "ETHVolatilityAPI")
    assert props["ReservedConcurrentExecutions"] == 2
    assert props["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert props["Environment"]["Variables"][lambda_secrets.API_TOKEN_PARAMETER_ENV] == {
        "Ref": "ApiTokenParameter"
    }


# ----------------------------------------------------------------------------- alarms
def test_every_function_has_an_errors_alarm_and_collectors_a_freshness_alarm(
    sam_template: dict[str, Any],
) -> None:
    alarms = resources_of(sam_template, "AWS::CloudWatch::Alarm").values()
    error_alarms = {
        a["Properties"]["Dimensions"][0]["Value"]["Ref"]: a.get("Condition")
        for a in alarms
        if a["Properties"]["MetricName"] == "Errors"
    }
    assert set(error_alarms) == set(ALL_FUNCTIONS) - UNALARMED_FUNCTIONS
    # ETH trading and the API are off by default: their alarms exist with them only.
    assert {f: c for f, c in error_alarms.items() if c} == {
        "ETHTradingBot": "TradeEthOn",
        "ETHVolatilityAPI": "ApiOn",
    }
    stale = {
        a["Properties"]["Dimensions"][0]["Value"]: a["Properties"]
        for a in alarms
        if a["Properties"]["MetricName"] == lambda_metrics.COLLECTOR_METRIC
    }
    assert set(stale) == {"BTC", "ETH"}
    for props in stale.values():
        assert props["Namespace"] == lambda_metrics.METRIC_NAMESPACE
        assert props["Period"] == 300
        assert props["TreatMissingData"] == "breaching"  # a collector that stops running also alarms
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertTopic"}]
    at_defaults = [a for a in alarms if "Condition" not in a or condition_holds(sam_template, a["Condition"])]
    assert len(at_defaults) <= 10  # the always-free CloudWatch alarm count


def test_a_silent_bot_alarms(sam_template: dict[str, Any]) -> None:
    # No trade decision (trade or deliberate no-trade) by any bot for 3 hours: the BTC bot decides
    # hourly, so runs are not happening or all fail. The metric is printed by the handler (EMF).
    silent = sam_template["Resources"]["TradingSilent"]["Properties"]
    assert silent["Namespace"] == lambda_metrics.METRIC_NAMESPACE
    assert silent["MetricName"] == lambda_metrics.DECISION_METRIC
    assert "Dimensions" not in silent  # the handler emits it without dimensions: one metric, all bots
    assert silent["Period"] * silent["EvaluationPeriods"] == 3 * 3600
    assert silent["DatapointsToAlarm"] == silent["EvaluationPeriods"]
    assert (silent["ComparisonOperator"], silent["Threshold"]) == ("LessThanThreshold", 1)
    assert silent["TreatMissingData"] == "breaching"  # a bot that stops running at all alarms too


def test_job_names_have_handlers() -> None:
    assert set(aws_lambda.HANDLERS) == set(JobName)


# ----------------------------------------------------------------------------- settings
def function_environment(sam: dict[str, Any], name: str, overrides: dict[str, str]) -> dict[str, str]:
    """The function's environment as Lambda would see it, template parameters at their defaults."""
    merged = dict(sam["Globals"]["Function"]["Environment"]["Variables"])
    merged.update(function_props(sam, name).get("Environment", {}).get("Variables", {}))
    env = {}
    for key, value in merged.items():
        if isinstance(value, dict):
            ref = value["Ref"]
            if ref in sam["Parameters"]:
                value = overrides.get(ref, str(sam["Parameters"][ref]["Default"]))
            else:
                value = sam["Resources"][ref]["Properties"]["TableName"]
        env[key] = str(value)
    return env


@pytest.mark.parametrize("mode", ["paper", "demo"])
def test_every_function_environment_is_valid_settings(sam_template: dict[str, Any], mode: str) -> None:
    from kalshi_bots.config import Settings, StoreKind

    key_reads: list[str] = []

    def fake_ssm(name: str) -> str:  # what the two SSM parameters hold
        key_reads.append(name)
        if name.endswith("kalshi-credentials"):
            return json.dumps({"key_id": "k1", "private_key_pem": "-----BEGIN " + "PRIVATE KEY-----\nx\n"})
        return "token"

    for name in ALL_FUNCTIONS:
        env = function_environment(sam_template, name, {"Mode": mode})
        key_reads.clear()
        settings = Settings.from_env(env | lambda_secrets.secret_environ(env, fake_ssm))
        assert settings.store.kind is StoreKind.DYNAMODB, name
        assert settings.store.btc_price_table == "BTCPriceHistory", name
        signs = name in TRADING_FUNCTIONS
        assert settings.mode.value == (mode if signs else "paper"), name
        assert any(r.endswith("kalshi-credentials") for r in key_reads) == (signs and mode != "paper"), name
