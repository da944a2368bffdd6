"""The ``kalshi-bots`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kalshi_bots import __version__
from kalshi_bots.app.schedule import SCHEDULE


def _print_schedule() -> None:
    for rule in SCHEDULE:
        state = "on" if rule.enabled_by_default else "off"
        print(f"{rule.rule_name:32} {rule.aws_expression:28} {rule.timezone:17} {state}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kalshi-bots", description=__doc__)
    parser.add_argument("--version", action="version", version=f"kalshi-bots {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the local system (paper mode by default)")
    sub.add_parser("schedule", help="print the job schedule")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("run", "schedule"):
        _print_schedule()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
