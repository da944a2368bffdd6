"""Kalshi request signing (reference kalshi-api.md §2).

message   = str(timestamp_ms) + METHOD + path      (path includes ``/trade-api/v2``, no query string)
signature = RSA-PSS(SHA-256, MGF1-SHA-256, salt = digest length)  for RSA keys
            Ed25519                                                for Ed25519 keys
headers   = KALSHI-ACCESS-KEY, KALSHI-ACCESS-SIGNATURE (standard base64), KALSHI-ACCESS-TIMESTAMP

The private key never leaves :class:`KalshiSigner`: no repr, error message or log line contains it
(nor a "path" that is really key material pasted in the wrong place). A key file that group or others
can access is refused when the caller asks for that (live money) and logged as a warning otherwise.
:func:`verify_signature` is the server side of the same scheme, used by the sandbox fake.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from kalshi_bots.domain.redaction import HIDDEN, looks_like_key_material
from kalshi_bots.ports.errors import AuthError

log = logging.getLogger(__name__)

SERVICE = "kalshi"
HEADER_KEY = "KALSHI-ACCESS-KEY"
HEADER_SIGNATURE = "KALSHI-ACCESS-SIGNATURE"
HEADER_TIMESTAMP = "KALSHI-ACCESS-TIMESTAMP"

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def signing_message(timestamp_ms: int | str, method: str, path: str) -> bytes:
    """The exact bytes Kalshi signs. ``path`` loses any query string here, whatever the caller passed."""
    return f"{timestamp_ms}{method.upper()}{path.split('?', 1)[0]}".encode()


def _parse_pem(data: bytes) -> PrivateKey:
    """The key, or ValueError with a reason that never quotes the input."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # Keep only the exception class: the library message could in principle echo input bytes.
        raise ValueError(f"not an unencrypted PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"key type {type(key).__name__} is not supported (only RSA and Ed25519)")
    return key


def load_private_key_pem(pem: str | bytes, *, source: str) -> PrivateKey:
    """Parse PEM text (PKCS#8 or traditional RSA). ``source`` names where it came from, for errors."""
    try:
        return _parse_pem(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        raise AuthError(SERVICE, f"cannot read Kalshi private key from {source}: {exc}") from None


def shared_access_mode(path: Path) -> int | None:
    """The file's permission bits when group or others have any access to it, else None (POSIX)."""
    if os.name != "posix":
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode if mode & 0o077 else None


def load_private_key_file(path: str | Path, *, refuse_shared: bool = False) -> PrivateKey:
    """Read a PEM key file; every failure is an AuthError naming the path and the reason.

    ``refuse_shared``: a file accessible by group or others is an AuthError (live mode); otherwise
    it is loaded with a warning."""
    file = Path(path)
    where = HIDDEN if looks_like_key_material(str(path)) else str(file)
    try:
        data = file.read_bytes()
        exposed = shared_access_mode(file)
    except OSError as exc:
        raise AuthError(
            SERVICE, f"cannot read Kalshi private key file {where}: {exc.strerror or type(exc).__name__}"
        ) from None
    if exposed is not None:
        advice = f"the key file {where} is accessible by group or others (mode {exposed:04o}): chmod 600 it"
        if refuse_shared:
            raise AuthError(SERVICE, f"refusing to sign with it: {advice}")
        log.warning("kalshi key file too open", extra={"reason": advice})
    try:
        return _parse_pem(data)
    except ValueError as exc:
        raise AuthError(SERVICE, f"cannot read Kalshi private key file {where}: {exc}") from None


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class KalshiSigner:
    """Signs requests with one API key. ``repr`` shows the key id and algorithm, never the key."""

    __slots__ = ("_clock_ms", "_key", "key_id")

    def __init__(
        self, key_id: str, private_key: PrivateKey, *, clock_ms: Callable[[], int] = _now_ms
    ) -> None:
        if not key_id.strip():
            raise AuthError(SERVICE, "Kalshi API key id is empty (set KALSHI_BOTS_KALSHI_API_KEY_ID)")
        self.key_id = key_id
        self._key = private_key
        self._clock_ms = clock_ms

    @classmethod
    def from_file(cls, key_id: str, path: str | Path, *, refuse_shared: bool = False) -> KalshiSigner:
        return cls(key_id, load_private_key_file(path, refuse_shared=refuse_shared))

    @classmethod
    def from_pem(cls, key_id: str, pem: str | bytes, *, source: str = "PEM text") -> KalshiSigner:
        return cls(key_id, load_private_key_pem(pem, source=source))

    @property
    def algorithm(self) -> str:
        return "RSA-PSS" if isinstance(self._key, rsa.RSAPrivateKey) else "Ed25519"

    def sign(self, message: bytes) -> str:
        if isinstance(self._key, rsa.RSAPrivateKey):
            raw = self._key.sign(message, _pss(), hashes.SHA256())
        else:
            raw = self._key.sign(message)
        return base64.b64encode(raw).decode("ascii")

    def headers(self, method: str, path: str, *, timestamp_ms: int | None = None) -> dict[str, str]:
        """The three auth headers for one attempt; a fresh timestamp unless one is given."""
        ts = self._clock_ms() if timestamp_ms is None else timestamp_ms
        return {
            HEADER_KEY: self.key_id,
            HEADER_SIGNATURE: self.sign(signing_message(ts, method, path)),
            HEADER_TIMESTAMP: str(ts),
        }

    def __repr__(self) -> str:
        return f"KalshiSigner(key_id={self.key_id!r}, algorithm={self.algorithm!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would serialise the key object; nothing in this system needs it, so refuse.
        raise TypeError("KalshiSigner cannot be pickled (it holds a private key)")


def verify_signature(
    public_key: PublicKey, timestamp_ms: str, method: str, path: str, signature_b64: str
) -> bool:
    """True when ``signature_b64`` signs ``timestamp_ms + method + path`` with ``public_key``."""
    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    message = signing_message(timestamp_ms, method, path)
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(raw, message, _pss(), hashes.SHA256())
        else:
            public_key.verify(raw, message)
    except InvalidSignature:
        return False
    return True


__all__ = [
    "HEADER_KEY",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "KalshiSigner",
    "PrivateKey",
    "PublicKey",
    "load_private_key_file",
    "load_private_key_pem",
    "signing_message",
    "verify_signature",
]
