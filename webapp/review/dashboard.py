"""The secretariat's status list for one year, on screen and as CSV / Excel."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.last_change import LastChange, last_change
from webapp.models import (Comment, Organisation, Project, ProjectOrganisation, ReportingCycle,
                           Sheet, Transition)
from webapp.review.flags import FlagReview, review as flag_review
from webapp.safecells import append_row, csv_text
from webapp.timeutil import days_left_words, format_date, format_datetime, today_jst
from webapp.workflow import EDITABLE_STATES, State


@dataclass
class Row:
    sheet: Sheet
    project: Project
    state: State
    last_change: LastChange
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    days_left: int | None          # to the deadline; None once submitted/approved or no deadline
    overdue: bool
    open_comments: int
    flags: FlagReview | None = None  # a resubmission after a return that flagged sections

    @property
    def lead_names(self) -> str:
        return "・".join(o.name for o in self.project.lead_organisations)


def days_text(row: Row) -> str:
    return days_left_words(row.days_left) or "—"


def rows_for(cycle: ReportingCycle, today: dt.date | None = None) -> list[Row]:
    """Every sheet of the cycle in project-number order, with what the list shows."""
    today = today or today_jst()
    sheets = db.session.scalars(
        select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id).order_by(Project.number)
        .options(selectinload(Sheet.project).selectinload(Project.links)
                 .selectinload(ProjectOrganisation.organisation),
                 selectinload(Sheet.updated_by),
                 selectinload(Sheet.transitions).selectinload(Transition.actor))).all()
    open_counts = dict(db.session.execute(
        select(Comment.sheet_id, func.count()).join(Sheet, Sheet.id == Comment.sheet_id)
        .where(Sheet.cycle_id == cycle.id, Comment.parent_id.is_(None),
               Comment.resolved.is_(False)).group_by(Comment.sheet_id)).all())
    rows = []
    for s in sheets:
        state = State(s.state)
        submits = [t.at for t in s.transitions if t.action == "submit"]
        pending = state in EDITABLE_STATES
        days = (cycle.deadline - today).days if (cycle.deadline and pending) else None
        rows.append(Row(sheet=s, project=s.project, state=state, last_change=last_change(s),
                        submitted_at=submits[-1] if submits else None,
                        approved_at=s.approved_at, days_left=days,
                        overdue=days is not None and days < 0,
                        open_comments=open_counts.get(s.id, 0),
                        flags=_resubmitted_flags(s)))
    return rows


def _resubmitted_flags(sheet: Sheet) -> FlagReview | None:
    if sheet.state != State.SUBMITTED.value or not any(t.sections for t in sheet.transitions):
        return None
    return flag_review(sheet)


def counts(rows: list[Row]) -> dict[State, int]:
    result = {s: 0 for s in State}
    for r in rows:
        result[r.state] += 1
    return result


def filter_rows(rows: list[Row], state: str | None, org_id: int | None) -> list[Row]:
    if state:
        rows = [r for r in rows if r.state.value == state]
    if org_id:
        rows = [r for r in rows if any(o.id == org_id for o in r.project.lead_organisations)]
    return rows


def lead_organisations(rows: list[Row]) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for r in rows:
        for o in r.project.lead_organisations:
            seen.setdefault(o.id, o)
    return sorted(seen.values(), key=lambda o: o.id)


# --- downloads ----------------------------------------------------------------------------

HEADER = ["No.", "プロジェクト", "幹事", "幹事組織", "状態", "最終更新", "最終更新者", "提出日時",
          "承認日時", "提出期限", "期限まで", "期限超過", "未解決コメント", "要修正の欄（変更/全体）"]


def _record(row: Row, cycle: ReportingCycle) -> list:
    return [row.project.number, row.project.title, row.project.lead_label, row.lead_names,
            row.state.label, row.last_change.when_text, row.last_change.by_name,
            format_datetime(row.submitted_at), format_datetime(row.approved_at),
            format_date(cycle.deadline), days_text(row), "超過" if row.overdue else "",
            row.open_comments,
            # Written as text: "1/2" in a cell would become a date in Excel.
            f"{row.flags.changed_count} / {len(row.flags.sections)}" if row.flags else ""]


def csv_bytes(rows: list[Row], cycle: ReportingCycle) -> bytes:
    """UTF-8 with a BOM, so that Excel on Japanese Windows opens it without garbling."""
    return ("\ufeff" + csv_text(HEADER, (_record(r, cycle) for r in rows))).encode("utf-8")


def xlsx_bytes(rows: list[Row], cycle: ReportingCycle) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"{cycle.year}年度 提出状況"
    append_row(ws, HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(vertical="center")
    overdue_fill = PatternFill("solid", fgColor="FFE0E0")
    for r in rows:
        cells = append_row(ws, _record(r, cycle))
        if r.overdue:
            for cell in cells:
                cell.fill = overdue_fill
    widths = [6, 44, 26, 22, 10, 20, 22, 20, 20, 16, 12, 10, 14]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    wb.properties.title = f"{cycle.year}年度 個票の提出状況"
    wb.properties.creator = "九州地域戦略会議 個票システム"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
