"""Bar charts drawn on the server as SVG: no JavaScript, no charting library.

One horizontal bar per row of a table (engine/management_report.Table, its `chart` column), the
row's label above its bar and the figure after it, so a long label never squeezes the bars on a
narrow screen. A hidden figure gets no bar, only the words. The chart is an image with a title and
a description that names every figure (role="img"); the same figures are in the table under it.
Colours come from classes in web/static/zvt-work.css: the security policy allows no inline style.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from engine.management_report import Table

WIDTH = 320  # drawn at about its own size on a phone; the style sheet caps it on a wide screen
ROW = 46  # a label line and a bar
BAR = 18
TEXT_ROOM = 90  # to the right of the longest bar, for its figure
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str


def bars(table: Table) -> list[Bar]:
    if table.chart is None:
        return []
    column = table.chart
    out = []
    for row in table.rows:
        cell = row.cells[column]
        value = cell.value if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) else None
        out.append(Bar(str(row.cells[0].text), value, cell.text))
    return out


def svg(table: Table, chart_id: str) -> Markup:
    """The chart of `table` as inline SVG; empty when the table has no chart or no rows."""
    found = bars(table)
    if not found:
        return Markup("")
    largest = max((b.value for b in found if b.value is not None), default=0) or 1
    scale = (WIDTH - TEXT_ROOM) / largest
    height = TOP + ROW * len(found)
    unit = f" {table.unit}" if table.unit and table.unit != "%" else ""
    description = "; ".join(f"{b.label}: {b.text}{unit if b.value is not None else ''}" for b in found)
    parts = [f'<svg class="zvt-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}-titel {chart_id}-uitleg" focusable="false">',
             f'<title id="{chart_id}-titel">{escape(table.title)}</title>',
             f'<desc id="{chart_id}-uitleg">{escape(description)}</desc>']
    for index, bar in enumerate(found):
        top = TOP + index * ROW
        parts.append(f'<text class="zvt-chart__label" x="0" y="{top + 14}">{escape(bar.label)}</text>')
        if bar.value is None:
            parts.append(f'<text class="zvt-chart__hidden" x="0" y="{top + 34}">{escape(bar.text)}</text>')
            continue
        length = round(bar.value * scale, 1)
        parts.append(f'<rect class="zvt-chart__bar" x="0" y="{top + 20}" width="{length}" height="{BAR}" />')
        parts.append(f'<text class="zvt-chart__value" x="{length + 6}" y="{top + 34}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
