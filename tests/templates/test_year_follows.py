"""After the secretariat changes FY2024's template with the commands, everything that shows
or carries a FY2024 sheet follows it: the Excel workbook, the JSON export and the 確認用
print, with the text typed into the new section; FY2023 keeps its own and its file
re-imports with no change."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.editing.conftest import form_fields, sheet24
from tests.reports.conftest import pdf_pages_text
from tests.templates.test_commands import export, renamed_and_extended, run, secretariat, write  # noqa: F401
from tests.test_import_export import dump_database, fy2023
from tests.workbooks.conftest import cells_of
from webapp import exactjson
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.report_io import import_report
from webapp.report_io.exporter import export_report
from webapp.reports import printer
from webapp.reports.inputs import collect


def test_the_workbook_json_and_print_follow_the_years_template(app24, client24, oita, f, secretariat,
                                                                tmp_path):
    path = tmp_path / "fy2024.json"
    write(path, renamed_and_extended(export(app24, 2024, path)))
    assert run(app24, "import-template", "--year", "2024", str(path),
               "--by", secretariat.email).exit_code == 0
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["results_digital"] = "・申請の電子化を進めた"
    fields["results_actions"] = "・地熱セミナーを開催した"
    fields["plans_actions"] = "・セミナーを続ける"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()

    # Excel: the new section has its cell, headed as the year words it, holding the text
    data = client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data
    title, cells = next(iter(cells_of(data).items()))
    assert "results_digital" in cells
    ws = load_workbook(io.BytesIO(data))[title]
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "○主な取組" in values and "○デジタル化の取組" in values
    assert "・申請の電子化を進めた" in values
    # (○具体的取組 stays as the plans box's own sub-heading)
    assert values.count("○具体的取組") == 1

    # JSON: the text where the template keeps a new section, and the template's version
    exported = exactjson.loads(exactjson.dumps(export_report(2024)))
    assert exported["template_version"] == 2
    project = next(p for p in exported["projects"] if p["number"] == 2)
    assert project["extra"]["results_digital"] == "・申請の電子化を進めた"

    # 確認用 print: the renamed heading, the new one and its text on the sheet's page
    inputs = collect(get_cycle(2024), draft=True)
    two = next(s for s in inputs.sheets if s["number"] == 2)
    pages = pdf_pages_text(printer.report_pdf(inputs.meta, 2024, [two], variant=None,
                                              marks=inputs.marks))
    sheet_page = next(p for p in pages if "申請の電子化を進めた" in p)
    assert "○主な取組" in sheet_page and "○デジタル化の取組" in sheet_page
    assert sheet_page.count("○具体的取組") == 1   # the plans box's, not the results box's


def test_fy2023_keeps_its_headings_and_its_file_re_imports_unchanged(app24, f, secretariat,
                                                                      tmp_path):
    path = tmp_path / "fy2024.json"
    write(path, renamed_and_extended(export(app24, 2024, path)))
    assert run(app24, "import-template", "--year", "2024", str(path),
               "--by", secretariat.email).exit_code == 0

    before = dump_database()
    summary = import_report(fy2023())
    db.session.commit()
    assert not summary.changed and summary.unchanged == 21
    assert dump_database() == before

    last_year = next(s for s in collect(get_cycle(2023)).sheets if s["number"] == 2)
    page = pdf_pages_text(printer.sheet_pdf(last_year, 2023))[0]
    assert "○具体的取組" in page and "○主な取組" not in page and "デジタル化" not in page
