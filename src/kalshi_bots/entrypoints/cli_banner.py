"""What ``kalshi-bots run`` prints before it starts: the mode, the store, each bot on or off (and what
turns an off one on), the next runs; in live mode a banner no one can miss."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kalshi_bots import __version__
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings, StoreKind
from kalshi_bots.domain.markets import NEW_YORK
from kalshi_bots.domain.models import Mode
from kalshi_bots.entrypoints.cli_output import store_label
from kalshi_bots.entrypoints.next_runs import in_words, next_runs

# Minute jobs: left out of the banner's next runs ("prices every minute" covers them).
COLLECTORS = frozenset({JobName.COLLECT_BTC, JobName.COLLECT_ETH, JobName.RECORD_MARKET})


def live_banner(settings: Settings) -> str:
    bar = "!" * 78
    lines = [
        "LIVE MODE: REAL ORDERS WITH REAL MONEY ON KALSHI",
        f"Kalshi: {settings.kalshi_base_url}",
        f"daily budget ${settings.budget.global_limit} (btc ${settings.budget.btc_hourly}, "
        f"eth ${settings.budget.eth_hourly}, weather ${settings.budget.weather}), "
        f"loss halt ${settings.budget.daily_loss_limit}",
        "stop all trading at once: kalshi-bots halt",
    ]
    if settings.edge.live_without_edge:  # the edge gate's override (domain/edge_gate.py)
        lines += [
            "EDGE GATE OFF (KALSHI_BOTS_LIVE_WITHOUT_EDGE=yes): orders go out",
            "even when the scorecard shows no edge (kalshi-bots scorecard)",
        ]
    return "\n".join([bar, *(f"!!  {line:<72}!!" for line in lines), bar])


MODE_WORDS = {
    Mode.PAPER: "paper (simulated fills on real public Kalshi data; no money)",
    Mode.DEMO: "demo (Kalshi's demo exchange, play money)",
    Mode.LIVE: "LIVE (real orders, real money)",
}


def bot_lines(settings: Settings) -> list[str]:
    """Each bot, on or off, and what turns an off one on."""
    cities = ",".join(c.removeprefix("KXHIGH") for c in settings.weather.cities)
    weather = (
        f"weather    on  (6 pm and 8 pm New York; {cities})"
        if settings.nws.contact
        else "weather    off (set KALSHI_BOTS_NWS_CONTACT=you@example.com: NWS wants a contact)"
    )
    eth = (
        "eth-hourly on  (:45 each hour)"
        if settings.trade_eth
        else "eth-hourly off (set KALSHI_BOTS_TRADE_ETH=yes)"
    )
    return [f"btc-hourly on  (:45 each hour, budget ${settings.budget.btc_hourly}/day)", eth, weather]


def next_run_lines(jobs: frozenset[JobName], now: datetime) -> list[str]:
    """``10:45 trade-hourly-btc (in 32 min)`` per job, soonest first, in New York time."""
    upcoming = next_runs(jobs - COLLECTORS, now)
    return [
        f"{at.astimezone(NEW_YORK):%H:%M} {job.value} ({in_words((at - now).total_seconds() / 60)})"
        for job, at in sorted(upcoming.items(), key=lambda item: item[1])
    ]


def banner(settings: Settings, jobs: frozenset[JobName], now: datetime, log_file: Path | None) -> list[str]:
    where = store_label(settings)
    if settings.store.kind is StoreKind.SQLITE:
        where = f"sqlite {settings.store.sqlite_path.expanduser().resolve()}"
    lines = [
        f"kalshi-bots {__version__}: mode {MODE_WORDS[settings.mode]}",
        f"  store      {where}",
    ]
    if log_file is not None:
        lines.append(f"  JSON log   {log_file.resolve()}")
    bots = bot_lines(settings)
    lines.append(f"  bots       {bots[0]}")
    lines.extend(f"             {line}" for line in bots[1:])
    runs = next_run_lines(jobs, now)
    lines.append(
        f"  next runs  {runs[0]}  (New York time; prices every minute)" if runs else "  next runs  -"
    )
    lines.extend(f"             {line}" for line in runs[1:])
    return lines
