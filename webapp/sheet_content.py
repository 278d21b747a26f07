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
from sqlalchemy.orm import selectinload

from dataclasses import dataclass

from webapp import audit
from webapp.content_text import section_texts
from webapp.extensions import db
from webapp.models import (Figure, Kpi, KpiValue, Project, ProjectOrganisation, ReportingCycle, RoadmapRow,
                           Sheet)
from webapp.sheet_schema import (COUNCIL_SHEET, FIGURES, FLAG, KPIS, LINES, NUMBER, ROADMAP, Field,
                                 Section, schema)
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


# ---------------------------------------------------------------- fields <-> rows

def _column(row, key: str):
    """The table column named `key` of `row`'s table, or None (the field lives in `extra`)."""
    return type(row).__table__.c.get(key)


def stored_value(row, f: Field):
    """A field's value on a row (a Kpi, KpiValue, RoadmapRow, Figure or the Sheet), as
    the content dict holds it: its own column when the table has one, else `extra`."""
    if _column(row, f.key) is not None:
        value = getattr(row, f.key)
    else:
        value = (getattr(row, "extra", None) or {}).get(f.key)
    if f.kind == NUMBER:
        return number_out(number_in(value))
    if f.kind == LINES and value is not None:
        return list(value)
    return f.empty() if value is None else value


def store_value(row, f: Field, value) -> None:
    """Write a field's content value to its column (or `extra`), only when it differs."""
    if f.kind == NUMBER:
        value = number_in(value)
    column = _column(row, f.key)
    if column is not None:
        if f.is_empty(value) and f.kind != FLAG and column.nullable:
            value = None
        elif value is None:
            value = f.empty()
        if getattr(row, f.key) != value:
            setattr(row, f.key, value)
        return
    extra = dict(getattr(row, "extra", None) or {})
    if f.is_empty(value):
        extra.pop(f.key, None)
    else:
        extra[f.key] = str(value) if isinstance(value, Decimal) else value
    if extra != (row.extra or {}):
        row.extra = extra


def _kpi_dict(section: Section, kpi: Kpi) -> dict:
    series = [section.point({f.key: stored_value(p, f) for f in section.series_fields})
              for p in kpi.values]
    return section.item({f.key: stored_value(kpi, f) for f in section.entry_fields},
                        more={"series": series})


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
    sheet_schema = schema(sheet.cycle.year if sheet.cycle else None)
    kpis, roadmap, figures = (sheet_schema.part(kind) for kind in (KPIS, ROADMAP, FIGURES))
    content = {
        "number": project.number,
        "title": project.title,
        "lead_label": printed_lead_label(sheet),
        "lead_organizations": [o.name for o in project.lead_organisations],
        "co_organizations": [o.name for o in project.co_organisations],
        "targets": {"target_year": None, "label": "", "kpis": []},
        "roadmap": None,
        "figures": [],
    }
    for part in (kpis, roadmap, figures):
        for f in part.sheet_fields if part else ():
            f.put(content, stored_value(sheet, f))
    if kpis:
        content["targets"]["kpis"] = [_kpi_dict(kpis, k) for k in sheet.kpis]
    if roadmap and (sheet.roadmap_title is not None or sheet.roadmap_rows):
        content["roadmap"]["rows"] = [
            roadmap.item({f.key: stored_value(r, f) for f in roadmap.entry_fields})
            for r in sheet.roadmap_rows]
    else:
        content["roadmap"] = None
    for f in sheet.figures if figures else ():
        item = figures.item({field.key: stored_value(f, field) for field in figures.entry_fields})
        if image_path and f.image_file:
            path = image_path(f.image_file)
            if path:
                item["image_path"] = path
        content["figures"].append(item)
    for section in sheet_schema.text_sections:
        sheet_schema.put_text(content, section.key, sheet.text(section.key))
    return content


def texts_of(content: dict, year: int | None = None) -> dict[str, str]:
    """The text sections of a content dict, by section key (as `Sheet.texts` holds them),
    as year `year`'s template has them."""
    return schema(year).texts(content)


def write_content(sheet: Sheet, content: dict, *, images: list | None = None,
                  actor=None, reason: str | None = None) -> dict:
    """The one writer of a sheet's content: saving, importing and carrying forward
    all apply a (validated) content dict through here.  Not project data, not state.

    Text sections, the targets box and the roadmap head go to the sheet; KPIs
    with their series, roadmap rows and figures are updated in place by
    position (a field without a column of its own goes to the row's `extra`).
    `images`: the image of each figure (anything with name/width/height, or
    None); without it each position keeps the image it has, so re-importing
    text never drops a photo.  With `reason`, the audit record 「…：reason」 of
    the sections that changed is written (by `actor`); the import and the
    year's opening have theirs in their transition.  Returns {section: (before, after)}.
    """
    sheet_schema = schema(sheet.cycle.year if sheet.cycle else None)
    before = section_texts(sheet_to_dict(sheet), sheet_schema) if sheet.id is not None else {}
    sheet.texts = sheet_schema.texts(content)
    kpis, roadmap, figures = (sheet_schema.part(kind) for kind in (KPIS, ROADMAP, FIGURES))
    for part in (kpis, roadmap, figures):
        for f in part.sheet_fields if part else ():
            store_value(sheet, f, f.get(content))
    if roadmap and content.get("roadmap") is not None and sheet.roadmap_title is None:
        sheet.roadmap_title = ""    # the roadmap is there (its title may be blank)

    def fill(section: Section):
        def fill_row(row, item: dict) -> None:
            for f in section.entry_fields:
                store_value(row, f, f.get(item))
        return fill_row

    if kpis:
        def fill_kpi(kpi: Kpi, item: dict) -> None:
            fill(kpis)(kpi, item)
            _update_rows(kpi.values, item.get("series") or [], lambda j: KpiValue(position=j),
                         lambda point, p: [store_value(point, f, f.get(p)) for f in kpis.series_fields])
        _update_rows(sheet.kpis, (content.get("targets") or {}).get("kpis") or [],
                     lambda i: Kpi(position=i), fill_kpi)
    if roadmap:
        _update_rows(sheet.roadmap_rows, (content.get("roadmap") or {}).get("rows") or [],
                     lambda i: RoadmapRow(position=i), fill(roadmap))
    if figures:
        items = content.get("figures") or []
        if images is None:
            images = [f if f.image_file else None for f in sheet.figures]
            images = [_Image(f.image_file, f.image_width, f.image_height) if f else None
                      for f in images]
        images = list(images) + [None] * (len(items) - len(images))

        def fill_figure(row: Figure, pair) -> None:
            item, image = pair
            fill(figures)(row, item)
            for column, value in (("image_file", image.name if image else None),
                                  ("image_width", image.width if image else None),
                                  ("image_height", image.height if image else None)):
                if getattr(row, column) != value:
                    setattr(row, column, value)
        _update_rows(sheet.figures, list(zip(items, images)), lambda i: Figure(position=i),
                     fill_figure)
    changes = audit.diff(before, section_texts(content, sheet_schema))
    if reason is not None:
        audit.record(actor, "save", "sheet", sheet.id,
                     f"{sheet.cycle.year}年度 {sheet.project.number}番「{sheet.project.title}」：{reason}",
                     changes)
    return changes


@dataclass(frozen=True)
class _Image:
    name: str
    width: int | None
    height: int | None


def _update_rows(rows: list, items: list, make, fill) -> None:
    """Rows updated in place by position: the first len(items) rows get the items,
    new rows are added, rows beyond are removed."""
    existing = list(rows)
    for i, item in enumerate(items):
        if i < len(existing):
            fill(existing[i], item)
        else:
            row = make(i)
            fill(row, item)
            rows.append(row)
    for row in existing[len(items):]:
        rows.remove(row)


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
