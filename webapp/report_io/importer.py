"""import-report: organisations, projects and one year's approved sheets, all or nothing."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from webapp import audit
from webapp.cycles import set_report_date
from webapp.extensions import db
from webapp.models import Organisation, Project, ProjectOrganisation, ReportingCycle, Sheet
from webapp.operations import import_approved
from webapp.report_io.system_user import system_user
from webapp.report_io.validate import (MAX_DEPTH, ReportFileError, parse_int, too_deep,
                                       validate_report)
from webapp.sheet_content import comparable, sheet_to_dict, with_texts_kept, write_content
from webapp.sheet_schema import schema
from webapp.timeutil import utcnow
from webapp.workflow import State


@dataclass
class ImportSummary:
    year: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def load_report_file(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ReportFileError([f"{path}: ファイルがありません"])
    except UnicodeDecodeError:
        raise ReportFileError([f"{path}: UTF-8 のテキストではありません"])
    deep = too_deep(text)
    if deep is not None:
        raise ReportFileError([f"{deep}: 入れ子が深すぎます（{MAX_DEPTH}段まで）"])
    try:
        # Long integers come back as HugeNumber, which validation reports by path;
        # decimals as the exact Decimal they spell.
        return json.loads(text, parse_int=parse_int, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ReportFileError([f"{path}: JSONとして読めません（{exc.lineno}行{exc.colno}列: {exc.msg}）"])
    except (RecursionError, ValueError) as exc:  # what too_deep and parse_int should have caught
        raise ReportFileError([f"{path}: JSONとして読めません（{type(exc).__name__}）"])


def import_report(data: dict) -> ImportSummary:
    """Validate, then apply in the current transaction; the caller commits.

    Nothing is written when validation fails. Records equal to the file are
    left untouched (no version bump, no log entry), so a second import of
    the same file changes nothing.
    """
    validate_report(data)
    summary = ImportSummary(year=data["fiscal_year"])
    orgs = _import_organisations(data["organizations"], summary)
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == data["fiscal_year"]))
    if cycle is None:
        cycle = ReportingCycle(year=data["fiscal_year"], is_open=False, report_title=data["title"])
        db.session.add(cycle)
        summary.created.append(f"{data['fiscal_year']}年度")
    elif cycle.report_title != data["title"]:
        cycle.report_title = data["title"]
        summary.updated.append(f"{data['fiscal_year']}年度の報告書名")
    if data.get("report_date"):
        # The file's cover date, if it has one; without it the cycle keeps its own
        # (an import is not an approval day: webapp.reports.inputs.report_date).
        when = dt.date.fromisoformat(data["report_date"])
        if cycle.report_date != when:
            db.session.flush()
            set_report_date(cycle.year, when, system_user())
            summary.updated.append(f"{data['fiscal_year']}年度の表紙の日付")
    for proj in data["projects"]:
        project = _import_project(proj, orgs, summary)
        _import_sheet(project, cycle, proj, summary)
    db.session.flush()
    return summary


def _import_organisations(items: list[dict], summary: ImportSummary) -> dict[str, Organisation]:
    existing = {o.name: o for o in db.session.scalars(select(Organisation))}
    for item in items:
        org = existing.get(item["name"])
        if org is None:
            org = Organisation(name=item["name"], kind=item["kind"])
            db.session.add(org)
            db.session.flush()
            existing[org.name] = org
            summary.created.append(org.name)
            audit.record(system_user(), "organisation_create", "organisation", org.id,
                         f"{org.name}を報告書ファイルから登録",
                         {"name": (None, org.name), "kind": (None, org.kind)})
        elif org.kind != item["kind"]:
            before, org.kind = org.kind, item["kind"]
            summary.updated.append(org.name)
            audit.record(system_user(), "organisation_update", "organisation", org.id,
                         f"{org.name}を報告書ファイルから変更", {"kind": (before, org.kind)})
    db.session.flush()
    return existing


def _import_project(proj: dict, orgs: dict[str, Organisation], summary: ImportSummary) -> Project:
    project = db.session.scalar(select(Project).where(Project.number == proj["number"]))
    wanted = [(orgs[n].id, "lead", i) for i, n in enumerate(proj["lead_organizations"])] + \
             [(orgs[n].id, "co", i) for i, n in enumerate(proj["co_organizations"])]
    if project is None:
        action, before, have = "project_create", {}, []
        project = Project(number=proj["number"], title=proj["title"], lead_label=proj["lead_label"])
        db.session.add(project)
        summary.created.append(f"プロジェクト{proj['number']}")
    else:
        have = sorted((l.organisation_id, l.role, l.position) for l in project.links)
        if (project.title, project.lead_label, have) == (proj["title"], proj["lead_label"], sorted(wanted)):
            return project
        action, before = "project_update", {"title": project.title, "lead_label": project.lead_label,
                                            "organisations": have}
        project.title, project.lead_label = proj["title"], proj["lead_label"]
        summary.updated.append(f"プロジェクト{proj['number']}")
    project.links = [ProjectOrganisation(organisation_id=oid, role=role, position=pos)
                     for oid, role, pos in wanted]
    db.session.flush()
    after = {"title": project.title, "lead_label": project.lead_label,
             "organisations": [list(link) for link in sorted(wanted)]}
    before = {k: [list(link) for link in v] if k == "organisations" else v for k, v in before.items()}
    audit.record(system_user(), action, "project", project.id,
                 f"プロジェクト{project.number}を報告書ファイルから"
                 + ("登録" if action == "project_create" else "変更"), audit.diff(before, after))
    return project


def _import_sheet(project: Project, cycle: ReportingCycle, proj: dict, summary: ImportSummary) -> None:
    sheet = None
    if project.id is not None and cycle.id is not None:
        sheet = db.session.scalar(select(Sheet).where(Sheet.project_id == project.id,
                                                      Sheet.cycle_id == cycle.id))
    label = f"{cycle.year}年度 個票{proj['number']}"
    before = None
    if sheet is not None:
        before = sheet_to_dict(sheet)
        proj = with_texts_kept(proj, before, schema(cycle.year))
        if comparable(before) == comparable(proj) and sheet.state == State.APPROVED.value:
            summary.unchanged += 1
            return
        summary.updated.append(label)
        sheet.version += 1
    else:
        sheet = Sheet(project=project, cycle=cycle, version=1, state=State.NOT_STARTED.value)
        db.session.add(sheet)
        summary.created.append(label)
    importer = system_user()
    write_content(sheet, proj)   # the audit row is the import's transition (import_approved)
    sheet.updated_at, sheet.updated_by = utcnow(), importer
    # The state, its record, the snapshot and the audit row: the operations layer's.
    import_approved(sheet, importer, before)
