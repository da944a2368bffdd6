"""The model-vs-market scorecard, as the dashboard shows it.

Not built yet: the ``kalshi-bots scorecard`` command (a later issue) will score the models against the
market's own prices on settled trades and store its latest result as the ``scorecard``/``latest``
document. This module is the one place the dashboard reads it from; until that command exists the
document is absent and the dashboard says "no scorecard yet".

Document format (JSON), for whoever writes it::

    {"generated_at": "2026-11-29T21:00:00+00:00",
     "rows": [{"label": "btc-hourly", "model": 0.302, "market": 0.306, "n": 412}, ...],
     "metric": "log loss (lower is better)"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kalshi_bots.ports.store import Store

DOC_KIND = "scorecard"
DOC_KEY = "latest"


@dataclass(frozen=True, slots=True)
class Scorecard:
    generated_at: str
    metric: str
    rows: tuple[dict[str, Any], ...]


def latest_scorecard(store: Store) -> Scorecard | None:
    """The latest stored scorecard, or None while none exists (the dashboard says so)."""
    text = store.get_doc(DOC_KIND, DOC_KEY)
    if text is None:
        return None
    raw = json.loads(text)
    return Scorecard(
        generated_at=str(raw.get("generated_at", "")),
        metric=str(raw.get("metric", "")),
        rows=tuple(r for r in raw.get("rows", []) if isinstance(r, dict)),
    )
