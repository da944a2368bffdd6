"""The fake Kalshi's signature check: the server side of reference §2.

A request passes when all three KALSHI-ACCESS-* headers are present, the key id is registered, the
timestamp (Unix ms) is within ``max_skew_ms`` of the server clock, and the signature verifies over
``timestamp + METHOD + path`` where ``path`` is the request path as received (``/trade-api/v2/...``,
no query string). Kalshi does not document its tolerance; 5 s is the fake's default (our choice).
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kalshi_bots.adapters.kalshi.auth import (
    HEADER_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PublicKey,
    verify_signature,
)
from kalshi_bots.sandbox.server import Request


def signature_problem(
    request: Request, keys: Mapping[str, PublicKey], *, now_ms: int, max_skew_ms: int
) -> str:
    """Why ``request`` is not properly signed, or "" when it is."""
    key_id = request.headers.get(HEADER_KEY.lower())
    signature = request.headers.get(HEADER_SIGNATURE.lower())
    timestamp = request.headers.get(HEADER_TIMESTAMP.lower())
    if not (key_id and signature and timestamp):
        return "missing KALSHI-ACCESS-* headers"
    public_key = keys.get(key_id)
    if public_key is None:
        return f"unknown API key id {key_id}"
    if not timestamp.isdigit():
        return "KALSHI-ACCESS-TIMESTAMP must be Unix milliseconds"
    if abs(now_ms - int(timestamp)) > max_skew_ms:
        return f"stale timestamp (more than {max_skew_ms} ms from server time)"
    if not verify_signature(public_key, timestamp, request.method, request.path, signature):
        return "invalid signature"
    return ""


def new_key_pair() -> tuple[PublicKey, str]:
    """A fresh Ed25519 key (fast to make): the public half and the private PKCS#8 PEM text."""
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key.public_key(), pem.decode("ascii")
