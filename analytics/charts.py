"""Charts as data (a title, columns, rows) and their server-rendered SVG.

The same `Chart` is drawn as SVG, shown as a table (for screen readers and without images) and
downloaded as CSV or JSON, so the three never disagree. No script, no external asset.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

# Colour-blind-safe (Okabe-Ito), each at least 3:1 against white for the bars.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6E00", "#56B4E9", "#E69F00", "#000000")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 64, 28, 12


@dataclass
class Chart:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Any]]  # first column: the label (a day or a category)
    kind: str = "days"  # days: stacked bars per day of columns[1:]; bars: one horizontal bar per row
    plot: list[int] = field(default_factory=lambda: [1])  # for "bars": the value columns drawn (stacked)
    unit: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "unit": self.unit, "columns": self.columns,
                "rows": [[_plain(value) for value in row] for row in self.rows], "note": self.note}

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_plain(value) for value in row])
        return out.getvalue()

    def svg(self) -> Markup:
        return days_svg(self) if self.kind == "days" else bars_svg(self)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _open(chart: Chart, height: int) -> list[str]:
    ident = escape(chart.id)
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" class="chart" width="100%" preserveAspectRatio="xMinYMin meet">',
            f'<title id="{ident}-t">{escape(chart.title)}</title>',
            f'<desc id="{ident}-d">The same figures are in the table below the chart.</desc>']


def days_svg(chart: Chart) -> Markup:
    series = chart.columns[1:]
    totals = [sum(_number(v) for v in row[1:]) for row in chart.rows]
    top = max([*totals, 1.0])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP - 22
    step = plot_w / max(len(chart.rows), 1)
    parts = _open(chart, HEIGHT)
    parts.append(f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{escape(fmt(top))}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" stroke="#555"/>')
    for index, row in enumerate(chart.rows):
        y = float(TOP + plot_h)
        for position, value in enumerate(row[1:]):
            h = plot_h * _number(value) / top
            if h > 0:
                y -= h
                parts.append(f'<rect x="{LEFT + index * step + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
                             f'height="{h:.1f}" fill="{PALETTE[position % len(PALETTE)]}"/>')
    if chart.rows:
        for index in sorted({0, len(chart.rows) - 1}):
            parts.append(f'<text x="{LEFT + index * step + step / 2:.1f}" y="{TOP + plot_h + 14}" font-size="11" '
                         f'text-anchor="middle">{escape(_plain(chart.rows[index][0]))}</text>')
    parts.extend(_legend(series, HEIGHT - 6))
    parts.append("</svg>")
    return Markup("".join(parts))


def bars_svg(chart: Chart) -> Markup:
    row_h, label_w = 22, 200
    height = TOP + row_h * max(len(chart.rows), 1) + 30
    values = [sum(_number(row[i]) for i in chart.plot) for row in chart.rows]
    top = max([*values, 1.0])
    plot_w = WIDTH - label_w - 90
    parts = _open(chart, height)
    for index, row in enumerate(chart.rows):
        y = TOP + index * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
                     f'{escape(str(row[0])[:28])}</text>')
        x = float(label_w)
        for position, column in enumerate(chart.plot):
            w = plot_w * _number(row[column]) / top
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                             f'fill="{PALETTE[position % len(PALETTE)]}"/>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="12">{escape(fmt(values[index]))}</text>')
    if not chart.rows:
        parts.append(f'<text x="{LEFT}" y="{TOP + 16}" font-size="13">No data in this period.</text>')
    if len(chart.plot) > 1:
        parts.extend(_legend([chart.columns[i] for i in chart.plot], height - 6))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names: list[str], y: int) -> list[str]:
    parts, x = [], float(LEFT)
    for position, name in enumerate(names):
        colour = PALETTE[position % len(PALETTE)]
        parts.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts
