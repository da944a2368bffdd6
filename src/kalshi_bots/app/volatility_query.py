"""The read side of ``VOL/LATEST``: what ``GET /volatility/{asset}`` and ``kalshi-bots volatility`` show.

One store read. The age is measured against the injected clock, and ``stale`` uses the trading bot's
own limit (``hourly.max_vol_age_s``, 180 s by default), so a consumer sees exactly what the bot would
refuse. The attribute names are the spec's ``vol_{15,30,60,90,120}m_{std,range,max_move,samples}``.
A ``StoreError`` propagates: the caller answers "unavailable", never an empty or made-up item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from kalshi_bots.domain.models import Asset
from kalshi_bots.domain.volatility import snapshot_attributes
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.store import Store


@dataclass(frozen=True, slots=True)
class VolatilityView:
    asset: Asset
    computed_at: datetime
    age_seconds: float
    stale: bool
    last_price: Decimal | None
    samples: int  # minute prices carried in the item (the trailing window)
    attributes: dict[str, float | int | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset.value,
            "pk": "VOL",
            "sk": "LATEST",
            "computed_at": self.computed_at.isoformat(),
            "age_seconds": round(self.age_seconds, 3),
            "stale": self.stale,
            "last_price": None if self.last_price is None else str(self.last_price),
            "samples": self.samples,
            **self.attributes,
        }


def latest_volatility(
    store: Store, clock: Clock, asset: Asset, max_age_s: int = 180
) -> VolatilityView | None:
    """``None`` when no VOL/LATEST item exists yet (the collector has not run)."""
    snapshot = store.get_volatility(asset)
    if snapshot is None:
        return None
    age = (clock.now() - snapshot.computed_at).total_seconds()
    return VolatilityView(
        asset=asset,
        computed_at=snapshot.computed_at,
        age_seconds=age,
        stale=age > max_age_s,
        last_price=snapshot.last_price,
        samples=len(snapshot.recent_prices),
        attributes=snapshot_attributes(snapshot),
    )
