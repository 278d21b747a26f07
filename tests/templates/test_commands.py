"""The secretariat changes FY2024's sheet with the two commands.

They export the year's template, rename ○具体的取組 of the results box to
○主な取組, add an optional section ○デジタル化の取組 by copying a section's
object with a new key and heading, and import it. The FY2024 editor and sheet
page follow; FY2023 keeps its own headings. A file that would drop entered
text, or that says something wrong, is refused (exit 1) and changes nothing.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.editing.conftest import form_fields, sheet24
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import AuditEvent, ReportingCycle


@pytest.fixture
def secretariat(app24, f):
    return f.secretariat(email="jimukyoku@example.jp")


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def export(app, year, path) -> dict:
    result = run(app, "export-template", "--year", str(year), str(path))
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def write(path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def renamed_and_extended(data: dict) -> dict:
    """○具体的取組 → ○主な取組 in the results box; ○デジタル化の取組 added after it."""
    sections = data["sections"]
    actions = next(s for s in sections if s["key"] == "results_actions")
    actions["heading"] = "○主な取組"
    digital = {**next(s for s in sections if s["key"] == "results_perspectives"),
               "key": "results_digital", "heading": "○デジタル化の取組", "required": False}
    del digital["path"]   # a new section's path is derived: ["extra", key]
    sections.insert(sections.index(actions) + 1, digital)
    return data


def stored_template(year):
    return db.session.scalar(select(ReportingCycle.sheet_template).where(ReportingCycle.year == year))


def test_export_edit_import_and_the_year_follows(app24, client24, oita, f, secretariat, tmp_path):
    path = tmp_path / "fy2024.json"
    data = export(app24, 2024, path)
    assert data["version"] == 1
    assert [s["key"] for s in data["sections"]][:3] == [
        "purpose", "results_actions", "results_perspectives"]
    write(path, renamed_and_extended(data))

    result = run(app24, "import-template", "--year", "2024", str(path), "--by", secretariat.email)
    assert result.exit_code == 0, result.output
    assert result.output == ("2024年度の個票の様式を変更しました（第2版）: ○具体的取組 → ○主な取組、"
                             "欄を追加: ２０２４年度の活動実績（主要な取組）と評価／○デジタル化の取組"
                             "（２０２４年度の活動実績（主要な取組）と評価）\n")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "template_change")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (secretariat.id, "cycle", 2024)
    assert event.changes == {"sections.results_actions.heading": ["○具体的取組", "○主な取組"],
                             "sections.results_digital": [None, "○デジタル化の取組"],
                             "version": [1, 2]}

    sheet = sheet24(f)
    edit = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert "○主な取組" in edit.text and "○デジタル化の取組" in edit.text
    assert edit.by_id("results_digital").get("name") == "results_digital"
    fields = form_fields(client24, sheet.id)
    fields["results_digital"] = "・申請の電子化"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    assert sheet24(f).text("results_digital") == "・申請の電子化"
    page = Page(client24.get(f"/sheets/{sheet.id}")).text
    assert "○主な取組" in page and "○デジタル化の取組" in page and "申請の電子化" in page

    # FY2023 keeps the built-in template and its headings
    assert stored_template(2023) is None
    page23 = Page(client24.get(f"/sheets/{f.sheet_of(2, 2023).id}")).text
    assert "○具体的取組" in page23 and "○主な取組" not in page23 and "デジタル化" not in page23


def test_an_export_imported_again_changes_nothing(app24, f, secretariat, tmp_path):
    path = tmp_path / "fy2024.json"
    write(path, renamed_and_extended(export(app24, 2024, path)))
    assert run(app24, "import-template", "--year", "2024", str(path),
               "--by", secretariat.email).exit_code == 0
    again = tmp_path / "again.json"
    first = export(app24, 2024, again)
    assert first["version"] == 2
    result = run(app24, "import-template", "--year", "2024", str(again), "--by", secretariat.email)
    assert (result.exit_code, result.output) == (0, "2024年度の個票の様式に変更はありません。\n")
    assert export(app24, 2024, tmp_path / "third.json") == first
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "template_change")).all()) == 1


def test_removing_a_section_that_holds_text_is_refused_naming_the_sheet(
        app24, f, secretariat, tmp_path):
    path = tmp_path / "fy2024.json"
    data = export(app24, 2024, path)
    sheet = sheet24(f)
    sheet.texts = {**sheet.texts, "results_perspectives": "・脱炭素の観点"}
    db.session.commit()
    data["sections"] = [s for s in data["sections"] if s["key"] != "results_perspectives"]
    write(path, data)

    result = run(app24, "import-template", "--year", "2024", str(path), "--by", secretariat.email)
    assert result.exit_code == 1
    assert result.output == (
        "エラー: 入力済みの内容がある欄は削除できません（内容はそのままです）: "
        "「２０２４年度の活動実績（主要な取組）と評価／" "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組」は "
        "2番『地熱・温泉熱エネルギー産業拠点化推進プロジェクト』 に入力があります。様式は変更していません。\n")
    db.session.expire_all()
    assert stored_template(2024) is None
    assert sheet24(f).text("results_perspectives") == "・脱炭素の観点"


def test_a_bad_file_names_each_problem_by_path_and_changes_nothing(app24, f, secretariat, tmp_path):
    path = tmp_path / "fy2024.json"
    data = export(app24, 2024, path)
    data["sections"][3]["heading"] = ""
    data["sections"][1]["heading"] = "○{X}年度の取組"
    data["sections"][0]["colour"] = "red"
    data["sections"][2]["limit"] = 99999
    write(path, data)

    result = run(app24, "import-template", "--year", "2024", str(path), "--by", secretariat.email)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"エラー: {path} の様式に問題があります。様式は変更していません。",
        "エラー: sections[0].colour: 不明な項目です",
        "エラー: sections[1].heading: 「{X}」は使えません（使えるのは {Y}（年度）と {Y1}（翌年度）だけです）",
        "エラー: sections[2].limit: 1～4000の文字数で書いてください",
        "エラー: sections[3].heading: 空にはできません",
    ]
    assert stored_template(2024) is None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "template_change")).all() == []


def test_a_coordinator_cannot_import_a_template(app24, f, oita, tmp_path):
    path = tmp_path / "fy2024.json"
    write(path, renamed_and_extended(export(app24, 2024, path)))
    result = run(app24, "import-template", "--year", "2024", str(path), "--by", oita.email)
    assert (result.exit_code, result.output) == (
        1, "エラー: 個票の様式を変更する権限がありません。様式は変更していません。\n")
    assert stored_template(2024) is None


def test_a_file_exported_before_a_later_change_is_refused(app24, f, secretariat, tmp_path):
    old = tmp_path / "old.json"
    data = export(app24, 2024, old)
    write(old, renamed_and_extended(data))
    assert run(app24, "import-template", "--year", "2024", str(old),
               "--by", secretariat.email).exit_code == 0
    data["sections"] = [s for s in data["sections"] if s["key"] != "results_digital"]
    data["boxes"][0]["heading"] = "目的と背景"          # made from 第1版, which is gone
    write(old, data)
    result = run(app24, "import-template", "--year", "2024", str(old), "--by", secretariat.email)
    assert (result.exit_code, result.output) == (1, (
        "エラー: 2024年度の個票の様式は、この変更の元にした第1版の後に変更されています（現在は第2版）。"
        "最新の様式を開き直してから変更してください。様式は変更していません。\n"))
    assert export(app24, 2024, tmp_path / "now.json")["boxes"][0]["heading"] == "目的"
