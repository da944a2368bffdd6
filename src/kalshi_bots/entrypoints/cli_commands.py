"""The CLI's quick commands on the store and the settings: ``status``, ``halt``, ``resume``,
``volatility``, ``db init`` and ``settings``. Each takes the parsed arguments and the settings, prints for
humans on stdout and returns an exit code. Failures raise; :func:`kalshi_bots.entrypoints.cli.main`
reports them.

The other commands live by concept: ``job`` in :mod:`.cli_job`; ``trades``, ``positions`` and ``pnl`` in
:mod:`.cli_portfolio`; the long-running ``run``, ``dashboard``, ``sandbox`` and ``serve`` in
:mod:`.cli_run`; ``export`` and ``scorecard`` in :mod:`.cli_edge`. Every command reads the time from
``args.clock`` (set by ``main``: the system clock, or the clock a test or tool injected), never from the
system directly (:mod:`.cli_output`)."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from kalshi_bots import bootstrap
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings, StoreKind, settings_markdown
from kalshi_bots.domain.models import TRADING_BOTS, Asset
from kalshi_bots.entrypoints.cli_output import clock_of, shown_clock, store_label


def print_settings_markdown() -> int:
    print(settings_markdown())
    return 0


# --- volatility -------------------------------------------------------------------------------------


def cmd_volatility(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.entrypoints.volatility_view import volatility_payload, volatility_text

    store = bootstrap.open_existing_store(settings)
    now = shown_clock(args, store).now()
    payload = volatility_payload(store, args.asset, now)
    if payload is None:  # not a failure: a fresh install has no data until the first collector run
        print("null" if args.json else f"no volatility for {args.asset.value} yet (no collector run stored)")
        return 0
    print(json.dumps(payload, indent=2) if args.json else volatility_text(payload))
    return 0


# --- status / halt / resume -------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.runner import displayed_outcome

    store = bootstrap.open_existing_store(settings)
    now = shown_clock(args, store).now()  # a sandbox's accelerated clock: no negative ages
    day = risk.trading_day(now)
    limits = bootstrap.job_params(settings).budget
    flag = store.get_flag(risk.HALT_FLAG)
    print(f"mode:        {settings.mode.value}")
    print(f"store:       {store_label(settings)}")
    print(f"kill switch: {'ON - ' + flag if flag else 'off'}")
    print(f"today (ET):  {day}  realized P&L ${store.realized_pnl(day):.2f}")
    spent_total = Decimal(0)
    for bot in TRADING_BOTS:
        state = store.budget_state(bot, day, limits)
        spent_total += state.spent
        print(f"  budget {bot:11} ${state.remaining:.2f} left of ${state.limit:.2f}")
    left = max(Decimal(0), limits.global_limit - spent_total)
    print(f"  budget {'all bots':11} ${left:.2f} left of ${limits.global_limit:.2f}")
    for asset in Asset:
        # Prices are the system's pulse, and on DynamoDB collectors record no run rows (they are
        # idempotent without a claim), so show how fresh each VOL/LATEST is.
        snapshot = store.get_volatility(asset)
        age = "never" if snapshot is None else f"{(now - snapshot.computed_at).total_seconds():.0f}s ago"
        print(f"  prices {asset.value:11} last volatility update {age}")
    runs = store.last_runs()
    print(f"weather bot: {weather_bot_state(settings, runs)}")
    print("last runs:" if runs else "last runs:  none yet")
    for run in runs:
        detail = f"  {run.detail}" if run.detail else ""
        outcome = displayed_outcome(run, now)  # `abandoned`: still `running` past its lease (process died)
        print(f"  {run.job:20} {run.scheduled_for:%Y-%m-%d %H:%M}Z  {outcome}{detail}")
    return 0


def weather_bot_state(settings: Settings, runs: list[Any]) -> str:
    """Why the weather bot is on or off: it needs an NWS contact, here and on AWS alike (where the
    template leaves its schedule disabled without the NwsContact parameter)."""
    last = max((r.scheduled_for for r in runs if r.job == JobName.WEATHER.value), default=None)
    seen = f"last run {last:%Y-%m-%d %H:%M}Z" if last else "no run recorded in this store"
    if settings.store.kind is StoreKind.DYNAMODB:
        return (
            f"{seen}. On AWS it runs only when the stack's NwsContact parameter is set (else its "
            "Weather-6pm-8pm-ET schedule is disabled; the stack's WeatherBot output says which)"
        )
    if settings.nws.contact is None:
        return f"off: KALSHI_BOTS_NWS_CONTACT is not set (NWS requires a contact); {seen}"
    return f"on; {seen}"


def cmd_halt(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.alerts import notify_kill_switch

    store = bootstrap.open_existing_store(settings)
    reason = f"{args.reason} ({clock_of(args).now():%Y-%m-%d %H:%M}Z)"
    risk.halt(store, reason)
    print(f"kill switch ON: no new orders until `kalshi-bots resume` ({reason})")
    notify_kill_switch(bootstrap.build_notifier(settings), on=True, reason=reason, source="the CLI")
    return 0


def cmd_resume(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app import risk
    from kalshi_bots.app.alerts import notify_kill_switch

    store = bootstrap.open_existing_store(settings)
    risk.resume(store)
    print("kill switch off: trading allowed again")
    notify_kill_switch(bootstrap.build_notifier(settings), on=False, reason="", source="the CLI")
    return 0


# --- db / settings ----------------------------------------------------------------------------------


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    bootstrap.open_configured_store(settings, init_schema=True)
    print(f"tables ready in {store_label(settings)}")
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    rows = settings.effective()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    return 0
