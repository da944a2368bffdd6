"""PNG charts with matplotlib, imported lazily so the bot itself never needs it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kalshi_bots.adapters.report.content import CalibrationSeries, EquitySeries

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


class ChartsUnavailableError(RuntimeError):
    """matplotlib is not installed (``pip install 'kalshi-bots[report]'``)."""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: files only
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ChartsUnavailableError("charts need matplotlib: pip install 'kalshi-bots[report]'") from exc
    return plt


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)  # pyplot keeps every open figure alive otherwise
    return path


def reliability_png(series: Sequence[CalibrationSeries], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 5.0), dpi=100)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfect calibration")
    for colour, s in zip(_COLOURS, series, strict=False):
        points = [(b.mean_p, b.frequency, b.count) for b in s.bins if b.mean_p is not None]
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, marker="o", color=colour, label=s.label)
        for x, y, n in points:
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7, color=colour)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast probability (bin mean)")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability diagram (numbers = forecasts per bin)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(plt, fig, path)


def histogram_png(series: Sequence[CalibrationSeries], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.0), dpi=100)
    edges = [k / 20 for k in range(21)]
    drawn = [(c, s) for c, s in zip(_COLOURS, series, strict=False) if s.probabilities]
    for colour, s in drawn:
        ax.hist(s.probabilities, bins=edges, histtype="step", linewidth=1.5, color=colour, label=s.label)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("forecasts")
    ax.set_title("Probability histogram")
    ax.set_yscale("log")
    if drawn:
        ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(plt, fig, path)


def equity_png(series: Sequence[EquitySeries], path: Path, ylabel: str) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 4.0), dpi=100)
    for colour, s in zip(_COLOURS, series, strict=False):
        ax.plot(list(s.times), list(s.values), color=colour, linewidth=1.3, label=s.label)
    ax.set_ylabel(ylabel)
    ax.set_title("Equity curve")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(plt, fig, path)
