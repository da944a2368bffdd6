"""Coinbase Exchange REST client for the :class:`~kalshi_bots.ports.feeds.PriceFeed` port.

Public endpoints only (no key). Every read goes through ``send_with_retries`` (timeouts, 429 and
5xx backoff) and every failure surfaces as a ``kalshi_bots.ports.errors`` exception.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from kalshi_bots.adapters.coinbase.parse import SERVICE, parse_candles, parse_ticker
from kalshi_bots.adapters.http import (
    DEFAULT_TIMEOUT,
    OwnedHttpClient,
    RetryPolicy,
    get_json,
)
from kalshi_bots.domain.markets import ceil_minute, require_aware
from kalshi_bots.domain.models import Asset, PriceTick

DEFAULT_BASE_URL = "https://api.exchange.coinbase.com"
DEFAULT_USER_AGENT = "kalshi-bots/0.1 (+https://github.com/kalshi-bots)"
GRANULARITY_S = 60
# The API refuses a request spanning more than 300 buckets. Whether ``end`` counts as a bucket is
# not documented, so each call asks for at most 299 minute-steps (300 buckets even if inclusive).
MAX_STEPS_PER_CALL = 299


def iso_z(moment: datetime) -> str:
    """ISO-8601 UTC with a ``Z`` suffix, the form client libraries send (feeds.md A.2)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CoinbaseClient(OwnedHttpClient):
    """``current_price`` from ``/products/{id}/ticker``; ``minute_candles`` from ``/candles``."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"coinbase base_url must be an http(s) URL, got {base_url!r}")
        if not user_agent.strip():
            raise ValueError("coinbase user_agent must not be empty")
        self._base_url = base_url.rstrip("/")
        self._retry = retry if retry is not None else RetryPolicy()
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._timeout = timeout
        self._headers = {"User-Agent": user_agent, "Accept": "application/json"}

    # -- plumbing ---------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return get_json(
            self._http,
            f"{self._base_url}{path}",
            service=SERVICE,
            policy=self._retry,
            params=params,
            headers=self._headers,
            timeout=self._timeout,
        )

    # -- PriceFeed --------------------------------------------------------------------------------

    def current_price(self, asset: Asset) -> PriceTick:
        path = f"/products/{asset.coinbase_product}/ticker"
        return parse_ticker(asset, self._get(path), f"GET {path}")

    def minute_candles(self, asset: Asset, start: datetime, end: datetime) -> list[PriceTick]:
        """Closes of the minute buckets whose START lies in ``[start, end)``, ascending.

        Ranges longer than one call allows are split; the API may return rows outside the asked
        window (feeds.md A.2), so rows are filtered and de-duplicated. Gaps are kept as gaps.
        """
        start, end = require_aware(start, "start"), require_aware(end, "end")
        if end <= start:
            return []
        path = f"/products/{asset.coinbase_product}/candles"
        first_bucket = ceil_minute(start)
        collected: dict[datetime, PriceTick] = {}
        chunk_start = first_bucket
        while chunk_start < end:
            chunk_end = min(end, chunk_start + timedelta(minutes=MAX_STEPS_PER_CALL))
            params = {"granularity": str(GRANULARITY_S), "start": iso_z(chunk_start), "end": iso_z(chunk_end)}
            for tick in parse_candles(asset, self._get(path, params), f"GET {path}"):
                if chunk_start <= tick.at < chunk_end:
                    collected[tick.at] = tick
            chunk_start = chunk_end
        return [collected[at] for at in sorted(collected)]
