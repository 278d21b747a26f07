"""The sheet is declared once: a council that asks for one more section gets it everywhere.

A variant of the schema with one extra optional text section (○リスクと対応, in the
課題 box) is put in force, and nothing else changes: the section appears in the
edit form, is saved, exported, imported again, printed (read back from the PDF)
and compared.
"""
from __future__ import annotations

import dataclasses

import pytest

from tests.editing.conftest import form_fields, sheet24
from tests.htmlpage import Page
from tests.reports.conftest import pdf_pages_text
from webapp import exactjson
from webapp.extensions import db
from webapp.report_io import import_report
from webapp.report_io.exporter import export_report
from webapp.review.compare import compare
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import COUNCIL_SHEET, Section, using

RISKS = Section("risks", "challenges", heading="○リスクと対応", path=("risks",), rows=3)
WITH_RISKS = dataclasses.replace(COUNCIL_SHEET, sections=COUNCIL_SHEET.sections + (RISKS,))


@pytest.fixture
def risks():
    with using(WITH_RISKS):
        yield


def test_an_extra_section_flows_through_form_save_export_import_and_compare(
        app24, client24, oita, f, risks):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    area = page.by_id("risks")
    assert area is not None and area.get("name") == "risks"
    assert "○リスクと対応" in page.text

    fields = form_fields(client24, sheet.id)
    fields["risks"] = "・資材価格の高騰\n  代替工法を検討"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields)
    assert response.status_code == 303
    db.session.expire_all()
    saved = sheet24(f)
    assert saved.text("risks") == "・資材価格の高騰\n  代替工法を検討"

    exported = exactjson.loads(exactjson.dumps(export_report(2024)))
    project = next(p for p in exported["projects"] if p["number"] == 2)
    assert project["risks"] == "・資材価格の高騰\n  代替工法を検討"

    before = sheet_to_dict(saved)
    project["risks"] = "・資材価格の高騰（取込で更新）"
    project["results"]["actions"] = project["challenges"] = "・取込の前に書いた"  # required
    exported["projects"] = [project]
    import_report(exported)
    db.session.commit()
    db.session.expire_all()
    after = sheet24(f)
    assert after.text("risks") == "・資材価格の高騰（取込で更新）"

    # printed in its box, under its own heading, on the sheet's one page
    pdf = client24.get(f"/sheets/{after.id}/pdf").data
    pages = pdf_pages_text(pdf)
    assert len(pages) == 1
    flat = "".join(pages[0].split())
    assert "○リスクと対応" in flat and "資材価格の高騰（取込で更新）" in flat

    comparison = compare(before, sheet_to_dict(after), 2024, left_year=2024)
    field = next(x for x in comparison.fields if x.key == "risks")
    assert field.changed
    assert field.label == "プロジェクトを推進する上での課題／○リスクと対応"
    assert "取込で更新" in str(field.right)


def test_without_the_variant_there_is_no_such_section(app24, client24, oita, f):
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    assert page.by_id("risks") is None
