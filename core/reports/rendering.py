"""Render report rows as CSV, XLSX and an HTML table with an SVG chart.

Every report (core or module) goes through these functions, so each format behaves the same
everywhere: column titles in the request's language, numbers left as numbers in XLSX, and the
CSV with a BOM so Excel opens Greek text correctly.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

Column = tuple[str, str]  # (key, title)


def cell(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def to_csv(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _key, title in columns])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else cell(row.get(k)) for k, _t in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    # Imported here: openpyxl (with numpy) is ~26 MB per worker, and few requests want XLSX.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    sheet.append([t for _k, t in columns])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for row in rows:
        sheet.append([cell(row.get(k)) for k, _t in columns])
    for index, (_key, header) in enumerate(columns, start=1):
        width = max([len(str(header))] + [len(str(cell(r.get(_key)) or "")) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("-" if ch in bad else ch for ch in title)
    return clean[:31] or "report"


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: int = 640,
    bar_height: int = 22,
    title: str = "",
) -> str:
    """A horizontal bar chart as inline SVG: readable on a 360 px screen, no JavaScript."""
    if not values:
        return ""
    top = max(max(values), 1)
    label_w = 200
    plot_w = width - label_w - 60
    height = bar_height * len(values) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{html.escape(title)}">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = 5 + i * bar_height
        w = 0 if top == 0 else plot_w * (value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="12">{html.escape(str(label))[:40]}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar_height - 6}" '
            f'fill="#2b6cb0"><title>{html.escape(str(label))}: {value:g}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}" '
            f'font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html_table(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(t)}</th>' for _k, t in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str('' if r.get(k) is None else cell(r.get(k))))}</td>"
            for k, _t in columns
        )
        + "</tr>"
        for r in rows
    )
    return f'<table class="report"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def chart_for(columns: Sequence[Column], rows: Sequence[dict[str, Any]], title: str) -> str:
    """Chart the last numeric column against the first column, when the shape allows it."""
    if not rows or len(columns) < 2:
        return ""
    numeric = [
        k for k, _t in columns[1:] if all(isinstance(r.get(k), int | float | Decimal) for r in rows)
    ]
    if not numeric:
        return ""
    key = numeric[-1]
    labels = [
        " · ".join(str(cell(r.get(k)) or "–") for k, _t in columns if k not in numeric)[:40]
        for r in rows[:30]
    ]
    return bar_chart_svg(labels, [float(r.get(key) or 0) for r in rows[:30]], title=title)
