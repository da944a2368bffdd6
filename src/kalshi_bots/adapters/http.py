"""Shared HTTP plumbing for every client: timeouts, capped exponential backoff with jitter, the run
deadline, and the mapping of transport/status failures onto :mod:`kalshi_bots.ports.errors`.

Only *safe* requests go through :func:`send_with_retries`. An order POST must not: it goes out once
through :func:`send_once`, and its caller resolves an unknown outcome by looking the order up (see the
Kalshi client).

Every request respects the current run's deadline (:mod:`kalshi_bots.ports.deadline`, set by the
runner): an attempt does not start with less than :data:`MIN_ATTEMPT_S` left, a backoff sleep that
would end past the deadline is not taken (the loop gives up at once instead), and each request's
connect/read/write/pool timeouts are capped by the time left when it starts. The window that remains:
httpx's read timeout applies per read, so a server trickling bytes can outlast the cap of one request
by a few reads; nothing outside HTTP (a DynamoDB call) is bounded here.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

from kalshi_bots.ports.deadline import Deadline, current_deadline
from kalshi_bots.ports.errors import (
    AuthError,
    ExternalServiceError,
    MalformedResponseError,
    NotFoundError,
    RejectedError,
    TransientError,
)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})  # 408: the server gave up waiting
# An attempt with less time than this before the run deadline would only time out: not started.
MIN_ATTEMPT_S = 0.2
_TIMEOUT_KEYS = ("connect", "read", "write", "pool")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # total tries, first one included
    base_delay_s: float = 0.25
    max_delay_s: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Full-jitter backoff for ``attempt`` (1-based), honouring a server's Retry-After."""
        cap = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        jittered = self.rng.uniform(0, cap)
        if retry_after_s is not None:
            return min(self.max_delay_s, max(retry_after_s, jittered))
        return jittered


NO_RETRY = RetryPolicy(attempts=1)


def retry_after_seconds(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def cap_timeout(request: httpx.Request, left_s: float) -> None:
    """Cap every timeout of ``request`` at ``left_s`` seconds (httpx keeps them in its extensions)."""
    current = request.extensions.get("timeout") or {}
    capped = {}
    for key in _TIMEOUT_KEYS:
        value = current.get(key)
        capped[key] = left_s if value is None else min(float(value), left_s)
    request.extensions["timeout"] = capped


def _time_left(deadline: Deadline | None) -> float | None:
    return None if deadline is None else deadline.remaining()


def pause(policy: RetryPolicy, delay_s: float) -> bool:
    """Sleep ``delay_s`` before another attempt, unless that would leave less than an attempt's worth
    of the run deadline: then return False at once (the caller stops retrying)."""
    left = _time_left(current_deadline())
    if left is not None and delay_s + MIN_ATTEMPT_S > left:
        return False
    policy.sleep(delay_s)
    return True


def send_once(client: httpx.Client, request: httpx.Request, *, service: str) -> httpx.Response:
    """Send ``request`` once (an order POST), its timeouts capped by the run deadline. With the
    deadline (nearly) reached it is not sent at all: TransientError, and no byte left this process."""
    left = _time_left(current_deadline())
    if left is not None:
        if left < MIN_ATTEMPT_S:
            raise TransientError(
                service, f"{request.method} {request.url.path} not sent: the run deadline is reached"
            )
        cap_timeout(request, left)
    return client.send(request)


def send_with_retries(
    client: httpx.Client,
    build_request: Callable[[], httpx.Request],
    *,
    service: str,
    policy: RetryPolicy,
) -> httpx.Response:
    """Send a safe (idempotent) request; retry transport errors, 429 and 5xx, within the run deadline.

    ``build_request`` is called per attempt so signatures/timestamps are fresh each time.
    Returns the first non-retryable response; raises TransientError when attempts or time run out.
    """
    last_problem = "no attempt made"
    deadline = current_deadline()
    for attempt in range(1, policy.attempts + 1):
        request = build_request()
        left = _time_left(deadline)
        if left is not None and left < MIN_ATTEMPT_S:
            where = f"{request.method} {request.url.path}"
            done = f" after {attempt - 1} attempts ({last_problem})" if attempt > 1 else ", not attempted"
            raise TransientError(service, f"{where}: the run deadline is reached{done}")
        if left is not None:
            cap_timeout(request, left)
        try:
            response = client.send(request)
        except httpx.TimeoutException as exc:
            last_problem = f"timeout on {request.method} {request.url.path} ({type(exc).__name__})"
            retry_after = None
        except httpx.TransportError as exc:
            last_problem = f"connection error on {request.method} {request.url.path}: {exc}"
            retry_after = None
        else:
            if response.status_code not in RETRYABLE_STATUS:
                return response
            last_problem = f"HTTP {response.status_code} on {request.method} {request.url.path}"
            retry_after = retry_after_seconds(response)
        if attempt < policy.attempts and not pause(policy, policy.delay(attempt, retry_after)):
            raise TransientError(
                service,
                f"{last_problem}; stopped after {attempt} attempts: a retry would cross the run deadline",
            )
    raise TransientError(service, f"{last_problem}, after {policy.attempts} attempts")


def error_message(body: Any) -> tuple[str, str]:
    """(code, message) from an error body, wrapped ``{"error": {...}}`` or flat ``{...}``."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            code = str(inner.get("code", "") or "")
            message = str(inner.get("message", "") or inner.get("details", "") or "")
            detail = inner.get("detail") or inner.get("title")
            if not message and detail:
                message = str(detail)
            return code, message
        if isinstance(inner, str):
            return "", inner
    return "", ""


def raise_for_status(response: httpx.Response, service: str) -> None:
    """Map a non-2xx response onto the port error tree (after retries were exhausted or skipped)."""
    status = response.status_code
    if status < 400:
        return
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text[:200]
    code, message = error_message(body)
    where = f"{response.request.method} {response.request.url.path}"
    text = f"HTTP {status} on {where}" + (f": {code}" if code else "") + (f" {message}" if message else "")
    if status in (401, 403):
        raise AuthError(service, text)
    if status == 404:
        raise NotFoundError(service, text)
    if status in RETRYABLE_STATUS:
        raise TransientError(service, text)
    raise RejectedError(service, text, code=code, status=status)


def json_body(response: httpx.Response, service: str) -> Any:
    """Parse JSON or raise MalformedResponseError naming the request."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{response.request.method} {response.request.url.path}"
        raise MalformedResponseError(
            service, f"reply to {where} is not JSON ({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from exc


class OwnedHttpClient:
    """``close()`` and ``with`` support for a client that may own its ``httpx.Client``: one it was
    handed (tests, shared pools) is left open for its owner."""

    _http: httpx.Client
    _owns_http: bool

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def get_json(
    client: httpx.Client,
    url: str,
    *,
    service: str,
    policy: RetryPolicy,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: httpx.Timeout | float | None = None,
) -> Any:
    """A safe GET with retries, the error mapping and JSON parsing: what every read of a public API
    needs (Coinbase, NWS). Each attempt is built afresh."""

    def build() -> httpx.Request:
        return client.build_request("GET", url, params=params, headers=headers, timeout=timeout)

    response = send_with_retries(client, build, service=service, policy=policy)
    raise_for_status(response, service)
    return json_body(response, service)


__all__ = [
    "DEFAULT_TIMEOUT",
    "NO_RETRY",
    "ExternalServiceError",
    "OwnedHttpClient",
    "RetryPolicy",
    "get_json",
    "json_body",
    "pause",
    "raise_for_status",
    "send_once",
    "send_with_retries",
]
