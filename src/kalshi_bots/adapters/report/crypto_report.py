"""The crypto backtest report: what a user reads before trusting the model with money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kalshi_bots.adapters.report.content import CalibrationSeries, EquitySeries, ReportContent, Table
from kalshi_bots.app.backtest.crypto import ReplayResult
from kalshi_bots.app.backtest.metrics import score
from kalshi_bots.app.backtest.quotes import QuoteStudy
from kalshi_bots.app.backtest.run_crypto import BASELINE, LITERAL, CryptoRun


def _f(value: Any, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _calibration(result: ReplayResult, label: str, ladder: bool = False) -> CalibrationSeries:
    rows = result.ladder if ladder else result.decision_rows
    s = score([r.p_no for r in rows], [r.outcome_no for r in rows])
    return CalibrationSeries(label, s.calibration, tuple(r.p_no for r in rows))


def _equity(result: ReplayResult, label: str) -> EquitySeries:
    return EquitySeries(
        label,
        tuple(h.sample.close_time for h in result.hours),
        tuple(float(h.bankroll_after) for h in result.hours),
    )


def _model_table(run: CryptoRun) -> Table:
    by_name = {e.model: e for e in run.evaluations}
    rows = []
    for row in run.metrics["comparison_all_hours"]:
        e = by_name[row["model"]]
        pnl = row["pnl"]
        rows.append(
            (
                row["model"] + (" (chosen)" if row["model"] == run.chosen.model else ""),
                _f(e.oos_log_loss),
                _f(row["decision_log_loss"]),
                _f(row["decision_brier"]),
                _f(row["ladder_log_loss"]),
                ", ".join(f"{k}={v:g}" for k, v in row["params"].items()) or "-",
                str(pnl["trades"]),
                pnl["total_pnl"],
            )
        )
    return Table(
        "Models: walk-forward out-of-sample and all-hours scores (decision strike unless stated)",
        ("model", "OOS log loss", "log loss", "Brier", "ladder log loss", "params", "trades", "P&L $"),
        tuple(rows),
        "OOS: expanding-window walk-forward, parameters fitted only on earlier hours. All-hours columns use "
        "parameters refitted on every hour (in-sample for fitted models). P&L is under the assumed market "
        "(see assumptions), from a $"
        + str(run.metrics["pnl_assumed_market"]["start_bankroll"])
        + " bankroll.",
    )


def _calibration_table(result: ReplayResult) -> Table:
    s = score([r.p_no for r in result.decision_rows], [r.outcome_no for r in result.decision_rows])
    rows = tuple(
        (f"{b.lower:.1f}-{b.upper:.1f}", str(b.count), _f(b.mean_p, 3), _f(b.frequency, 3))
        for b in s.calibration
        if b.count
    )
    return Table(
        f"Calibration by decile: {result.model}, decision strike",
        ("P(NO) bin", "hours", "mean P(NO)", "NO frequency"),
        rows,
        f"Mean P(NO) {s.mean_p:.3f} vs NO frequency {s.frequency:.3f} over {s.n} hours; base-rate log "
        f"loss {s.base_rate_log_loss:.4f}.",
    )


def _quotes_table(q: QuoteStudy) -> Table:
    rows = tuple(
        (f"{b.ask_cents}¢", str(b.count), _f(b.win_rate, 3), _f(b.mean_pnl_cents, 2)) for b in q.buckets
    )
    return Table(
        f"Real Kalshi quotes ({q.series}): buying the 88–96¢ favourite at its first late quote",
        ("ask", "markets", "win rate", "mean P&L ¢ after fee"),
        rows,
        f"{len(q.trades)} entries; total ${q.total_pnl} per 1-contract entry; log loss of the ask as a "
        f"probability {q.scores.log_loss:.4f}. No spot data overlaps these months, so the model itself "
        "cannot be replayed on them: this is the market's own calibration, the bar a model must beat.",
    )


def _assumptions_table(metrics: dict[str, Any]) -> Table:
    a = metrics["assumptions"]
    inp = metrics["input"]
    rows = [
        ("data", f"{inp['source']} ({inp['bars']} bars, {inp['missing_minutes']} missing minutes)"),
        ("replayable hours", str(metrics["replayable_hours"])),
    ]
    rows += [(k.replace("_", " "), str(v)) for k, v in a.items()]
    return Table("Assumptions", ("item", "value"), tuple(rows))


def _against_spec(m: dict[str, Any], model: str) -> str:
    parts = []
    for name in ("ladder", "decision_strike"):
        d = m.get("against_spec_same_rows", {}).get(name)
        if d:
            se = "" if d["standard_error"] is None else f" ± {d['standard_error']:.4f}"
            parts.append(
                f"{name.replace('_', ' ')} log loss {d['mean_a']:.4f} vs spec {d['mean_b']:.4f} "
                f"({d['ratio']:.3f}x; difference {d['difference']:+.4f}{se}, {d['n']} rows, "
                f"{d['clusters']} hours)"
            )
    return f"{model} against spec on the same strikes: " + "; ".join(parts) + "." if parts else ""


def build_crypto_content(run: CryptoRun, quotes: QuoteStudy | None = None) -> ReportContent:
    m = run.metrics
    chosen = run.selected  # the model asked for (--model), or the walk-forward choice
    spec = run.results[BASELINE]
    literal = run.results[LITERAL]
    wf = m["walk_forward"]
    by_name = {e.model: e for e in run.evaluations}
    summary = (
        f"Replayed model: {chosen.model} ({m.get('model_description', '')}).",
        _against_spec(m, chosen.model),
        f"Walk-forward choice: {run.chosen.model} (OOS decision-strike log loss {run.chosen.oos_log_loss:.4f}"
        f" vs spec {by_name[BASELINE].oos_log_loss:.4f}; paired difference "
        f"{wf['chosen_minus_spec_oos_log_loss']:+.4f} ± {wf['chosen_minus_spec_standard_error']:.4f} s.e.).",
        f"All hours, decision strike: {chosen.model} {_f(_loss(run, chosen.model))}, "
        f"spec {_f(_loss(run, BASELINE))}, the spec's literal reading (1-minute sd as the 15-minute sigma) "
        f"{_f(_loss(run, LITERAL))}.",
        "P&L is under an ASSUMED market (no Kalshi quotes exist for these dates): NO asks from the "
        f"'{m['assumptions']['reference_model']}' model plus a spread. That market "
        "is itself a little under-confident here, so most models 'profit'; read P&L as relative, not as an "
        "edge. Real Kalshi quotes (a different period) are summarised below: late favourites are priced "
        "about fairly and lose after fees.",
    )
    tables = [_model_table(run), _calibration_table(chosen)]
    if quotes is not None:
        tables.append(_quotes_table(quotes))
    tables.append(_assumptions_table(m))
    equity = [_equity(chosen, f"{chosen.model} (assumed market)"), _equity(spec, "spec (assumed market)")]
    return ReportContent(
        title=f"Crypto backtest: {m['input']['asset']} hourly above/below, decision at minute 45",
        summary=summary,
        tables=tuple(tables),
        calibration=(
            _calibration(chosen, f"{chosen.model}, decision strike"),
            _calibration(spec, "spec, decision strike"),
            _calibration(literal, "spec-literal, decision strike"),
            _calibration(chosen, f"{chosen.model}, ladder", ladder=True),
        ),
        equity=tuple(equity),
        equity_ylabel=f"bankroll ($), start {Decimal(m['pnl_assumed_market']['start_bankroll'])}",
        footnotes=(
            "Every hour goes through the live job's decision (domain.hourly_decision.decide_hour: the input "
            "gates, then decide_hourly with pricing.prob_no_law, fees, sizing, markets.select_strike); only "
            "the volatility input differs between models.",
        ),
    )


def _loss(run: CryptoRun, model: str) -> float | None:
    for row in run.metrics["comparison_all_hours"]:
        if row["model"] == model:
            value = row["decision_log_loss"]
            return float(value) if value is not None else None
    return None
