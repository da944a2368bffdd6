"""When alerts fire (the values are domain parameters, :class:`kalshi_bots.domain.params.AlertParams`;
the settings build them from ``KALSHI_BOTS_ALERT_*``)."""

from __future__ import annotations

from kalshi_bots.domain.params import AlertParams

__all__ = ["AlertParams"]
