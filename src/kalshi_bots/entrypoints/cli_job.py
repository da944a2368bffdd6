"""``kalshi-bots job NAME``: one run of one job now (or at ``--at``), through the same runner the
scheduler and the Lambda handlers use."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from kalshi_bots import bootstrap
from kalshi_bots.app.results import JobResult, Outcome
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings
from kalshi_bots.domain.markets import floor_minute
from kalshi_bots.domain.models import Asset, Mode
from kalshi_bots.entrypoints.cli_output import UsageError, clock_of

JOB_NAMES: dict[tuple[str, Asset | None], JobName] = {
    ("collect-prices", Asset.BTC): JobName.COLLECT_BTC,
    ("collect-prices", Asset.ETH): JobName.COLLECT_ETH,
    ("trade-hourly", Asset.BTC): JobName.TRADE_BTC,
    ("trade-hourly", Asset.ETH): JobName.TRADE_ETH,
    # The jobs that run once for all assets are named on the command line as they are scheduled.
    **{(job.value, None): job for job in (JobName.CLEANUP, JobName.WEATHER, JobName.RECONCILE)},
    (JobName.RECORD_MARKET.value, None): JobName.RECORD_MARKET,
}
PER_ASSET = {"collect-prices", "trade-hourly"}
# ``job --at`` further ahead than this is refused: a run scheduled in the future would trade an event
# before its time (at the next hour's :45, the next hour's event 60+ minutes early) and its claim
# would block the real run. A few minutes cover a run started by hand just before its minute.
MAX_AT_AHEAD = timedelta(minutes=5)


def job_name(name: str, asset: Asset | None) -> JobName:
    if name in PER_ASSET:
        return JOB_NAMES[(name, asset or Asset.BTC)]
    if asset is not None:
        raise UsageError(f"--asset does not apply to {name} (only to {', '.join(sorted(PER_ASSET))})")
    return JOB_NAMES[(name, None)]


def parse_at(raw: str | None, now: datetime) -> datetime:
    """The scheduled minute: ``--at`` (aware, whole minute, at most :data:`MAX_AT_AHEAD` ahead of
    ``now``) or the current minute."""
    if raw is None:
        return floor_minute(now)
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--at {raw!r} is not an ISO-8601 time; use e.g. 2026-03-08T14:45:00Z") from None
    if at.tzinfo is None:
        raise UsageError(f"--at {raw!r} has no UTC offset; add Z or e.g. -05:00")
    if at.second or at.microsecond:
        raise UsageError(f"--at {raw!r} is not a whole minute; scheduled runs start at :00 seconds")
    ahead = at - now
    if ahead > MAX_AT_AHEAD:
        minutes = round(ahead.total_seconds() / 60)
        raise UsageError(
            f"--at {raw!r} is {minutes} minutes ahead of the clock ({now:%Y-%m-%d %H:%M}Z); a run may be "
            f"scheduled at most {int(MAX_AT_AHEAD.total_seconds() // 60)} minutes ahead: it would trade "
            "early and its claim would block the real run"
        )
    return at.astimezone(UTC)


def describe_result(result: JobResult) -> str:
    text = f"{result.job} @ {result.scheduled_for:%Y-%m-%d %H:%M}Z: {result.outcome.value}"
    if result.reason is not None:
        text += f" ({result.reason_text})"
    if result.detail:
        text += f" - {result.detail}"
    return text


def exit_code(result: JobResult) -> int:
    return 1 if result.outcome is Outcome.ERROR else 0


def cmd_job(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app.runner import run_job

    job = job_name(args.name, args.asset)
    if settings.mode is Mode.LIVE:
        print(f"kalshi-bots: LIVE MODE - this {job.value} run may send real orders", file=sys.stderr)
    deps = bootstrap.build_deps(settings, clock=clock_of(args))
    result = run_job(deps, job, parse_at(args.at, deps.clock.now()))
    print(describe_result(result))
    return exit_code(result)
