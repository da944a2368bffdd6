"""Kalshi Trade API v2 adapter: signing (:mod:`.auth`), lenient wire models (:mod:`.wire`), the client.

The names below are imported on first use (PEP 562), so importing the client for an unsigned paper
run does not load the signer's cryptography.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kalshi_bots.adapters.kalshi.auth import KalshiSigner, load_private_key_file, load_private_key_pem
    from kalshi_bots.adapters.kalshi.client import DEMO_URL, PRODUCTION_URL, KalshiClient

_HOME = {
    "KalshiSigner": "auth",
    "load_private_key_file": "auth",
    "load_private_key_pem": "auth",
    "DEMO_URL": "client",
    "PRODUCTION_URL": "client",
    "KalshiClient": "client",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "KalshiClient",
    "KalshiSigner",
    "load_private_key_file",
    "load_private_key_pem",
]
