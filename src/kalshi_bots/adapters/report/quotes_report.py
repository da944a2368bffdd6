"""The quotes backtest report: the live model against Kalshi's own prices on the same quotes."""

from __future__ import annotations

from kalshi_bots.adapters.report.content import CalibrationSeries, EquitySeries, ReportContent, Table
from kalshi_bots.app.backtest.quote_rows import Drop, ScoredRow
from kalshi_bots.app.backtest.run_quotes import QuotesRun
from kalshi_bots.domain.scoring import Comparison, PairedDifference


def _f(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _diff(d: PairedDifference) -> str:
    se = "" if d.standard_error is None else f" ± {d.standard_error:.4f}"
    return f"{d.difference:+.4f}{se}"


def _comparison_rows(label: str, c: Comparison, market: str) -> list[tuple[str, ...]]:
    n = str(c.model.n)
    events = str(c.log_loss_difference.clusters)
    return [
        (f"{label}: model", n, events, _f(c.model.log_loss), _f(c.model.brier), _diff(c.log_loss_difference)),
        (f"{label}: market ({market})", n, events, _f(c.market.log_loss), _f(c.market.brier), ""),
    ]


def _headline(run: QuotesRun) -> Table:
    r = run.result
    rows: list[tuple[str, ...]] = []
    if r.versus_ask is not None:
        rows += _comparison_rows("all sources", r.versus_ask, "ask")
    if r.versus_mid is not None:
        rows += _comparison_rows("rows with a bid", r.versus_mid, "bid-ask mid")
    for name, c in r.by_source.items():
        rows += _comparison_rows(name, c, "ask")
    return Table(
        f"Model ({r.model}) versus market on the same recorded quotes",
        ("forecaster", "rows", "events", "log loss", "Brier", "model − market log loss ± s.e."),
        tuple(rows),
        "Probabilities are of the quoted side winning. The market's probability is the side's ask (what a "
        "taker pays), or the bid-ask mid where the bid was recorded. Standard errors are paired and "
        "clustered by event (the quotes of one hour move together). Negative = the model is better.",
    )


def _calibration_table(run: QuotesRun) -> Table:
    c = run.result.versus_ask
    rows: list[tuple[str, ...]] = []
    if c is not None:
        for m, k in zip(c.model.calibration, c.market.calibration, strict=True):
            if m.count or k.count:
                rows.append(
                    (
                        f"{m.lower:.1f}-{m.upper:.1f}",
                        str(m.count),
                        _f(m.mean_p, 3),
                        _f(m.frequency, 3),
                        str(k.count),
                        _f(k.mean_p, 3),
                        _f(k.frequency, 3),
                    )
                )
    return Table(
        "Calibration by decile (all scored rows)",
        ("bin", "model rows", "model mean p", "won", "market rows", "ask mean", "won"),
        tuple(rows),
    )


def _drops_table(run: QuotesRun) -> Table:
    r = run.result
    rows = [
        (name, str(r.seen[name]), *(str(r.drops.get(name, {}).get(d.value, 0)) for d in Drop))
        for name in sorted(r.seen)
    ]
    return Table(
        "Row selection",
        ("source", "rows read", *(d.value.replace("_", " ") for d in Drop)),
        tuple(rows),
        "A row is scored only with a spot observed at most 60 s before the quote, a known outcome, time "
        "left, an ask strictly between 0 and 1, and a model input (each row is counted under the first "
        "rule it fails).",
    )


def _rule_table(run: QuotesRun) -> Table:
    rule = run.metrics["live_rule"]
    pnl = run.result.rule
    return Table(
        "The live trading rule on these quotes (one NO contract per event, taker fee)",
        ("eligible NO quotes", "best edge after fee", "trades", "wins", "P&L $", "mean ¢ ± s.e."),
        (
            (
                str(rule["eligible_no_quotes"]),
                _f(rule["best_edge_after_fee"]),
                str(pnl.trades),
                str(pnl.wins),
                str(pnl.total_pnl),
                ""
                if pnl.mean_pnl_per_contract is None
                else f"{pnl.mean_pnl_per_contract * 100:.2f}"
                + ("" if pnl.standard_error is None else f" ± {pnl.standard_error * 100:.2f}"),
            ),
        ),
        f"Rule: strike >= spot x (1 + {rule['strike_distance_bps']} bps) and P(NO) − (NO ask + fee) >= "
        f"{rule['min_edge']}; the first qualifying quote of each event, held to settlement.",
    )


def _equity(rows: tuple[ScoredRow, ...]) -> tuple[EquitySeries, ...]:
    trades = [r for r in rows if r.rule_trade]
    if not trades:
        return ()
    total = 0.0
    values = []
    for r in trades:
        total += (1.0 if r.quote.won else 0.0) - r.market_p - float(r.fee)
        values.append(total)
    return (
        EquitySeries("live rule, 1 contract per trade", tuple(r.quote.at for r in trades), tuple(values)),
    )


def build_quotes_content(run: QuotesRun) -> ReportContent:
    r = run.result
    c = r.versus_ask
    summary = [f"{len(r.rows)} quotes scored out of {sum(r.seen.values())} read; model: {r.model}."]
    if c is not None:
        summary.append(
            f"Log loss: model {c.model.log_loss:.4f}, market ask {c.market.log_loss:.4f} "
            f"(model − market {_diff(c.log_loss_difference)}, {c.log_loss_difference.clusters} events). "
            f"Brier: model {c.model.brier:.4f}, market {c.market.brier:.4f}."
        )
    summary.append(
        f"Live rule: {r.rule.trades} trades, P&L ${r.rule.total_pnl} after ${r.rule.total_fees} of fees."
    )
    series: list[CalibrationSeries] = []
    if c is not None:
        series = [
            CalibrationSeries(f"model ({r.model})", c.model.calibration, tuple(x.model_p for x in r.rows)),
            CalibrationSeries("market (ask)", c.market.calibration, tuple(x.market_p for x in r.rows)),
        ]
    return ReportContent(
        title="Model versus market on recorded Kalshi quotes (KXBTCD)",
        summary=tuple(summary),
        tables=(_headline(run), _calibration_table(run), _rule_table(run), _drops_table(run)),
        calibration=tuple(series),
        equity=_equity(r.rows),
        equity_ylabel="cumulative P&L ($)",
        footnotes=(
            "Model probabilities come from the live code: hourly_model_input on the collector's minute "
            "prices up to the quote's minute, priced with pricing.prob_no_law at the quote's time left.",
            "Data: Kalshi quotes are Kalshi market data (internal use); see each folder's README under "
            "shared/data for sources and licences.",
        ),
    )
