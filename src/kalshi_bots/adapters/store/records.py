"""Key layout shared by every store backend, so the same question gets the same answer everywhere.

Tables and keys (the spec's schema section; the budget table's layout is ours):

``BTCPriceHistory`` / ``ETHPriceHistory``
    ``pk=PRICE, sk=2025-12-11T01:45:00+00:00`` (minute, explicit offset): ``price``, ``expires_at``.
    ``pk=VOL, sk=LATEST``: ``vol_{w}m_{std,range,max_move,samples}``, ``computed_at``, ``last_price``
    and the trailing window packed into one binary attribute (see :mod:`.codec`).
``BTCTradeLog``
    ``pk=TRADE, sk=<created_at with microseconds and offset>#<client_order_id>``. Only trades live in
    this table, so the spec's ``scan`` and ``begins_with(sk, date)`` queries return trades only.
``KalshiTradingBudget``
    ``BUDGET#<day>`` / ``BOT#<bot>``, ``GLOBAL``, ``RES#<reservation_id>``; ``PNL#<day>`` / ``<key>``;
    ``FLAG`` / ``<name>``; ``JOBRUN`` / ``<job>#<scheduled_for>``; ``DOC#<kind>`` / ``<key>``;
    ``ORDER#<client_order_id>`` / ``ORDER`` (the idempotency marker of a trade, holding its sk);
    ``OPENTRADE`` / ``<trade sk>`` (index of unsettled trades, so reconcile never reads old ones).
    Job-run rows carry ``expires_at`` (TTL, a week) so the table does not grow without bound.
    The market recorder's items (:mod:`.snapshot_codec`): ``SNAP#<trigger>`` / ``<scheduled minute>#
    <event>#<bot>`` (one ladder snapshot) and ``SNAPEVENT`` / ``<close_time>#<event>`` (a recorded event
    and, once settled, its results); both carry ``expires_at`` (``KALSHI_BOTS_RECORDER_TTL_DAYS``).

What the hourly cleanup (``delete_prices_before``) does on each backend:
    memory, SQLite: deletes exactly the price rows older than the cutoff (SQLite, having no TTL, also
    drops job-run rows whose ``expires_at`` has passed). DynamoDB: price rows carry ``expires_at``
    (minute + 180 min, the cleanup's default retention), so DynamoDB's TTL deletes them for free;
    the cleanup's query then finds nothing (1 read unit) and pays only for rows TTL has not reached
    yet. ``bench/bench_store_costs.py`` prints both cases.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from kalshi_bots.domain.markets import ceil_minute, floor_minute, require_aware
from kalshi_bots.domain.models import Bot, RunStatus, TradeStatus

PRICE_PK = "PRICE"
VOL_PK = "VOL"
VOL_SK = "LATEST"
TRADE_PK = "TRADE"
FLAG_PK = "FLAG"
JOBRUN_PK = "JOBRUN"
OPEN_TRADE_PK = "OPENTRADE"
SNAP_PK_PREFIX = "SNAP#"
SNAPEVENT_PK = "SNAPEVENT"
GLOBAL_SK = "GLOBAL"
ORDER_SK = "ORDER"
# A run finished with this outcome may be claimed again: it failed before doing anything irreversible,
# so a platform retry of the same scheduled run may proceed.
RETRYABLE_OUTCOME = RunStatus.ERROR_TRANSIENT

# Price rows older than this are removed by DynamoDB's TTL (free) rather than by paid deletes. It
# matches the cleanup job's default retention (180 minutes, above the longest 120-minute window), so
# the hourly cleanup finds only rows TTL has not got round to yet.
PRICE_TTL = timedelta(minutes=180)
JOBRUN_TTL = timedelta(days=7)


# ``value`` in UTC; a naive datetime is a bug upstream, refused instead of guessed (a ValueError).
as_utc = require_aware


def to_minute(value: datetime, what: str = "price time") -> datetime:
    return floor_minute(value, what)


def price_sk(at: datetime) -> str:
    """``2025-12-11T01:45:00+00:00``: the minute, seconds shown, explicit offset."""
    return to_minute(at).isoformat(timespec="seconds")


def iso_micro(value: datetime, what: str) -> str:
    """Fixed-width UTC ISO form, so string order is time order (used in keys and lease checks)."""
    return as_utc(value, what).isoformat(timespec="microseconds")


def parse_iso(text: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what}: not an ISO-8601 timestamp: {text!r}") from exc
    return as_utc(parsed, what)


def trade_sk(created_at: datetime, client_order_id: str) -> str:
    if not client_order_id or "#" in client_order_id:
        raise ValueError(f"client_order_id must be non-empty and contain no '#': {client_order_id!r}")
    return f"{iso_micro(created_at, 'trade created_at')}#{client_order_id}"


def created_at_from_sk(sk: str) -> datetime:
    return parse_iso(sk.split("#", 1)[0], f"trade sk {sk!r}")


def day_prefix(day: date) -> str:
    return day.isoformat()


def budget_pk(day: date) -> str:
    return f"BUDGET#{day.isoformat()}"


def bot_sk(bot: Bot) -> str:
    return f"BOT#{bot}"


def reservation_sk(reservation_id: str) -> str:
    return f"RES#{reservation_id}"


def pnl_pk(day: date) -> str:
    return f"PNL#{day.isoformat()}"


def jobrun_sk(job: str, scheduled_for: datetime) -> str:
    """``<job>#<scheduled_for>``: all runs share one partition, so ``last_runs`` can skip from job
    to job with tiny queries instead of scanning the table."""
    if not job or "#" in job:
        raise ValueError(f"job name must be non-empty and contain no '#': {job!r}")
    return f"{job}#{iso_micro(scheduled_for, 'scheduled_for')}"


def jobrun_expires_at(scheduled_for: datetime, ttl: timedelta = JOBRUN_TTL) -> int:
    """Job-run rows are bookkeeping: TTL removes them a week later (the latest run stays visible
    as long as the job keeps running)."""
    return int((as_utc(scheduled_for, "scheduled_for") + ttl).timestamp())


def doc_pk(kind: str) -> str:
    return f"DOC#{kind}"


def order_pk(client_order_id: str) -> str:
    return f"ORDER#{client_order_id}"


def expires_at(at: datetime, ttl: timedelta = PRICE_TTL) -> int:
    """TTL attribute value (epoch seconds) for a price row taken at ``at``."""
    return int((to_minute(at) + ttl).timestamp())


def check_positive(amount: object, what: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"{what} must be a positive finite Decimal (got {amount!r})")


def check_not_negative(amount: object, what: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a finite Decimal >= 0 (got {amount!r})")


def reservation_id_from_sk(sk: str) -> str:
    return sk.removeprefix("RES#")


def claimable(outcome: RunStatus, lease_until: datetime, now: datetime) -> bool:
    """An existing run row may be (re)claimed: retryable, or still running with a lapsed lease."""
    return outcome is RETRYABLE_OUTCOME or (outcome is RunStatus.RUNNING and lease_until <= now)


def is_open(status: TradeStatus, settlement_result: str | None) -> bool:
    """Not yet settled: pending, or executed without a settlement result."""
    return status is TradeStatus.PENDING or (status is TradeStatus.EXECUTED and settlement_result is None)


def price_sk_range(start: datetime, end: datetime) -> tuple[str, str] | None:
    """Inclusive sk bounds of the minute rows with start <= at < end, or None when there are none.

    Rows sit on whole minutes, so comparing with the next whole minute is exact, and the bounds
    have the rows' own format (string order = time order).
    """
    first = ceil_minute(start, "start")
    last = ceil_minute(end, "end") - timedelta(minutes=1)
    if last < first:
        return None
    return price_sk(first), price_sk(last)


def price_sk_before(cutoff: datetime) -> str:
    """Rows strictly older than ``cutoff`` are exactly those with sk < this."""
    return price_sk(ceil_minute(cutoff, "cutoff"))
