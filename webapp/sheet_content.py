"""A sheet's content as a plain dict, in the report file's format.

This one shape is what import/export read and write, what the printer
prints, what a submitted version snapshots and what comparisons diff, so
that every part agrees on what "the content of a sheet" is. Where each text
section sits in it is the schema's (webapp.sheet_schema) to say.

KPI figures are Decimal (or int) throughout, never float: they come back
out exactly as they went in (see webapp.exactjson).
"""
from __future__ import annotations

import copy
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import object_session, selectinload

from webapp.extensions import db
from webapp.models import (Figure, Kpi, KpiValue, Project, ProjectOrganisation, ReportingCycle, RoadmapRow,
                           Sheet)
from webapp.sheet_schema import COUNCIL_SHEET, figure_item, schema
from webapp.workflow import State


def number_out(value: Decimal | None):
    """A stored figure as the content holds it: int when whole, else the exact Decimal."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value


def number_in(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _kpi_dict(kpi: Kpi) -> dict:
    target = {"year": kpi.target_year, "value": number_out(kpi.target_value)}
    if kpi.target_text is not None:
        target["text"] = kpi.target_text
    baseline = None
    if kpi.baseline_year is not None:
        baseline = {"year": kpi.baseline_year, "value": number_out(kpi.baseline_value)}
        if kpi.baseline_label is not None:
            baseline["label"] = kpi.baseline_label
    series = []
    for point in kpi.values:
        item = {"year": point.year, "target": number_out(point.target),
                "actual": number_out(point.actual)}
        if point.label is not None:
            item["label"] = point.label
        series.append(item)
    item = {"name": kpi.name, "unit": kpi.unit, "cumulative": kpi.cumulative,
            "target": target, "baseline": baseline, "series": series, "note": kpi.note}
    if kpi.direction:  # only when set: older files compare equal (see KPI_DIRECTIONS)
        item["direction"] = kpi.direction
    return item


def printed_lead_label(sheet: Sheet) -> str:
    """An approved sheet keeps the label it was approved with when the project's
    lead changes later (frozen by webapp.council.operations); others follow the project."""
    if sheet.state == State.APPROVED.value and sheet.approved_lead_label:
        return sheet.approved_lead_label
    return sheet.project.lead_label


def content_loads() -> tuple:
    """What sheet_to_dict reads, as loader options: a list of N sheets costs a few
    queries instead of several per sheet (the project's organisations included)."""
    return (selectinload(Sheet.kpis).selectinload(Kpi.values),
            selectinload(Sheet.roadmap_rows), selectinload(Sheet.figures),
            selectinload(Sheet.project).selectinload(Project.links)
            .selectinload(ProjectOrganisation.organisation))


def sheet_to_dict(sheet: Sheet, image_path=None) -> dict:
    """The sheet in export format; with `image_path` (stored name -> a local file, e.g.
    webapp.storage's `upload_path`), figures carry `image_path` for printing."""
    project = sheet.project
    roadmap = None
    if sheet.roadmap_title is not None or sheet.roadmap_rows:
        roadmap = {
            "title": sheet.roadmap_title or "",
            "years": list(sheet.roadmap_years or []),
            "rows": [{"activity": r.activity, "detail": r.detail, "from": r.from_year,
                      "to": r.to_year} for r in sheet.roadmap_rows],
        }
    figures = []
    for f in sheet.figures:
        item = figure_item(f.kind, f.caption, f.note, f.alt_text or "")
        if image_path and f.image_file:
            path = image_path(f.image_file)
            if path:
                item["image_path"] = path
        figures.append(item)
    content = {
        "number": project.number,
        "title": project.title,
        "lead_label": printed_lead_label(sheet),
        "lead_organizations": [o.name for o in project.lead_organisations],
        "co_organizations": [o.name for o in project.co_organisations],
        "targets": {"target_year": sheet.target_year, "label": sheet.target_label,
                    "kpis": [_kpi_dict(k) for k in sheet.kpis]},
        "roadmap": roadmap,
        "figures": figures,
    }
    sheet_schema = schema(sheet.cycle.year)
    for section in sheet_schema.text_sections:
        sheet_schema.put_text(content, section.key, sheet.text(section.key))
    return content


def texts_of(content: dict, year: int | None = None) -> dict[str, str]:
    """The text sections of a content dict, by section key (as `Sheet.texts` holds them),
    as year `year`'s template has them."""
    return schema(year).texts(content)


def apply_content(sheet: Sheet, data: dict, keep_figure_files: bool = True) -> None:
    """Replace the sheet's content (not project data, not state) with `data`.

    `data` must already be validated. Figures keep their uploaded image when
    the same position still has a figure, so re-importing text never drops
    a photo.
    """
    sheet.texts = texts_of(data, sheet.cycle.year)
    targets = data["targets"]
    sheet.target_year = targets["target_year"]
    sheet.target_label = targets["label"]

    old_images = ({f.position: (f.image_file, f.image_width, f.image_height) for f in sheet.figures}
                  if keep_figure_files else {})
    session = object_session(sheet)
    if session is not None and sheet.id is not None:
        # Delete the old parts first: the new ones reuse their (sheet_id, position),
        # and one flush would insert the new rows before deleting the old.
        sheet.kpis, sheet.roadmap_rows, sheet.figures = [], [], []
        session.flush()

    sheet.kpis = [_kpi_from(i, k) for i, k in enumerate(targets["kpis"])]

    roadmap = data.get("roadmap")
    if roadmap is None:
        sheet.roadmap_title, sheet.roadmap_years, sheet.roadmap_rows = None, None, []
    else:
        sheet.roadmap_title = roadmap["title"]
        sheet.roadmap_years = list(roadmap["years"])
        sheet.roadmap_rows = [RoadmapRow(position=i, activity=r["activity"], detail=r["detail"],
                                         from_year=r["from"], to_year=r["to"])
                              for i, r in enumerate(roadmap["rows"])]

    figures = []
    for i, f in enumerate(data.get("figures", [])):
        image_file, width, height = old_images.get(i, (None, None, None))
        figures.append(Figure(
            position=i, kind=f["kind"], caption=f["caption"], note=f["note"],
            alt_text=f.get("alt_text") or "",
            image_file=image_file, image_width=width, image_height=height))
    sheet.figures = figures


def _kpi_from(position: int, k: dict) -> Kpi:
    target = k["target"]
    baseline = k.get("baseline")
    return Kpi(
        position=position, name=k["name"], unit=k["unit"], cumulative=k["cumulative"],
        target_year=target.get("year"), target_value=number_in(target.get("value")),
        target_text=target.get("text"),
        baseline_year=baseline["year"] if baseline else None,
        baseline_value=number_in(baseline["value"]) if baseline else None,
        baseline_label=baseline.get("label") if baseline else None,
        note=k["note"], direction=k.get("direction") or None,
        values=[KpiValue(position=j, year=s["year"], target=number_in(s["target"]),
                         actual=number_in(s["actual"]), label=s.get("label"))
                for j, s in enumerate(k["series"])],
    )


def with_texts_kept(data: dict, current: dict, template) -> dict:
    """`data` (a file's sheet) with the text of every section it does not have at all taken
    from `current`: a file written before a section was added says nothing about it, so
    importing it keeps what was entered there and, when nothing else differs, changes nothing."""
    missing = [s.key for s in template.text_sections if not template.holds(data, s.key)]
    if not missing:
        return data
    data = copy.deepcopy(data)
    for key in missing:
        template.put_text(data, key, template.text(current, key))
    return data


def comparable(data: dict) -> dict:
    """The content as two equal sheets compare equal: without machine-local image paths,
    and with any float (a report file read by another program) as the Decimal it spells."""
    def exact(value):
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, dict):
            return {k: exact(v) for k, v in value.items() if k != "image_path"}
        if isinstance(value, list):
            return [exact(v) for v in value]
        return value
    return exact(data)


# ---------------------------------------------------------------- last year's approved sheet

def latest_approved(project_ids: list[int], before_year: int) -> dict[int, Sheet]:
    """project id -> its latest approved sheet of a year before `before_year`.

    "Last year's sheet" everywhere (carry-forward, the editor's reference
    texts, comparisons, the sheet page) means this: approved, and the most
    recent such year, which need not be the year just before.
    """
    if not project_ids:
        return {}
    rows = db.session.scalars(
        select(Sheet).join(ReportingCycle)
        .where(Sheet.project_id.in_(project_ids), Sheet.state == State.APPROVED.value,
               ReportingCycle.year < before_year)
        .order_by(ReportingCycle.year.desc())
        .options(*content_loads())).all()
    found: dict[int, Sheet] = {}
    for sheet in rows:
        found.setdefault(sheet.project_id, sheet)
    return found


def last_approved(sheet: Sheet) -> Sheet | None:
    return latest_approved([sheet.project_id], sheet.cycle.year).get(sheet.project_id)


def printable(content: dict, year: int | None = None) -> dict:
    """The content with plain numbers, for the printing package (which takes JSON types);
    with `year`, and that year's template other than the built-in one, the template
    goes with it under "template" (webapp.sheet_schema.template_of), since printing
    cannot look it up."""
    if year is not None:
        template = schema(year)
        if template != COUNCIL_SHEET:
            return {**_plain(content), "template": template}
    return _plain(content)


def _plain(content: dict) -> dict:
    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return plain(content)
