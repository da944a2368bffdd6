"""VOL/LATEST as the JSON the API serves and ``kalshi-bots volatility`` prints.

The metric names are the DynamoDB item's (``vol_15m_std``, ``vol_15m_range``, ``vol_15m_max_move``,
``vol_15m_samples`` ... per window), so API users read the same names as the spec's table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kalshi_bots.domain.models import Asset, VolatilitySnapshot
from kalshi_bots.ports.store import PriceStore


def snapshot_payload(snapshot: VolatilitySnapshot, now: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "asset": snapshot.asset.value,
        "computed_at": snapshot.computed_at.isoformat(),
        "age_seconds": round((now - snapshot.computed_at).total_seconds(), 3),
        "price": None if snapshot.last_price is None else float(snapshot.last_price),
    }
    for w in snapshot.windows:
        prefix = f"vol_{w.window_minutes}m"
        payload[f"{prefix}_std"] = w.std_pct
        payload[f"{prefix}_range"] = w.range_pct
        payload[f"{prefix}_max_move"] = w.max_move_pct
        payload[f"{prefix}_samples"] = w.samples
    return payload


def volatility_payload(store: PriceStore, asset: Asset, now: datetime) -> dict[str, Any] | None:
    """The payload, or None when the collector has not written VOL/LATEST yet."""
    snapshot = store.get_volatility(asset)
    return None if snapshot is None else snapshot_payload(snapshot, now)


def volatility_text(payload: dict[str, Any]) -> str:
    lines = [
        f"{payload['asset']} volatility computed {payload['computed_at']} "
        f"({payload['age_seconds']:.0f} s ago), price {payload['price']}",
        f"  {'window':>6}  {'std %':>9}  {'range %':>9}  {'max move %':>10}  samples",
    ]
    windows = sorted({int(k[4:].split("m_", 1)[0]) for k in payload if k.startswith("vol_")})

    def fmt(value: Any) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    for minutes in windows:
        p = f"vol_{minutes}m"
        lines.append(
            f"  {minutes:>5}m  {fmt(payload[p + '_std']):>9}  {fmt(payload[p + '_range']):>9}  "
            f"{fmt(payload[p + '_max_move']):>10}  {payload[p + '_samples']}"
        )
    return "\n".join(lines)
