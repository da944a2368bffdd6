"""``kalshi-bots export snapshots`` and ``kalshi-bots scorecard``: the market recorder's data and the
live scorecard on the command line (the edge gate reads the same scorecard)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from kalshi_bots import bootstrap
from kalshi_bots.app.scorecard import DEFAULT_DAYS
from kalshi_bots.config import Settings
from kalshi_bots.domain.market_snapshot import Trigger
from kalshi_bots.domain.models import TRADING_BOTS, Bot
from kalshi_bots.domain.scorecard import BotScorecard, ScoreLine
from kalshi_bots.entrypoints.cli_output import UsageError, shown_clock
from kalshi_bots.ports.snapshots import SnapshotStore
from kalshi_bots.ports.store import Store

EXPORT_FORMATS = ("csv",)
TRIGGERS = ("all", *(t.value for t in Trigger))


def add_edge_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="export the market recorder's snapshots",
        description="Write recorded data in a documented format (docs/model.md).",
    )
    what = export.add_subparsers(dest="export_what", required=True, metavar="WHAT")
    snapshots = what.add_parser(
        "snapshots",
        help="ladder snapshots as CSV (the format `backtest quotes --recorder` reads)",
        description="One CSV row per strike per snapshot (schema v1), settlement results filled in where "
        "known. Snapshots expire after KALSHI_BOTS_RECORDER_TTL_DAYS: export before.",
    )
    snapshots.add_argument(
        "--since", required=True, metavar="WHEN", help="first minute: YYYY-MM-DD (UTC midnight) or ISO-8601"
    )
    snapshots.add_argument("--until", metavar="WHEN", help="end, exclusive (default: now)")
    snapshots.add_argument("--format", choices=EXPORT_FORMATS, default="csv", help="output format (csv)")
    snapshots.add_argument("--trigger", choices=TRIGGERS, default="all", help="decision, minute or all")
    snapshots.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")

    card = sub.add_parser(
        "scorecard",
        help="model versus market on the bots' recorded decisions, and P&L against expectation",
        description="Per bot and per ISO week: log loss and Brier of the model and of the market mid on the "
        "contracts each decision looked at, with paired standard errors; realised P&L after fees against "
        "what the model expected. Live orders need this to show an edge (the edge gate).",
    )
    card.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    card.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"how far back (default {DEFAULT_DAYS})")
    card.add_argument(
        "--bot", choices=[b.value for b in TRADING_BOTS], action="append", help="only this bot (repeatable)"
    )


def parse_when(raw: str, option: str) -> datetime:
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(
            f"{option} {raw!r} is not a date or time; use 2026-11-24 or 2026-11-24T14:45Z"
        ) from None
    if at.tzinfo is None:
        raise UsageError(f"{option} {raw!r} has no UTC offset; add Z or e.g. -05:00")
    return at.astimezone(UTC)


def _snapshot_store(settings: Settings) -> tuple[Store, SnapshotStore]:
    """The configured store, read only: a missing SQLite file is an error, never a new empty one."""
    store = bootstrap.open_existing_store(settings)
    snapshots = bootstrap.snapshot_store_of(store)
    if snapshots is None:
        raise UsageError("this store keeps no snapshots")
    return store, snapshots


def _check_period(since: datetime, until: datetime) -> None:
    if until <= since:
        raise UsageError(f"--until ({until.isoformat()}) must be after --since ({since.isoformat()})")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.adapters.snapshot_csv import write_snapshot_csv, write_snapshot_rows
    from kalshi_bots.app.exports import snapshot_rows

    since = parse_when(args.since, "--since")
    until_given = parse_when(args.until, "--until") if args.until else None
    if until_given is not None:  # a usage error is reported before the store is opened
        _check_period(since, until_given)
    store, snapshots = _snapshot_store(settings)
    # "now" on the injected clock, else a sandbox world's recorded clock, else the system clock.
    until = until_given or shown_clock(args, store).now()
    _check_period(since, until)
    trigger = None if args.trigger == "all" else Trigger(args.trigger)
    rows = snapshot_rows(snapshots, since, until, trigger)
    if args.out is None:
        write_snapshot_rows(rows, sys.stdout)
    else:
        count = write_snapshot_csv(rows, args.out)
        print(
            f"{count} rows ({len({r.snapshot_time for r in rows})} snapshots) -> {args.out}", file=sys.stderr
        )
    return 0


def cmd_scorecard(args: argparse.Namespace, settings: Settings) -> int:
    from kalshi_bots.app.scorecard import scorecard

    if args.days < 1:
        raise UsageError(f"--days must be at least 1, got {args.days}")
    store, snapshots = _snapshot_store(settings)
    bots: Sequence[Bot] = tuple(Bot(b) for b in args.bot) if args.bot else TRADING_BOTS
    card = scorecard(
        store,
        snapshots,
        now=shown_clock(args, store).now(),
        days=args.days,
        bots=bots,
    )
    if args.json:
        print(json.dumps(card.as_dict(), indent=2))
        return 0
    span = f"{card.since:%Y-%m-%d %H:%M}Z .. {card.until:%Y-%m-%d %H:%M}Z"
    print(f"scorecard {span}  (mode {settings.mode.value})")
    for bot in card.bots:
        print()
        print("\n".join(bot_lines(bot)))
    print()
    print(gate_line(settings))
    return 0


def _num(x: float | None, fmt: str = ".4f") -> str:
    return "-" if x is None else format(x, fmt)


def _diff(x: float | None, se: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:+.4f}" + ("" if se is None else f" ± {se:.4f}")


def line_text(line: ScoreLine) -> str:
    per = "" if line.pnl_per_contract is None else f" ({line.pnl_per_contract:+.3f}/contract"
    if per and line.pnl_per_contract_se is not None:
        per += f" ± {line.pnl_per_contract_se:.3f}"
    per += ")" if per else ""
    return (
        f"  {line.week:8} decisions {line.decisions:>4}/{line.decisions_recorded:<4} "
        f"contracts {line.contracts:>4}  "
        f"log loss model {_num(line.model_log_loss)} market {_num(line.market_log_loss)} "
        f"diff {_diff(line.log_loss_difference, line.log_loss_difference_se)}  "
        f"Brier diff {_diff(line.brier_difference, line.brier_difference_se)}  "
        f"trades {line.trades} (+{line.open_trades} open) P&L ${line.realized_pnl:+.2f}{per} "
        f"expected ${line.expected_pnl:+.2f}"
    )


def bot_lines(bot: BotScorecard) -> list[str]:
    lines = [f"{bot.bot}:", line_text(bot.total)]
    lines += [line_text(w) for w in bot.weeks]
    if not bot.weeks:
        lines.append("  (nothing recorded)")
    return lines


def gate_line(settings: Settings) -> str:
    """What the edge gate will do with these figures in this deployment."""
    if settings.mode.value != "live":
        return f"edge gate: not applied in {settings.mode.value} mode (live orders only)"
    if settings.edge.live_without_edge:
        return "edge gate: OFF (KALSHI_BOTS_LIVE_WITHOUT_EDGE=yes): live orders go out without evidence"
    return (
        f"edge gate: live orders need >= {settings.edge.min_decisions} scored decisions, the model's log "
        "loss below the market mid's, and realised P&L after fees >= 0"
    )
