"""The notifier port: where alerts go (webhooks in production, a list in tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert. ``event`` is a dotted name (``trade.placed``, ``trade.settled``, ``job.error``...),
    ``text`` one human line, ``fields`` JSON-safe details (never a secret: market data, ids, figures)."""

    event: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, alert: Alert) -> None:
        """Deliver once, within a bounded time. Never raises: a failed delivery is logged, and the
        caller (a trading run) carries on unchanged."""
        ...
