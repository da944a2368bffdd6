"""One self-contained HTML file (charts embedded as base64 PNG, no external assets) plus the PNGs."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from kalshi_bots.adapters.report.charts import (
    ChartsUnavailableError,
    equity_png,
    histogram_png,
    reliability_png,
)
from kalshi_bots.adapters.report.content import ReportContent, Table

_STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;
padding:0 16px;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:.85em}
.charts{display:flex;flex-wrap:wrap;gap:8px}.charts img{border:1px solid #ddd;width:49%;height:auto}
"""


def _table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    return f"<h2>{html.escape(t.title)}</h2><table><tr>{head}</tr>{body}</table>{note}"


def _charts(content: ReportContent, out_dir: Path) -> list[Path]:
    charts: list[Path] = []
    if content.calibration:
        charts.append(reliability_png(content.calibration, out_dir / "reliability.png"))
        charts.append(histogram_png(content.calibration, out_dir / "histogram.png"))
    if content.equity:
        charts.append(equity_png(content.equity, out_dir / "equity.png", content.equity_ylabel))
    return charts


def write_report(content: ReportContent, out_dir: Path, name: str = "report.html") -> Path:
    """Write ``name`` and the PNG charts into ``out_dir``; returns the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        charts = _charts(content, out_dir)
        missing = ""
    except ChartsUnavailableError as exc:
        charts, missing = [], f'<p class="note">{html.escape(str(exc))}</p>'
    images = "".join(
        f'<img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode("ascii")}">'
        for p in charts
    )
    summary = "".join(f"<p>{html.escape(s)}</p>" for s in content.summary)
    # The first table (the headline comparison) goes above the charts; the rest below them.
    lead = _table(content.tables[0]) if content.tables else ""
    tables = "".join(_table(t) for t in content.tables[1:])
    foot = "".join(f'<p class="note">{html.escape(s)}</p>' for s in content.footnotes)
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(content.title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(content.title)}</h1>{summary}{lead}"
        f'<h2>Charts</h2><div class="charts">{images}</div>{missing}{tables}{foot}</body></html>'
    )
    path = out_dir / name
    path.write_text(page, encoding="utf-8")
    return path
