"""Roadmap rows: the year columns come from the rows' spans; a half-filled row is a draft until 保存 or 提出."""
from __future__ import annotations

from tests.editing.conftest import form_fields, sheet24
from tests.editing.test_forms import _messages, _read
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.review.actions import submit_problems
from webapp.sheet_content import sheet_to_dict


def test_the_year_columns_come_from_the_rows_spans(app24, f):
    content, _, errors = _read(app24, sheet24(f), {
        "roadmap_title": "活動内容",
        "roadmap_rows-0-activity": "実務者会議", "roadmap_rows-0-from_year": "2024",
        "roadmap_rows-0-to_year": "2026",
        "roadmap_rows-1-activity": "現地視察", "roadmap_rows-1-from_year": "令和7年度",
        "roadmap_rows-1-to_year": "２０２７"})
    assert not errors
    assert content["roadmap"] == {"title": "活動内容", "years": ["2024", "2025", "2026", "2027"], "rows": [
        {"activity": "実務者会議", "detail": "", "from": "2024", "to": "2026"},
        {"activity": "現地視察", "detail": "", "from": "2025", "to": "2027"}]}


def test_typed_year_columns_are_kept_as_typed(app24, f):
    content, _, errors = _read(app24, sheet24(f), {
        "roadmap_title": "取組内容", "roadmap_years": "2024年度、2025年度、2026年度",
        "roadmap_rows-0-activity": "実務者会議", "roadmap_rows-0-from_year": "2025年度",
        "roadmap_rows-0-to_year": ""})
    assert not errors
    assert content["roadmap"]["years"] == ["2024年度", "2025年度", "2026年度"]
    assert content["roadmap"]["rows"][0]["from"] == "2025年度"
    assert content["roadmap"]["rows"][0]["to"] == "2026年度"


def test_a_span_too_long_for_the_columns_is_refused(app24, f):
    result = _read(app24, sheet24(f), {
        "roadmap_rows-0-activity": "実務者会議", "roadmap_rows-0-from_year": "2024",
        "roadmap_rows-0-to_year": "2050"})
    assert _messages(result) == [
        "ロードマップの期間（2024～2050、27年度分）が長すぎます。年度の列は15個までです"]


def test_a_half_filled_row_is_autosaved_as_a_draft(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data.update({"roadmap_title": "活動内容", "roadmap_rows-0-activity": "実務者会議"})
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=data)
    assert answer.status_code == 200 and answer.json["ok"] is True
    data.update({"version": str(answer.json["version"]), "roadmap_rows-0-from_year": "2024"})
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=data)
    assert answer.status_code == 200 and answer.json["ok"] is True
    data.update({"version": str(answer.json["version"]), "roadmap_rows-1-activity": "現地視察",
                 "roadmap_rows-1-from_year": "来年"})
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=data)
    assert answer.status_code == 200 and answer.json["ok"] is True
    db.session.expire_all()
    assert sheet_to_dict(sheet24(f))["roadmap"] == {"title": "活動内容", "years": ["2024"], "rows": [
        {"activity": "実務者会議", "detail": "", "from": "2024", "to": "2024"},
        {"activity": "現地視察", "detail": "", "from": "来年", "to": "2024"}]}


def test_save_and_submit_name_the_half_filled_row(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data.update({"roadmap_title": "活動内容", "roadmap_rows-0-activity": "実務者会議"})
    assert client24.post(f"/sheets/{sheet.id}/autosave", data=data).json["ok"] is True
    message = "ロードマップ 1行目『実務者会議』: 開始と終了の年度を入力してください（例: 2024）"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=data)
    assert response.status_code == 422
    assert message in Page(response).text
    db.session.expire_all()
    assert message in submit_problems(sheet24(f))


def test_an_autosave_of_a_row_without_years_says_at_once_that_saving_will_refuse_it(
        app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data.update({"roadmap_title": "活動内容", "roadmap_rows-0-activity": "実務者会議"})
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=data).json
    assert answer["ok"] is True                     # the draft is kept
    assert answer["warnings"] == [
        "ロードマップ 1行目『実務者会議』: 開始と終了の年度を入力してください（例: 2024）"]
    assert answer["warning"] == ("保存の際にエラーになります：ロードマップ 1行目『実務者会議』: "
                                 "開始と終了の年度を入力してください（例: 2024）")

    data.update({"version": str(answer["version"]), "roadmap_rows-0-from_year": "2024"})
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=data).json
    assert (answer["ok"], answer["warnings"], answer["warning"]) == (True, [], None)


def test_derived_columns_are_not_shown_as_typed_so_they_follow_the_rows(app24, f, client24, oita):
    sheet = sheet24(f)
    data = form_fields(client24, sheet.id)
    data.update({"roadmap_title": "活動内容", "roadmap_rows-0-activity": "実務者会議",
                 "roadmap_rows-0-from_year": "2024", "roadmap_rows-0-to_year": "2025"})
    assert client24.post(f"/sheets/{sheet.id}/edit", data=data).status_code == 303
    again = form_fields(client24, sheet.id)
    assert again["roadmap_years"] == ""
    again["roadmap_rows-0-to_year"] = "2027"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=again).status_code == 303
    db.session.expire_all()
    assert sheet_to_dict(sheet24(f))["roadmap"]["years"] == ["2024", "2025", "2026", "2027"]
