"""Turn replay results into the plain dicts written to ``metrics.json`` and shown in the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from kalshi_bots.app.backtest.bars import MinuteBars
from kalshi_bots.app.backtest.crypto import ReplayConfig, ReplayResult
from kalshi_bots.app.backtest.quotes import QuoteStudy
from kalshi_bots.app.backtest.walkforward import ModelEvaluation
from kalshi_bots.domain.scoring import log_losses, paired_difference, score


def pnl_summary(result: ReplayResult, start: Decimal) -> dict[str, Any]:
    trades = [t for t in (h.trade for h in result.hours) if t is not None]
    wins = [h for h in result.hours if h.trade is not None and h.pnl > 0]
    fees = sum((t.fee_per_contract * t.contracts for t in trades), Decimal(0))
    peak = start
    max_drawdown = Decimal(0)
    for h in result.hours:
        peak = max(peak, h.bankroll_after)
        max_drawdown = max(max_drawdown, peak - h.bankroll_after)
    final = result.hours[-1].bankroll_after if result.hours else start
    cent = Decimal("0.01")
    fees, start, final, max_drawdown = (v.quantize(cent) for v in (fees, start, final, max_drawdown))
    return {
        "hours": len(result.hours),
        "trades": len(trades),
        "contracts": sum(t.contracts for t in trades),
        "wins": len(wins),
        "win_rate": len(wins) / len(trades) if trades else None,
        "fees": str(fees),
        "start_bankroll": str(start),
        "final_bankroll": str(final),
        "total_pnl": str(final - start),
        "max_drawdown": str(max_drawdown),
    }


def scores_of(result: ReplayResult) -> dict[str, Any]:
    decision = result.decision_rows
    out: dict[str, Any] = {"skipped_hours_no_sigma": result.skipped_no_sigma}
    if decision:
        out["decision_strike"] = score([r.p_no for r in decision], [r.outcome_no for r in decision]).as_dict()
    if result.ladder:
        out["ladder"] = score(
            [r.p_no for r in result.ladder], [r.outcome_no for r in result.ladder]
        ).as_dict()
    return out


def against_baseline(result: ReplayResult, baseline: ReplayResult) -> dict[str, Any]:
    """``result`` against ``baseline`` on exactly the same (hour, strike) rows: log losses, their ratio
    and the paired difference with a standard error clustered by hour (one hour's strikes move together)."""
    out: dict[str, Any] = {"baseline": baseline.model}
    for name, only_decision in (("decision_strike", True), ("ladder", False)):
        mine = {
            (r.decision_time, r.strike): r for r in result.ladder if r.decision_strike or not only_decision
        }
        rows = [
            (mine[key], other)
            for other in baseline.ladder
            if (key := (other.decision_time, other.strike)) in mine
            and (other.decision_strike or not only_decision)
        ]
        if not rows:
            continue
        ys = [a.outcome_no for a, _ in rows]
        diff = paired_difference(
            log_losses([a.p_no for a, _ in rows], ys),
            log_losses([b.p_no for _, b in rows], ys),
            [a.decision_time for a, _ in rows],
        )
        out[name] = diff.as_dict()
    return out


def evaluation_dict(e: ModelEvaluation) -> dict[str, Any]:
    out = asdict(e)
    out.pop("oos_losses")
    out["folds"] = [asdict(f) for f in e.folds]
    return out


def bars_dict(bars: MinuteBars) -> dict[str, Any]:
    return {
        "source": bars.source,
        "asset": bars.asset.value,
        "bars": len(bars),
        "first_bar_open_ts": bars.ts[0],
        "last_bar_open_ts": bars.ts[-1],
        "gaps": [g.describe() for g in bars.gaps],
        "missing_minutes": bars.missing_minutes,
    }


def config_dict(cfg: ReplayConfig, reference_model: str) -> dict[str, Any]:
    return {
        "decision": f"minute {cfg.decision_minute} of every complete hour, spot = close of minute "
        f"{cfg.decision_minute - 1} (the price at :{cfg.decision_minute:02d}:00)",
        "settlement_proxy": "typical price (O+H+L+C)/4 of the minute before the hour, standing in for "
        "Kalshi's 60-second BRTI average; NO wins iff it is not strictly above the strike",
        "strikes": f"$100 grid ending in .99 within spot ± {cfg.ladder_width_pct}%",
        "decision_strike": "live select_strike: lowest strike >= spot * "
        f"(1 + {cfg.rules.strike_distance_bps} bps)",
        "market_price_assumption": f"NO ask = ceil_cent(P_ref(NO) + {cfg.half_spread}), NO bid = "
        f"floor_cent(P_ref(NO) - {cfg.half_spread}), P_ref from the live prob_no with the "
        f"'{reference_model}' model; clipped to [0.01, 0.99]",
        "reference_model": reference_model,
        "fees": f"Kalshi taker fee, {cfg.fee_schedule.fee_type.value} x{cfg.fee_schedule.multiplier}",
        "decision_rule": "the live job's decision (domain.hourly_decision.decide_hour): input gates, "
        "strike, edge, Kelly size against the running bankroll, tick grid; no daily budget or loss limit",
        "min_edge": cfg.rules.min_edge,
        "kelly_multiplier": cfg.rules.kelly_multiplier,
        "max_fraction": cfg.rules.max_fraction,
        "max_contracts": cfg.rules.max_contracts,
        "max_vol_age_s": cfg.rules.max_vol_age_s,
        "max_price_age_s": cfg.rules.max_price_age_s,
        "max_price_jump_pct": cfg.max_price_jump_pct,
        "settlement_average_s": cfg.settlement_average_s,
        "log_loss_clip": 1e-6,
    }


def quote_study_dict(q: QuoteStudy) -> dict[str, Any]:
    return {
        "series": q.series,
        "entries": len(q.trades),
        "rule": "buy 1 contract of the in-band favourite at its first quote (most time left), hold to "
        "settlement, pay the taker fee",
        "scores_of_market_price": q.scores.as_dict(),
        "total_pnl_dollars": str(q.total_pnl),
        "mean_pnl_cents": float(q.total_pnl / len(q.trades) * 100) if q.trades else None,
        "by_ask": [asdict(b) for b in q.buckets],
    }


def comparison_rows(results: Sequence[ReplayResult], start: Decimal) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        s = scores_of(r)
        rows.append(
            {
                "model": r.model,
                "params": r.params,
                "decision_log_loss": s.get("decision_strike", {}).get("log_loss"),
                "decision_brier": s.get("decision_strike", {}).get("brier"),
                "ladder_log_loss": s.get("ladder", {}).get("log_loss"),
                "pnl": pnl_summary(r, start),
            }
        )
    return rows
