"""The volatility API's one request handler, shared by the local server (:mod:`.api`) and the Lambda
function URL handler (:func:`.aws_lambda.volatility_api`), so the two cannot disagree.

Decision order, from the request line and headers only (no body is ever needed):

1. **401** unless the ``Authorization: Bearer <token>`` header matches, compared in constant time
   (:func:`hmac.compare_digest`). First, so a caller without the token learns nothing: not which
   methods, paths or assets exist. With no token configured everyone is refused, unless the local
   server was started ``--open`` on a loopback address (:func:`.api.check_exposure`).
2. **405** for any method but GET (``Allow: GET``).
3. **404** for another path (``not_found``) or asset (``unknown_asset``).
4. the query: **503** when the store cannot be read (no detail leaks), **404** ``no_data`` before the
   first collector run, else **200** with VOL/LATEST.

Every reply is a JSON object ``{"error": <code>, "message": <text>}`` unless it is the 200 payload.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kalshi_bots.domain.models import Asset
from kalshi_bots.ports.errors import StoreError

log = logging.getLogger(__name__)

# asset -> the JSON payload, or None when there is no VOL/LATEST yet. Raises StoreError when unreadable.
VolatilityQuery = Callable[[Asset], dict[str, Any] | None]
_PATH = re.compile(r"^/volatility/([A-Za-z]{1,16})/?$")
USAGE = "use GET /volatility/{asset}, asset BTC or ETH"


@dataclass(frozen=True, slots=True)
class ApiReply:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.status >= 400


def error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> ApiReply:
    return ApiReply(status, {"error": code, "message": message}, dict(headers or {}))


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` as a bearer token, in constant time."""
    if authorization is None or not token:
        return False
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def authorized(authorization: str | None, *, token: str | None, open_access: bool) -> bool:
    """No token configured: only an explicitly open (loopback-only) server lets anyone in."""
    if token is None:
        return open_access
    return token_matches(authorization, token)


def handle(
    method: str,
    target: str,
    authorization: str | None,
    *,
    token: str | None,
    query: VolatilityQuery,
    open_access: bool = False,
) -> ApiReply:
    """The reply to one request (``target`` may carry a query string; it is ignored)."""
    if not authorized(authorization, token=token, open_access=open_access):
        why = "missing" if not authorization else "wrong"
        challenge = {"WWW-Authenticate": 'Bearer realm="kalshi-bots"'}
        return error(401, "unauthorized", f"{why} bearer token", challenge)
    if method != "GET":
        shown = method if method.isalpha() and len(method) <= 16 else "this method"
        return error(405, "method_not_allowed", f"{shown} is not supported; use GET", {"Allow": "GET"})
    match = _PATH.match(target.split("?", 1)[0])
    if match is None:
        return error(404, "not_found", USAGE)
    try:
        asset = Asset(match.group(1).upper())
    except ValueError:
        return error(404, "unknown_asset", f"no asset {match.group(1)!r}; use BTC or ETH")
    try:
        payload = query(asset)
    except StoreError as exc:
        log.error("volatility query failed", extra={"asset": asset.value, "reason": str(exc)})
        return error(503, "store_unavailable", "the store cannot be read right now")
    if payload is None:
        return error(404, "no_data", f"no volatility for {asset.value} yet")
    return ApiReply(200, payload)
