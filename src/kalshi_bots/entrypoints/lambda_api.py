"""The volatility API's function URL handler: the Lambda transport around the one request core the
local server uses too (:func:`kalshi_bots.entrypoints.api_routes.handle`: the bearer token first, in
constant time, with no token configured refusing everyone; then method, path, asset)."""

from __future__ import annotations

from typing import Any

from kalshi_bots.entrypoints.lambda_container import CONTAINER
from kalshi_bots.entrypoints.lambda_events import Event, http_request, http_response


def volatility_api(event: Event, context: Any) -> dict[str, Any]:
    """Function URL handler (payload format 2.0): ``GET /volatility/{BTC|ETH}`` with a bearer token. The
    request body, if any, is never looked at."""
    from kalshi_bots.entrypoints import api_routes
    from kalshi_bots.entrypoints.volatility_view import volatility_payload

    request = http_request(event)
    token = CONTAINER.api_token()

    def query(asset: Any) -> dict[str, Any] | None:
        deps = CONTAINER.deps()
        return volatility_payload(deps.store, asset, deps.clock.now())

    reply = api_routes.handle(request.method, request.path, request.authorization, token=token, query=query)
    return http_response(reply.status, reply.body, reply.headers)
