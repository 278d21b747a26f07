"""Every field inside KPIs, series, roadmap and figures is declared once, in the sheet template.

The secretariat's council wants each KPI to say where its figures come from
(「出典」). A variant template adds that one optional per-KPI field, and the
field then travels the whole way: the edit form, the saved sheet, the sheet
page, the 確認用 print, the JSON export and import, the Excel workbook, the
comparison and the carry-forward into the next year.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import re

import pytest
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from tests.conftest import FY2023 as FY2023_DEMO
from tests.conftest import ROOT
from tests.editing.conftest import app24, client24, f, form_fields, fy_app, oita, sheet24  # noqa: F401
from tests.htmlpage import Page
from tests.test_one_definition import _files, _python_literals, _template_text
from tests.workbooks.conftest import cells_of, fill
from webapp import exactjson
from webapp.cycles import open_cycle
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.models import Kpi, SheetVersion, Transition
from webapp.report_io import import_report
from webapp.report_io.exporter import export_report
from webapp.review.compare import compare
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import COUNCIL_SHEET, KEEP, KPIS, LINE, Field, schema, using
from webapp.workbooks import export
from webapp.workbooks.reading import prepare, read_file

# The one template entry the new field needs.
SOURCE = Field("source", LINE, "出典", limit=200, optional=True, carry=KEEP)
WITH_SOURCE = dataclasses.replace(COUNCIL_SHEET, sections=tuple(
    dataclasses.replace(s, fields=s.fields + (SOURCE,)) if s.kind == KPIS else s
    for s in COUNCIL_SHEET.sections))

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"
FIRST_KPI = "九州内における地熱・温泉熱活用プロジェクト組成件数"


@pytest.fixture
def with_source():
    with using(WITH_SOURCE):
        yield


def _source_of(sheet) -> str:
    return sheet_to_dict(sheet)["targets"]["kpis"][0].get("source")


def test_an_optional_kpi_field_added_in_the_template_goes_everywhere(app24, client24, oita, f,
                                                                     with_source):
    sheet = sheet24(f)
    before = sheet_to_dict(sheet)
    assert before["targets"]["kpis"][0]["name"].startswith(FIRST_KPI)

    # The edit form has an input for it, labelled as the template says.
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    field = page.by_id("kpis-0-source")
    assert field is not None and field.get("name") == "kpis-0-source"
    assert "出典" in page.text

    # Typed and saved: it is stored with the KPI (in its extra fields, no migration).
    fields = form_fields(client24, sheet.id)
    fields["kpis-0-source"] = "九州経済産業局調べ"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    sheet = sheet24(f)
    assert sheet.kpis[0].extra == {"source": "九州経済産業局調べ"}
    assert _source_of(sheet) == "九州経済産業局調べ"

    # A too long one is refused with a message naming it.
    fields = form_fields(client24, sheet.id)
    fields["kpis-0-source"] = "出" * 201
    refused = Page(client24.post(f"/sheets/{sheet.id}/edit", data=fields))
    assert f"『KPI 1『{FIRST_KPI[:23]}…』の出典』は200文字以内にしてください（現在 201文字）" in refused.text

    # The sheet page and the 確認用 print show it after the KPI.
    assert "出典：九州経済産業局調べ" in Page(client24.get(f"/sheets/{sheet.id}")).text
    printed = "".join(extract_text(io.BytesIO(client24.get(f"/sheets/{sheet.id}/pdf").data)).split())
    assert "出典：九州経済産業局調べ" in printed

    # The Excel workbook has a cell for it under its label; a new value typed there is read back.
    workbook = export.workbook([sheet])
    cell = cells_of(workbook)[TITLE]["kpis-0-source"]
    ws = load_workbook(io.BytesIO(workbook))[TITLE]
    assert (ws.cell(ws[cell].row, 1).value, ws[cell].value) == ("出典", "九州経済産業局調べ")
    item = prepare(oita, read_file(fill(workbook, {"kpis-0-source": "九州経済産業局「地熱白書」"}),
                                   "f.xlsx")[0])
    assert [(c.key, "出典：九州経済産業局「地熱白書」" in c.mine) for c in item.changes] == [("kpi-1", True)]
    save_content(oita, sheet, item.base_version, item.content, item.images)
    db.session.commit()
    db.session.expire_all()
    sheet = sheet24(f)
    assert _source_of(sheet) == "九州経済産業局「地熱白書」"

    # The comparison names the change.
    comparison = compare(before, sheet_to_dict(sheet), 2024, left_year=2024)
    assert [(c.item, c.left, c.right, c.kind) for c in comparison.kpi_changes] == [
        ("出典", "－", "九州経済産業局「地熱白書」", "added")]
    kpis = next(x for x in comparison.fields if x.key == "kpis")
    assert kpis.changed and "出典：九州経済産業局「地熱白書」" in str(kpis.right)

    # JSON: exported with the KPI, and a changed file imported back.
    exported = exactjson.loads(exactjson.dumps(export_report(2024)))
    project = next(p for p in exported["projects"] if p["number"] == 2)
    assert project["targets"]["kpis"][0]["source"] == "九州経済産業局「地熱白書」"
    others = [k for p in exported["projects"] if p["number"] != 2 for k in p["targets"]["kpis"]]
    assert others and not any("source" in k for k in others)     # left out where empty
    project["targets"]["kpis"][0]["source"] = "九州経済産業局「地熱白書」2024年版"
    for key in ("actions", "evaluation"):
        project["results"][key] = project["results"][key] or "・取込の前に書いた"   # required
    project["challenges"] = project["challenges"] or "・取込の前に書いた"
    exported["projects"] = [project]
    import_report(exported)
    db.session.commit()
    db.session.expire_all()
    assert _source_of(sheet24(f)) == "九州経済産業局「地熱白書」2024年版"

    # The next year opens from the (now approved) sheet: the field is kept, per its carry rule.
    open_cycle(2025, dt.date(2026, 4, 30), None)
    db.session.commit()
    assert _source_of(f.sheet_of(2, 2025)) == "九州経済産業局「地熱白書」2024年版"
    # Files the field needed: webapp/sheet_schema.py's template (here: the variant above).
    # Storage: kpis.extra (migration 0019, once for every field added later).


def test_an_optional_field_of_a_kpi_year_is_saved_with_the_year_and_exported(app24, client24, oita, f):
    remark = Field("remark", LINE, "備考", limit=100, optional=True)
    variant = dataclasses.replace(COUNCIL_SHEET, sections=tuple(
        dataclasses.replace(s, point_fields=s.point_fields + (remark,)) if s.kind == KPIS else s
        for s in COUNCIL_SHEET.sections))
    with using(variant):
        sheet = sheet24(f)
        fields = form_fields(client24, sheet.id)
        assert "kpis-0-series-0-remark" in fields
        fields["kpis-0-series-0-remark"] = "速報値"
        assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
        db.session.expire_all()
        sheet = sheet24(f)
        assert sheet.kpis[0].values[0].extra == {"remark": "速報値"}
        series = sheet_to_dict(sheet)["targets"]["kpis"][0]["series"]
        assert series[0]["remark"] == "速報値" and all("remark" not in p for p in series[1:])
        assert "kpis-0-series-0-remark" in cells_of(export.workbook([sheet]))[TITLE]


def test_a_field_to_blank_each_year_starts_empty_in_the_next(app24, client24, oita, f):
    checked = dataclasses.replace(SOURCE, key="checked_on", label="確認日", carry="blank")
    variant = dataclasses.replace(COUNCIL_SHEET, sections=tuple(
        dataclasses.replace(s, fields=s.fields + (checked,)) if s.kind == KPIS else s
        for s in COUNCIL_SHEET.sections))
    with using(variant):
        content = sheet_to_dict(sheet24(f))
        content["targets"]["kpis"][0]["checked_on"] = "2025年3月"
        from webapp.cycles import carried_content
        carried = carried_content(content, schema(), 2025)
    assert "checked_on" not in carried["targets"]["kpis"][0]
    assert carried["targets"]["kpis"][0]["name"] == content["targets"]["kpis"][0]["name"]


def test_a_blank_rule_on_a_part_the_sheet_has_not_leaves_it_out(app24, f):
    """A sheet without a roadmap opens the next year without one, whatever the title's rule."""
    from webapp.cycles import carried_content
    from webapp.sheet_schema import ROADMAP
    variant = dataclasses.replace(COUNCIL_SHEET, sections=tuple(
        dataclasses.replace(s, head_fields=tuple(dataclasses.replace(h, carry="blank")
                                                 for h in s.head_fields)) if s.kind == ROADMAP else s
        for s in COUNCIL_SHEET.sections))
    content = sheet_to_dict(sheet24(f))
    content["roadmap"] = None
    with using(variant):
        assert carried_content(content, schema(), 2025)["roadmap"] is None
        content["roadmap"] = {"title": "活動内容", "years": ["2024"], "rows": []}
        assert carried_content(content, schema(), 2025)["roadmap"] == {"title": "", "years": [], "rows": []}


def test_a_kpi_without_its_name_is_not_submitted_and_the_message_names_the_field(app24, f):
    from webapp.review.actions import submit_problems
    sheet = sheet24(f)
    sheet.kpis[0].name = ""
    db.session.commit()
    assert "指標（KPI）のKPI 1 に未記入の欄があります：『指標名』" in submit_problems(sheet)


def test_without_the_variant_there_is_no_such_field(app24, client24, oita, f):
    assert Page(client24.get(f"/sheets/{sheet24(f).id}/edit")).by_id("kpis-0-source") is None


# ---------------------------------------------------------------- old files stay good

def _report_files() -> list[str]:
    """The FY2023 file the app is seeded with, and the council's own copy where it is at hand."""
    shared = [os.path.join(ROOT, "..", "shared", "data", "fy2023_report.json"),
              "/work/shared/data/fy2023_report.json"]
    return [FY2023_DEMO] + [next((p for p in shared if os.path.exists(p)), shared[-1])]


@pytest.mark.parametrize("path", _report_files(), ids=["demo_data", "shared"])
def test_the_fy2023_file_imports_again_with_no_change_and_exports_the_same(fy_app, path):
    if not os.path.exists(path):
        pytest.skip(f"{path} is not here")
    with open(path, encoding="utf-8") as fh:
        data = exactjson.load(fh)
    import_report(data)            # the seeded copy may differ from the council's: once
    db.session.commit()
    versions = db.session.query(SheetVersion).count()
    transitions = db.session.query(Transition).count()
    summary = import_report(data)  # and again: nothing to do
    db.session.commit()
    assert (summary.unchanged, summary.updated, summary.created) == (21, [], [])
    assert db.session.query(SheetVersion).count() == versions
    assert db.session.query(Transition).count() == transitions
    assert exactjson.loads(exactjson.dumps(export_report(2023)["projects"])) == data["projects"]
    assert db.session.query(Kpi).filter(Kpi.extra.isnot(None)).count() == 0


def test_a_workbook_written_before_still_imports(app24, oita, f):
    """A /2 workbook (and /1, see tests/workbooks/test_roundtrip.py) names its cells by form
    field: the names the template's keys still give."""
    sheet = sheet24(f)
    data = fill(export.workbook([sheet]), {"kpis-0-unit": "件（取込）"})
    item = prepare(oita, read_file(data, "f.xlsx")[0])
    assert [c.key for c in item.changes] == ["kpi-1"]
    assert item.content["targets"]["kpis"][0]["unit"] == "件（取込）"


# ---------------------------------------------------------------- each label written once

KPI_LABELS = ("name", "target_year", "target_value", "baseline_year", "baseline_value", "cumulative")


def _labels() -> list[str]:
    """指標名・目標年・目標値・基準年・基準値・累計値 and 設定目標, as the template words them."""
    part = schema().part(KPIS)
    return [part.field(key).label for key in KPI_LABELS] + [schema().box(part.box).heading]


def test_the_labels_come_from_the_template():
    assert _labels() == ["指標名", "目標年", "目標値", "基準年", "基準値", "累計値", "設定目標"]


def test_each_kpi_field_label_is_written_in_one_file_only():
    where: dict[str, set[str]] = {label: set() for label in _labels()}
    for path in _files():
        rel = os.path.relpath(path, ROOT)
        if path.endswith(".py"):
            literals = _python_literals(path)
            found = [label for label in where if label in literals]
        else:
            raw = re.sub(r"\{#.*?#\}", "", open(path, encoding="utf-8").read(), flags=re.S)
            text = _template_text(path)
            found = [label for label in where
                     if re.search(r"[>\"'「]" + re.escape(label) + r"[<\"'」]", text)
                     or re.search(r"[\"']" + re.escape(label) + r"[\"']", raw)]   # in {{ … }} too
        for label in found:
            where[label].add(rel)
    assert where == {label: {"webapp/sheet_schema.py"} for label in _labels()}


def test_the_template_serialises_field_by_field():
    """Simple values only (another part writes templates out as JSON with dataclasses.fields)."""
    for section in COUNCIL_SHEET.sections:
        for f in section.fields + section.point_fields + section.head_fields:
            json.dumps({x.name: getattr(f, x.name) for x in dataclasses.fields(f)})
