"""export-report: one year's sheets back out in the import format."""
from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Project, ReportingCycle, Sheet
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import schema

COUNCIL = "九州地域戦略会議"


class ExportError(Exception):
    pass


def export_report(year: int, approved_only: bool = False) -> dict:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise ExportError(f"{year}年度のデータがありません")
    query = (select(Sheet).join(Project).where(Sheet.cycle_id == cycle.id)
             .order_by(Project.number))
    if approved_only:
        query = query.where(Sheet.state == "approved")
    sheets = db.session.scalars(query).all()
    projects = [sheet_to_dict(s) for s in sheets]
    # Organisations in first-use order, as the report file lists them.
    seen: dict[str, str] = {}
    for sheet in sheets:
        for link in sorted(sheet.project.links, key=lambda l: (l.role != "lead", l.position)):
            seen.setdefault(link.organisation.name, link.organisation.kind)
    return {
        "council": COUNCIL,
        "fiscal_year": year,
        "title": cycle.report_title,
        # which of the year's template versions the sections follow (webapp.sheet_templates)
        "template_version": schema(year).version,
        # only when the secretariat set one: files without it import unchanged
        **({"report_date": cycle.report_date.isoformat()} if cycle.report_date else {}),
        "organizations": [{"name": n, "kind": k} for n, k in seen.items()],
        "projects": projects,
    }
