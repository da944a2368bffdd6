"""The dashboard's operations cards: the kill switch (with its halt/resume form), job health and the
volatility feed, i.e. whether the bots can and do run, as opposed to what they made."""

from __future__ import annotations

from datetime import datetime
from html import escape

from kalshi_bots.domain.models import RunStatus
from kalshi_bots.entrypoints.dashboard_data import DashboardData, JobRow, VolRow
from kalshi_bots.entrypoints.dashboard_html import age, join_rows, ny, table
from kalshi_bots.entrypoints.next_runs import in_words


def kill_switch_card(data: DashboardData, csrf: str) -> str:
    token = f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
    if data.kill_switch:
        state = (
            '<span class="bad" id="kill-switch" data-on="1">ON</span> '
            f'<span class="dim">{escape(data.kill_switch)}</span>'
        )
        action = (
            f'<form class="inline" method="post" action="/resume">{token}'
            '<button class="ok" id="resume">Resume trading</button></form>'
        )
    else:
        state = (
            '<span class="good" id="kill-switch" data-on="0">off</span> '
            '<span class="dim">trading allowed</span>'
        )
        action = (
            f'<form class="inline" method="post" action="/halt">{token}'
            '<input name="reason" placeholder="reason (optional)" maxlength="120"> '
            '<button class="danger" id="halt">Halt all trading</button></form>'
        )
    return f'<div class="card"><h2>Kill switch</h2><div class="switch">{state} {action}</div></div>'


_RUN_CSS = {RunStatus.OK: "good", RunStatus.ERROR: "bad", RunStatus.ERROR_TRANSIENT: "bad"}


def job_row(row: JobRow, now: datetime) -> str:
    last = row.last
    outcome = "–" if last is None else last.outcome.value
    css = "" if last is None else _RUN_CSS.get(last.outcome, "")
    streak = row.streak
    streak_text = f"{streak.count} {streak.kind}" if streak.count and streak.kind else "–"
    streak_css = "bad" if streak.failing else ("warn" if streak.count else "")
    until = "" if row.next_run is None else f" ({in_words((row.next_run - now).total_seconds() / 60)})"
    detail = "" if last is None or not last.detail else last.detail[:80]
    return (
        f'<tr data-job="{escape(row.job)}"><td>{escape(row.job)}</td>'
        f"<td>{escape(ny(None if last is None else last.scheduled_for))}</td>"
        f'<td class="{css}" title="{escape(detail)}">{escape(outcome)}</td>'
        f"<td>{escape(ny(row.next_run, '%H:%M'))}{escape(until)}</td>"
        f'<td class="{streak_css}">{escape(streak_text)}</td></tr>'
    )


def jobs_card(data: DashboardData) -> str:
    return (
        '<div class="card"><h2>Job health</h2>'
        + table(
            ["job", "last run (NY)", "outcome", "next run (NY)", "streak"],
            join_rows(job_row(j, data.now) for j in data.jobs),
            "jobs",
            "no runs yet",
        )
        + "</div>"
    )


def vol_row(row: VolRow) -> str:
    snap = row.snapshot
    window = None if snap is None else snap.window(15)
    std = "–" if window is None or window.std_pct is None else f"{window.std_pct:.3f}%"
    price = "–" if snap is None or snap.last_price is None else f"${snap.last_price:,.2f}"
    stale = row.age_s is not None and row.age_s > 180
    return (
        f'<tr><td>{escape(row.asset.value)}</td><td class="num">{std}</td>'
        f'<td class="num">{escape(price)}</td>'
        f'<td class="{"warn" if stale else ""}">{escape(age(row.age_s))}</td></tr>'
    )


def vols_card(data: DashboardData) -> str:
    return (
        '<div class="card"><h2>Volatility (15-minute sd)</h2>'
        + table(
            ["asset", ">vol 15m", ">last price", "updated"],
            join_rows(vol_row(v) for v in data.vols),
            "vols",
            "",
        )
        + "</div>"
    )
