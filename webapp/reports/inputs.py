"""What goes into a compiled report: the approved sheets of a year, and a key for it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import storage
from webapp.council.progress import report_appendix
from webapp.extensions import db
from webapp.models import Project, ReportingCycle, Sheet, SheetVersion
from webapp.report_io.exporter import COUNCIL
from webapp.reports import printer
from webapp.sheet_content import content_loads, sheet_to_dict
from webapp.timeutil import to_jst
from webapp.workflow import State


@dataclass
class ReportInputs:
    cycle: ReportingCycle
    meta: dict
    sheets: list[dict]
    versions: list[dict]        # [{"project": n, "sheet_id": id, "version": v}]
    key: str
    # 確認用 draft: project number -> state label of each sheet not approved
    marks: dict | None = None


def approved_sheets(cycle: ReportingCycle, *, all_states: bool = False) -> list[Sheet]:
    """The approved sheets of the cycle (every sheet, with ``all_states``)."""
    query = select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id)
    if not all_states:
        query = query.where(Sheet.state == State.APPROVED.value)
    return db.session.scalars(
        query.order_by(Project.number)
        .options(*content_loads())).all()


def year_sheets(cycle: ReportingCycle) -> list[Sheet]:
    """Every sheet of the cycle with its project and approver, in number order, without
    its content: what the reports page counts and lists (500 sheets in one query each)."""
    return db.session.scalars(
        select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id).order_by(Project.number)
        .options(selectinload(Sheet.project), selectinload(Sheet.approved_by))).all()


def left_out(sheets: list[Sheet]) -> list[Sheet]:
    """Of the year's sheets, those a published build leaves out (not approved yet);
    the 確認用 draft marks them."""
    return [s for s in sheets if s.state != State.APPROVED.value]


def report_date(cycle: ReportingCycle, sheets: list[Sheet]) -> dt.date:
    """The cover's date: set on the cycle, else the day a person last approved a
    sheet, else 31 March after the fiscal year. An import's approval does not count:
    it is the day the file was read, not a day of the council's (the FY2023 report
    imported in December 2026 would read 「２０２６年１２月」).

    Taken from the data, never from the clock, so that the same sheets always
    print the same PDF.
    """
    if cycle.report_date:
        return cycle.report_date
    approvals = [s.approved_at for s in sheets
                 if s.approved_at and s.approved_by is not None and not s.approved_by.system]
    if approvals:
        return to_jst(max(approvals)).date()
    return dt.date(cycle.year + 1, 3, 31)


def report_key(meta: dict, year: int, sheets: list[dict], marks: dict | None = None) -> str:
    """Equal key, equal PDF: the cover's data plus each sheet's print key (its content,
    image bytes, templates, fonts; see webapp.printing.print_key), and a draft's marks."""
    payload = {"meta": {**meta, "date": meta["date"].isoformat()},
               "sheets": [printer.content_print_key(sheet, year) for sheet in sheets],
               "marks": {str(k): v for k, v in (marks or {}).items()}}
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def collect(cycle: ReportingCycle, draft: bool = False) -> ReportInputs:
    """What a build prints; ``draft``: the 確認用 report, every sheet of the
    year with the ones not approved marked with their state."""
    sheets = approved_sheets(cycle, all_states=draft)
    dicts = [sheet_to_dict(s, storage.upload_path) for s in sheets]
    meta = {"council": COUNCIL, "title": cycle.report_title or f"{cycle.year}年度 活動実績と評価",
            "fiscal_year": cycle.year,
            "date": report_date(cycle, [s for s in sheets if s.state == State.APPROVED.value])}
    appendix = report_appendix(cycle)
    if appendix:
        meta["appendix"] = appendix
    marks = None
    if draft:
        meta["draft"] = True
        marks = {s.project.number: State(s.state).label for s in sheets
                 if s.state != State.APPROVED.value}
    # The numbered snapshot (第N版, as the history shows) each printed sheet was approved as.
    snapshots = dict(db.session.execute(
        select(SheetVersion.sheet_id, func.max(SheetVersion.number))
        .where(SheetVersion.sheet_id.in_([s.id for s in sheets]))
        .group_by(SheetVersion.sheet_id)).all())
    versions = [{"project": s.project.number, "sheet_id": s.id, "version": snapshots.get(s.id)}
                for s in sheets]
    return ReportInputs(cycle=cycle, meta=meta, sheets=dicts, versions=versions,
                        key=report_key(meta, cycle.year, dicts, marks), marks=marks)
