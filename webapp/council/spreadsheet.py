"""The KPI progress table as .xlsx: the page's rows, figures as numbers, text as text."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from webapp.council.progress import STATUS_RULE, KpiRow
from webapp.safecells import text_cell
from webapp.sheet_schema import KPIS, schema

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _put(ws, row: int, col: int, value) -> None:
    """Write one cell; text stays text (never a formula), figures stay numbers."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text_cell(cell, value)
    else:
        cell.value = value


def header(year: int | None = None) -> list[str]:
    sheet = schema(year)
    return ["No.", "プロジェクト", "幹事", "KPI", sheet.field_label(KPIS, "unit"),
            sheet.field_label(KPIS, "baseline_value"), "最新実績", "実績の年度",
            "最終目標", "目標年度", "進捗率", "前年差", "状況", "目標の種類"]
WIDTHS = [6, 40, 24, 50, 10, 16, 14, 16, 20, 10, 10, 12, 24, 10]


def workbook(cycle, rows: list[KpiRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{cycle.year}年度 KPI達成状況"
    for col, text in enumerate(header(cycle.year), 1):
        _put(ws, 1, col, text)
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.cell(row=1, column=col).fill = HEADER_FILL
    for n, r in enumerate(rows, 2):
        values = [r.number, r.project_title, r.lead_label, r.name, r.unit, r.baseline,
                  r.latest_value, r.latest_year, r.target, r.target_year, r.rate_value,
                  r.change_value, r.status, "定性" if r.qualitative else "数値"]
        for col, value in enumerate(values, 1):
            _put(ws, n, col, value)
        ws.cell(row=n, column=11).number_format = "0.0%"
        for col in (7, 12):
            ws.cell(row=n, column=col).number_format = "#,##0.####"
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("判定の規則")
    _put(notes, 1, 1, STATUS_RULE)
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
