"""The quotes backtest as one pure call: score every source, then check the spot against BRTI."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kalshi_bots.app.backtest.quote_rule import RuleConfig
from kalshi_bots.app.backtest.quote_scoring import QuoteSource, QuoteStudyResult, study_quotes
from kalshi_bots.domain.hourly_model import HourlyModel
from kalshi_bots.domain.models import PriceTick


@dataclass(frozen=True, slots=True)
class QuotesRun:
    result: QuoteStudyResult
    metrics: dict[str, Any]


def spot_basis(minute_prices: Sequence[PriceTick], index: Sequence[PriceTick]) -> dict[str, Any] | None:
    """Spot minus the settlement index where both exist at the same instant (dollars)."""
    by_time = {t.at: t.price for t in minute_prices}
    diffs = [float(by_time[p.at] - p.price) for p in index if p.at in by_time]
    if len(diffs) < 2:
        return None
    mean = math.fsum(diffs) / len(diffs)
    sd = math.sqrt(math.fsum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    return {
        "points": len(diffs),
        "mean_dollars": mean,
        "sd_dollars": sd,
        "max_abs_dollars": max(map(abs, diffs)),
    }


def run_quotes(
    sources: Sequence[QuoteSource],
    model: HourlyModel,
    *,
    rule: RuleConfig | None = None,
    model_description: str = "",
) -> QuotesRun:
    result = study_quotes(sources, model, rule=rule)
    metrics: dict[str, Any] = {
        "model_description": model_description,
        **result.as_dict(),
        "sources": {
            s.name: {
                "quotes": len(s.rows),
                "minute_prices": len(s.minute_prices),
                "extra_spot_points": len(s.spot_points),
                "spot_minus_index": spot_basis(s.minute_prices, s.spot_points),
            }
            for s in sources
        },
    }
    return QuotesRun(result, metrics)
