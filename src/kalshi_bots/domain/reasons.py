"""Every reason a run, a decision or an order can give, as values (one family, one module).

- :class:`NoTradeReason`: a deliberate refusal to trade (outcome ``no-trade``; not a fault).
- :class:`ErrorReason`: why a run failed (outcome ``error``).
- :class:`RunReason`: a run that neither traded, refused nor failed (skipped, nothing to do).
- :class:`OrderReason`: what became of an order that was sent (a trade record's reason).
- :class:`PriceProblem`: why the collector did not store a price.
- :class:`ServiceFailure`: an outside service's error the runner has no better word for
  (``kalshi_AuthError``: the service and the error type).

The string values are what results, logs, job-run rows and trade records have always carried: they
are stored, so a value never changes. Two families share ``invalid_input`` (a refusal on bad data, an
error of a run on bad data): equal strings, different meanings in their outcome. Text read back from a
log or a job-run row becomes a value again with :func:`parse_reason`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias


class NoTradeReason(StrEnum):
    EXCHANGE_CLOSED = "exchange_closed"
    SHARD_CLOSED = "shard_closed"
    VOL_STALE = "vol_stale"
    VOL_INSUFFICIENT = "vol_insufficient"
    PRICE_STALE = "price_stale"
    EVENT_MISSING = "event_missing"
    NO_QUALIFYING_STRIKE = "no_qualifying_strike"
    NO_QUOTE = "no_quote"
    FEE_TYPE_UNKNOWN = "fee_type_unknown"
    EDGE_TOO_SMALL = "edge_too_small"
    SIZE_ZERO = "size_zero"
    BUDGET_EXCEEDED = "budget_exceeded"
    LOSS_LIMIT = "loss_limit"
    KILL_SWITCH = "kill_switch"
    ALREADY_TRADED = "already_traded"
    INVALID_INPUT = "invalid_input"
    CLOSE_TIME_MISMATCH = "close_time_mismatch"
    # When the run happened (under a minute before the close), and the input sanity rules of
    # domain/sanity.py: data the collector would reject, or that cannot be what it claims to be.
    TOO_LATE = "too_late"
    SPOT_DISAGREES = "spot_disagrees"
    FUTURE_TIMESTAMP = "future_timestamp"
    STRIKES_IMPLAUSIBLE = "strikes_implausible"
    FOREIGN_MARKET = "foreign_market"
    PRICE_OFF_TICK = "price_off_tick"
    # A feed answered with data too old to act on (the runner's mapping of StaleDataError).
    STALE_DATA = "stale_data"
    # The weather bot's own (domain/weather_decision.py and the job's data fetches).
    STATION_MISMATCH = "station_mismatch"
    FORECAST_STALE = "forecast_stale"
    WEATHER_DATA_UNAVAILABLE = "weather_data_unavailable"
    MARKET_DATA_UNAVAILABLE = "market_data_unavailable"
    OUTSIDE_HORIZON = "outside_horizon"  # an event neither today's nor tomorrow's (the backtest can ask)
    NO_EVENTS = "no_events"  # no open event of today or tomorrow in any configured city
    # Live mode only: the bot's scorecard does not show the model beating the market (domain/edge_gate.py).
    NO_EDGE_EVIDENCE = "no_edge_evidence"


class ErrorReason(StrEnum):
    """Why a run ended in ``error``. ``transient`` on the result says whether a retry may help."""

    STORE_UNAVAILABLE = "store_unavailable"  # the store failed: no order (or, after one, see placement)
    TRANSIENT_ERROR = "transient_error"  # timeouts, 5xx, 429 after the retries
    ORDER_OUTCOME_UNKNOWN = "order_outcome_unknown"  # sent, no definite answer: pending for reconcile
    ORDER_REJECTED = "order_rejected"  # the exchange refused the order (its code and message say why)
    RECORD_UPDATE_FAILED = "record_update_failed"  # the order's outcome is known, its record not updated
    INVALID_INPUT = "invalid_input"  # a DomainError escaped the job (bad data it could not refuse)
    INVALID_CONFIG = "invalid_config"
    UNEXPECTED_ERROR = "unexpected_error"  # a bug: logged with its traceback
    ALREADY_FAILED = "already_failed"  # a retry of a run that failed for good: not run again
    PARTIAL = "partial"  # reconcile: some lookups failed (retried next run)
    RECORDER_INCOMPLETE = "recorder_incomplete"  # the market recorder missed a ladder or a settlement


class RunReason(StrEnum):
    """A run that did not trade, refuse or fail."""

    ALREADY_CLAIMED = "already_claimed"  # another trigger holds or finished this run (skipped)
    OUT_OF_ORDER = "out_of_order"  # a collector run older than VOL/LATEST (skipped)
    NOTHING_TO_RECORD = "nothing_to_record"  # the recorder's minute had nothing to record or settle
    RECORDER_OFF = "recorder_off"  # this store keeps no snapshots


class OrderReason(StrEnum):
    """What became of a sent order, when it is not simply "filled" (trade records, results)."""

    NOT_FILLED = "not_filled"  # the IOC found nothing at our price
    ORDER_NOT_FOUND = "order_not_found"  # reconcile: never reached the exchange


class PriceProblem(StrEnum):
    """Why the collector does not store a price (the values are the reasons it logs)."""

    INVALID = "price_invalid"
    JUMP = "price_jump"
    STALE = "price_stale"
    FUTURE = "price_future"


class ServiceFailure(str):
    """An outside service refused or garbled a request (``kalshi`` + ``AuthError``): the runner's word
    for an error no rule above names. Like every reason it is its text (``kalshi_AuthError``), as
    results, logs and job-run rows have always spelt it."""

    service: str
    error: str

    def __new__(cls, service: str, error: str) -> ServiceFailure:
        failure = super().__new__(cls, f"{service}_{error}")
        failure.service, failure.error = service, error
        return failure

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"ServiceFailure({self.service!r}, {self.error!r})"


Reason: TypeAlias = NoTradeReason | ErrorReason | RunReason | OrderReason | PriceProblem | ServiceFailure
# Text -> value; a value two families share (``invalid_input``) reads as the first (same words either way).
_BY_VALUE: dict[str, Reason] = {}
for _member in (*NoTradeReason, *ErrorReason, *RunReason, *OrderReason, *PriceProblem):
    _BY_VALUE.setdefault(_member.value, _member)


def parse_reason(text: str) -> Reason | None:
    """The reason a result, log line or job-run row spelt as ``text`` (its code: the part before any
    ``":"``), or None for no reason. A code no family knows is a :class:`ServiceFailure` when it reads
    like one (``service_ErrorType``), else None."""
    code = text.split(":", 1)[0].strip()
    if not code:
        return None
    known = _BY_VALUE.get(code)
    if known is not None:
        return known
    service, _, error = code.partition("_")
    if service and error[:1].isupper():
        return ServiceFailure(service, error)
    return None
