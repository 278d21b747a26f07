"""A year's KPIs and sheet states as an .xlsx workbook (openpyxl)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from webapp.extensions import db
from webapp.last_change import last_change
from webapp.models import Project, ReportingCycle, Sheet
from webapp.safecells import append_row
from webapp.sheet_content import number_out
from webapp.timeutil import format_datetime
from webapp.workflow import State

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def progress_rate(actual, target) -> float | None:
    """actual / target of the KPI's goal, when both are numbers and the goal is not zero."""
    if actual is None or target in (None, 0):
        return None
    return float(actual) / float(target)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], widths: list[int]):
    ws = wb.create_sheet(title)
    append_row(ws, header)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        append_row(ws, row)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def workbook(cycle: ReportingCycle) -> bytes:
    sheets = db.session.scalars(select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id)
                                .order_by(Project.number)).all()
    kpi_rows, state_rows = [], []
    for s in sheets:
        p = s.project
        changed = last_change(s)
        state_rows.append([p.number, p.title, p.lead_label, State(s.state).label, s.version,
                           changed.when_text, changed.by_name, format_datetime(s.approved_at)])
        for k in s.kpis:
            goal = number_out(k.target_value)
            if not k.values:
                kpi_rows.append([p.number, p.title, k.name, k.unit, None, None, None, None,
                                 goal, k.target_text or ""])
            for v in k.values:
                actual = number_out(v.actual)
                kpi_rows.append([p.number, p.title, k.name, k.unit, v.year, number_out(v.target),
                                 actual, progress_rate(actual, goal), goal, k.target_text or ""])
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(wb, "KPI", ["No.", "プロジェクト", "KPI", "単位", "年度", "目標", "実績", "進捗率",
                            "最終目標値", "目標（文言）"],
                kpi_rows, [6, 40, 50, 10, 8, 12, 12, 10, 14, 40])
    for cell in ws["H"][1:]:
        cell.number_format = "0.0%"
    for col in ("F", "G", "I"):
        for cell in ws[col][1:]:
            cell.number_format = "#,##0.####"
    _sheet(wb, "個票の状態", ["No.", "プロジェクト", "幹事", "状態", "版", "最終更新", "更新者", "承認日時"],
           state_rows, [6, 40, 30, 10, 6, 20, 24, 20])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
