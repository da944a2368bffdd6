"""Recognising key material in text that is about to be shown (an error message, a settings listing).

A setting, a path or a log field must never echo a private key. Values that *look* like one are
hidden even where a key is not expected (PEM pasted into a path variable is the common mistake), so
the rule is deliberately broad: a PEM armour line, the words ``PRIVATE KEY``, a line break (no
setting of ours spans lines), or a long unbroken base64 run (a key body without its armour).
"""

from __future__ import annotations

import re

_LONG_BASE64 = re.compile(r"[A-Za-z0-9+/]{64,}={0,2}")
HIDDEN = "(hidden: looks like key material)"


def looks_like_key_material(text: str) -> bool:
    if "-----BEGIN" in text or "-----END" in text or "PRIVATE KEY" in text.upper():
        return True
    if "\n" in text.strip() or "\r" in text.strip():
        return True
    return any(_is_base64_blob(match.group()) for match in _LONG_BASE64.finditer(text))


def _is_base64_blob(run: str) -> bool:
    """A key body mixes cases and digits with a '/' only every ~64 characters; a path made of plain
    words has a '/' every few characters (and '.', '-' or '_' break most runs before they get long)."""
    mixed = any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)
    return mixed and len(run) / (run.count("/") + 1) >= 16


def shown(text: str) -> str:
    """``repr(text)`` for a message, or a placeholder when it looks like key material."""
    return HIDDEN if looks_like_key_material(text) else repr(text)
