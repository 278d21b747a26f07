"""Files stay compatible when a year's template grows a section.

A report file exported before a section existed says nothing about that
section: re-importing it must change nothing (no new version, no
transition, no audit row), and must never blank text that was entered in
the new section since.  An export names the template version it was
written with.
"""
from __future__ import annotations

import dataclasses
import pytest

from tests.test_import_export import dump_database, fy2023
from webapp import exactjson
from webapp.extensions import db
from webapp.report_io import import_report
from webapp.report_io.exporter import export_report
from webapp.sheet_schema import COUNCIL_SHEET, Section, using

RISKS = Section("risks", "challenges", heading="○リスクと対応", path=("risks",), rows=3)
WITH_RISKS = dataclasses.replace(COUNCIL_SHEET, sections=COUNCIL_SHEET.sections + (RISKS,),
                                 version=2)


def test_an_export_names_the_template_version_it_was_written_with(fy2023_app):
    assert export_report(2023)["template_version"] == 1
    with using(WITH_RISKS):
        assert export_report(2023)["template_version"] == 2


def test_the_fy2023_file_re_imports_with_no_change_after_a_section_was_added(fy2023_app):
    old_file = fy2023()
    assert all("risks" not in p for p in old_file["projects"])
    before = dump_database()
    with using(WITH_RISKS):
        summary = import_report(old_file)
        db.session.commit()
    assert not summary.changed and summary.unchanged == 21
    assert dump_database() == before


def test_an_old_file_keeps_the_text_entered_since_in_the_new_section(fy2023_app, fy):
    old_file = fy2023()
    with using(WITH_RISKS):
        sheet = fy.sheet_of(3)
        sheet.texts = {**sheet.texts, "risks": "・人材確保が難しい"}
        db.session.commit()
        before = dump_database()
        summary = import_report(old_file)
        db.session.commit()
        assert not summary.changed
        assert dump_database() == before
        assert fy.sheet_of(3).text("risks") == "・人材確保が難しい"

        # a file that does name the section (empty) is obeyed
        exported = exactjson.loads(exactjson.dumps(export_report(2023)))
        project = next(p for p in exported["projects"] if p["number"] == 3)
        assert project["risks"] == "・人材確保が難しい"
        project["risks"] = ""
        summary = import_report(exported)
        db.session.commit()
        assert summary.updated == ["2023年度 個票3"]
        assert fy.sheet_of(3).text("risks") == ""


def test_a_file_naming_an_impossible_template_version_is_refused_by_path(fy2023_app):
    from webapp.report_io.validate import ReportFileError
    data = fy2023()
    data["template_version"] = 0
    with pytest.raises(ReportFileError) as refused:
        import_report(data)
    assert any(m.startswith("template_version") for m in refused.value.errors)
