"""A year's reporting cycle: open it (carrying every sheet forward), close it, re-open it.

The cycle operations (open_cycle, close_cycle, reopen_cycle, set_deadline,
set_report_date): each records who did it in the audit trail and flushes;
the caller commits (the rule of webapp.operations). Views and the cycle
commands both call these, so the rules live in one place:

- Opening year Y creates one sheet per active project. A project with an
  approved sheet in an earlier year gets a draft carried forward from the
  latest one: purpose, target year/label/text, KPIs with their history (and
  an empty row for year Y to fill in), roadmap and figures (image files
  copied) kept; each text section as the schema's carry rule says (last
  year's plans become the starting text of this year's results). Other
  projects get a sheet that has not been started.
- A year is opened once; a second attempt is refused with a message.
- A year starts with the sheet template of the latest earlier year (the
  built-in one when that year has none of its own); see webapp.sheet_templates.
- Closing stops all editing (`can(..., 'edit_sheet')` needs an open cycle);
  re-opening allows it again.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp import audit, storage
from webapp.extensions import db
from webapp.models import Figure, Project, ReportingCycle, Sheet, User
from webapp.operations import carried_forward
from webapp.sheet_content import latest_approved, sheet_to_dict, write_content
from webapp.sheet_schema import FIGURES, KEEP, KPIS, ROADMAP, YEAR_RANGE, SheetSchema, schema
from webapp.timeutil import utcnow
from webapp.uploads import copy_stored
from webapp.workflow import SYSTEM_TRANSITIONS, State



class CycleError(Exception):
    """A refused cycle operation; the message (Japanese) is shown as is."""


@dataclass
class OpenSummary:
    cycle: ReportingCycle
    carried: list[Sheet] = field(default_factory=list)
    not_started: list[Sheet] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = (f"{self.cycle.year}年度の受付を開始しました。前年度から引き継いだ個票 "
                f"{len(self.carried)}件")
        if self.not_started:
            text += f"、白紙の個票 {len(self.not_started)}件（承認済みの前年度個票なし）"
        return text + "。どの個票も、幹事が最初に保存するまで「未着手」です。"


def get_cycle(year: int) -> ReportingCycle | None:
    return db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))


def latest_cycle() -> ReportingCycle | None:
    return db.session.scalar(select(ReportingCycle).order_by(ReportingCycle.year.desc()).limit(1))


def cycle_or_404(year: int) -> ReportingCycle:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    return cycle


def _previous_cycle(year: int) -> ReportingCycle | None:
    return db.session.scalar(select(ReportingCycle).where(ReportingCycle.year < year)
                             .order_by(ReportingCycle.year.desc()).limit(1))


def _title_for(year: int) -> str:
    """The report title, taken from the latest earlier cycle with its year replaced."""
    previous = _previous_cycle(year)
    if previous is not None and previous.report_title:
        return re.sub(str(previous.year), str(year), previous.report_title)
    return f"{year}年度 活動実績と評価"


def open_cycle(year: int, deadline: dt.date | None, user: User | None,
               report_title: str | None = None) -> OpenSummary:
    if not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise CycleError(f"年度は {YEAR_RANGE[0]}～{YEAR_RANGE[1]} の西暦で指定してください。")
    existing = get_cycle(year)
    if existing is not None:
        state = "受付中" if existing.is_open else "締切済"
        raise CycleError(f"{year}年度は既に開始されています（{state}）。"
                         "同じ年度を二度開始することはできません。")
    previous = _previous_cycle(year)
    # The year starts with the previous year's sheet template (None: the built-in one).
    cycle = ReportingCycle(year=year, is_open=True, deadline=deadline,
                           report_title=report_title or _title_for(year),
                           sheet_template=previous.sheet_template if previous else None)
    db.session.add(cycle)
    try:
        db.session.flush()
    except IntegrityError:  # someone opened the same year a moment ago
        db.session.rollback()
        raise CycleError(f"{year}年度は既に開始されています。同じ年度を二度開始することはできません。")

    projects = db.session.scalars(select(Project).where(Project.active.is_(True))
                                  .order_by(Project.number)).all()
    sources = latest_approved([p.id for p in projects], year)
    summary = OpenSummary(cycle=cycle)
    store = storage.store()
    now = utcnow()
    for project in projects:
        source = sources.get(project.id)
        if source is None:
            # Nobody has saved it yet (webapp.last_change): no 「最終保存」 by the opener.
            sheet = Sheet(project=project, cycle=cycle, state=State.NOT_STARTED.value, version=1,
                          created_at=now, updated_at=now, updated_by_id=None)
            db.session.add(sheet)
            summary.not_started.append(sheet)
            continue
        sheet = carry_forward(source, cycle, store)
        sheet.created_at = sheet.updated_at = now
        sheet.updated_by_id = None
        db.session.add(sheet)
        carried_forward(sheet, source.cycle.year, user)
        summary.carried.append(sheet)
    db.session.flush()
    audit.record(user, "cycle_open", "cycle", cycle.year, summary.message,
                 {"is_open": (None, True), "deadline": (None, deadline),
                  "report_title": (None, cycle.report_title)})
    return summary


def carry_forward(source: Sheet, cycle: ReportingCycle, store) -> Sheet:
    """A sheet for `cycle` holding what carries over from the approved `source` sheet, in the
    state the year's opening gives it (未着手 until its organisation first saves it): last
    year's content, through this year's template's carry rules, written by the one writer."""
    sheet = Sheet(project_id=source.project_id, cycle=cycle,
                  state=SYSTEM_TRANSITIONS["open"].target.value, version=1)
    content = carried_content(sheet_to_dict(source), schema(cycle.year), cycle.year)
    # Each year owns its files: removing a photo from this year's draft must never
    # take it out of last year's approved sheet.
    images = [_copied(f, store) for f in source.figures][:len(content["figures"])]
    write_content(sheet, content, images=images)
    return sheet


def _copied(figure: Figure, store):
    name = copy_stored(figure.image_file, store) if figure.image_file else None
    return SimpleNamespace(name=name, width=figure.image_width, height=figure.image_height) \
        if name else None


def carried_content(last: dict, template: SheetSchema, year: int) -> dict:
    """Next year's starting content from last year's: each section, and each field inside
    the structured ones, by its carry rule (KEEP or BLANK; a text section may also start
    from another's text, "from:<key>"); a KPI with a history gets a row for `year`."""
    content = copy.deepcopy(last)
    for section in template.text_sections:
        if section.carry == KEEP:
            text = template.text(last, section.key)
        elif section.carry.startswith("from:"):
            text = template.text(last, section.carry[len("from:"):])
        else:
            text = ""
        template.put_text(content, section.key, text)

    def blank(fields, item: dict) -> None:
        for f in fields:
            parent = item
            for part in f.where[:-1]:
                parent = parent.get(part) if isinstance(parent, dict) else None
            if f.carry != KEEP and isinstance(parent, dict):   # not in a part that is not there
                f.put(item, f.empty())

    kpis, roadmap, figures = (template.part(kind) for kind in (KPIS, ROADMAP, FIGURES))
    targets = content.setdefault("targets", {"target_year": None, "label": "", "kpis": []})
    if kpis is None or kpis.carry != KEEP:
        targets["kpis"] = []
    for part in (kpis, roadmap, figures):
        if part is not None and part.carry == KEEP:
            blank(part.sheet_fields, content)
    for kpi in targets["kpis"]:
        blank(kpis.entry_fields, kpi)
        for point in kpi.get("series") or []:
            blank(kpis.series_fields, point)
        if kpi.get("series") and not any(p.get("year") == year for p in kpi["series"]):
            kpi["series"].append(kpis.point({"year": year}))   # this year's row to fill in
    if roadmap is None or roadmap.carry != KEEP:
        content["roadmap"] = None
    for row in (content.get("roadmap") or {}).get("rows") or []:
        blank(roadmap.entry_fields, row)
    if figures is None or figures.carry != KEEP:
        content["figures"] = []
    for item in content.get("figures") or []:
        blank(figures.entry_fields, item)
    return content


def close_cycle(year: int, user: User | None = None) -> ReportingCycle:
    cycle = _existing(year)
    if not cycle.is_open:
        raise CycleError(f"{year}年度の受付は既に締め切られています。")
    cycle.is_open = False
    audit.record(user, "cycle_close", "cycle", year, f"{year}年度の受付を締切",
                 {"is_open": (True, False)})
    return cycle


def reopen_cycle(year: int, user: User | None = None) -> ReportingCycle:
    cycle = _existing(year)
    if cycle.is_open:
        raise CycleError(f"{year}年度は既に受付中です。")
    cycle.is_open = True
    audit.record(user, "cycle_reopen", "cycle", year, f"{year}年度の受付を再開",
                 {"is_open": (False, True)})
    return cycle


def set_deadline(year: int, deadline: dt.date | None, user: User | None = None) -> ReportingCycle:
    cycle = _existing(year)
    before, cycle.deadline = cycle.deadline, deadline
    audit.record(user, "cycle_deadline", "cycle", year, f"{year}年度の提出期限を変更",
                 {"deadline": (before, deadline)})
    return cycle


def report_date_problem(year: int, raw: str) -> str | None:
    """Why `raw` is not a cover date for year Y's report (None: it is one). The
    reports page, `flask set-report-date` and the report file's `report_date` say the same."""
    try:
        value = dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return "日付は YYYY-MM-DD の形で入力してください（例: 2024-03-31）。"
    if len(raw) != 10:
        return "日付は YYYY-MM-DD の形で入力してください（例: 2024-03-31）。"
    if not (year <= value.year <= year + 2):
        return f"表紙の日付は{year}年から{year + 2}年の間で指定してください。"
    return None


def parse_report_date(year: int, raw: str) -> dt.date:
    problem = report_date_problem(year, raw)
    if problem:
        raise CycleError(problem)
    return dt.date.fromisoformat(raw)


def set_report_date(year: int, report_date: dt.date | None,
                    user: User | None = None) -> ReportingCycle:
    """The date printed on the compiled report's cover (None: taken from the approvals)."""
    cycle = _existing(year)
    if report_date is not None:
        parse_report_date(year, report_date.isoformat())   # the same range as typed dates
    before, cycle.report_date = cycle.report_date, report_date
    audit.record(user, "cycle_report_date", "cycle", year, f"{year}年度の報告書の日付を変更",
                 {"report_date": (before, report_date)})
    return cycle


def _existing(year: int) -> ReportingCycle:
    cycle = get_cycle(year)
    if cycle is None:
        raise CycleError(f"{year}年度はまだ開始されていません。")
    return cycle


def state_counts() -> dict[int, dict[str, int]]:
    """cycle id -> {state: number of sheets}, in one query."""
    counts: dict[int, dict[str, int]] = {}
    for cycle_id, state, n in db.session.execute(
            select(Sheet.cycle_id, Sheet.state, func.count()).group_by(Sheet.cycle_id, Sheet.state)):
        counts.setdefault(cycle_id, {})[state] = n
    return counts
