"""Kalshi Trade API v2 adapter: signing (:mod:`.auth`), lenient wire models (:mod:`.wire`), the client."""

from kalshi_bots.adapters.kalshi.auth import KalshiSigner, load_private_key_file, load_private_key_pem
from kalshi_bots.adapters.kalshi.client import DEMO_URL, PRODUCTION_URL, KalshiClient
from kalshi_bots.adapters.kalshi.wire import OrderBook

__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "KalshiClient",
    "KalshiSigner",
    "OrderBook",
    "load_private_key_file",
    "load_private_key_pem",
]
