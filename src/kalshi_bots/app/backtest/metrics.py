"""Scores for probability forecasts: the backtests' name for :mod:`kalshi_bots.domain.scoring`.

Kept so existing imports work; new code should import :mod:`kalshi_bots.domain.scoring` directly (the
live scorecard does, and a job must not depend on the backtest package).
"""

from __future__ import annotations

from kalshi_bots.domain.scoring import (
    LOG_LOSS_CLIP,
    CalibrationBin,
    Comparison,
    PairedDifference,
    PnlSummary,
    Scores,
    TradeResult,
    brier,
    brier_losses,
    calibration_table,
    compare,
    log_loss,
    log_losses,
    paired_difference,
    pnl_summary,
    score,
)

__all__ = [
    "LOG_LOSS_CLIP",
    "CalibrationBin",
    "Comparison",
    "PairedDifference",
    "PnlSummary",
    "Scores",
    "TradeResult",
    "brier",
    "brier_losses",
    "calibration_table",
    "compare",
    "log_loss",
    "log_losses",
    "paired_difference",
    "pnl_summary",
    "score",
]
