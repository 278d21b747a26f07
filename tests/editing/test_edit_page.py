"""The edit page: the printed sheet's sections and headings, last year's plans beside this year's
results, counters, every editor working without JavaScript, autosave answers."""
from __future__ import annotations

import pytest

from tests.editing.conftest import form_fields, sheet24, sheet_fields
from tests.htmlpage import Page, text_of
from webapp.extensions import db
from webapp.models import Sheet


def test_sections_come_in_printed_order_with_printed_headings(app24, f, client24, oita):
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    form = page.by_id("sheet-form")
    headings = [text_of(h) for h in form.iter() if h.tag.endswith("}h2")]
    groups = [h for h in headings if h in (
        "目的", "２０２４年度の活動実績（主要な取組）と評価", "プロジェクトを推進する上での課題",
        "設定目標（２０３０年）", "２０２５年度以降の取組（計画）", "ロードマップ（任意）", "図表・写真（任意）")]
    assert groups == ["目的", "２０２４年度の活動実績（主要な取組）と評価", "プロジェクトを推進する上での課題",
                      "設定目標（２０３０年）", "２０２５年度以降の取組（計画）", "ロードマップ（任意）",
                      "図表・写真（任意）"]
    labels = [text_of(l) for l in page.all("label") if (l.get("for") or "") in (
        "results_actions", "results_perspectives", "results_evaluation", "plans_actions", "plans_outlook")]
    assert labels == [
        "○具体的取組（２０２４年度の活動実績（主要な取組）と評価）",
        "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組（２０２４年度の活動実績（主要な取組）と評価）",
        "○２０２４年度の評価（２０２４年度の活動実績（主要な取組）と評価）",
        "○具体的取組（２０２５年度以降の取組（計画））",
        "○今後の目標、達成見込み（２０２５年度以降の取組（計画））",
    ]
    names = [e.get("name") for e in form.iter() if e.get("name") in (
        "purpose", "results_actions", "results_perspectives", "results_evaluation", "challenges",
        "target_text", "plans_actions", "plans_outlook")]
    assert names == ["purpose", "results_actions", "results_perspectives", "results_evaluation",
                     "challenges", "target_text", "plans_actions", "plans_outlook"]


def test_last_years_plans_are_shown_beside_this_years_results(app24, f, client24, oita):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    aside = page.by_id("carried-plans")
    assert aside is not None
    text = text_of(aside)
    assert "前年度の個票の「２０２４年度以降の取組（計画）」" in text
    assert "500件を目標として取り組んでいるが" in text
    assert page.by_id("carried-results_evaluation") is not None
    # and they are the starting text of the results, already in the fields
    areas = {e.get("name"): "".join(e.itertext()) for e in page.all("textarea")}
    assert areas["results_evaluation"] == f.sheet_of(2, 2023).text("plans_outlook")


def test_counters_show_characters_without_line_breaks(app24, f, client24, oita):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    expected = len(sheet.text("purpose").replace("\n", ""))
    assert text_of(page.by_id("purpose-count")) == f"{expected} / 4,000文字"
    assert page.by_id("purpose").get("aria-describedby") == "purpose-count"


def test_previous_years_text_is_offered_under_each_field(app24, f, client24, oita):
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    block = page.by_id("block-challenges")
    assert "前年度（2023年度）の記載を見る" in text_of(block)
    assert "新規案件が減少傾向にある" in text_of(block)


def test_saving_the_story_edits(app24, f, client24, oita):
    """Text edited, the 2024 actual typed in full-width digits, a roadmap row added."""
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["results_actions"] = "・実務者会議を開催\n  第１回（24.8、鹿児島県）"
    fields["kpis-0-series-7-actual"] = "２，１３４"
    fields["kpis-0-series-7-label"] = "24.12"
    fields.update({"roadmap_title": "活動内容", "roadmap_years": "2024、2025、2026",
                   "roadmap_rows-0-activity": "実務者会議", "roadmap_rows-0-detail": "年２回開催",
                   "roadmap_rows-0-from_year": "2024", "roadmap_rows-0-to_year": "2026"})
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/sheets/{sheet.id}/edit?saved=2"
    followed = Page(client24.get(response.headers["Location"]))
    assert "保存しました（" in followed.text
    db.session.refresh(sheet)
    assert sheet.text("results_actions") == "・実務者会議を開催\n  第１回（24.8、鹿児島県）"
    point = sheet.kpis[0].values[-1]
    assert (point.year, point.actual, point.label) == (2024, 2134, "24.12")
    assert sheet.roadmap_title == "活動内容" and sheet.roadmap_years == ["2024", "2025", "2026"]
    assert [(r.activity, r.from_year, r.to_year) for r in sheet.roadmap_rows] == [("実務者会議", "2024", "2026")]
    assert followed.input_value("kpis-0-series-7-actual") == "2,134"
    assert sheet.updated_by_id == oita.id


@pytest.mark.parametrize("op,check", [
    ("add-kpis", lambda p: p.input_value("kpis-1-series-0-year") == "2024"),
    ("add-series-0", lambda p: p.input_value("kpis-0-series-8-year") == "2024"),
    ("remove-series-0-0", lambda p: p.input_value("kpis-0-series-0-label") == "16.3"),
    ("add-roadmap_rows", lambda p: p.input_value("roadmap_rows-0-from_year") == ""),
    ("add-figures", lambda p: p.selected("figures-1-kind") == "photo"),
    ("remove-figures-0", lambda p: p.input_value("figures-0-caption") is None),
])
def test_editors_work_without_javascript_and_save_nothing_until_asked(app24, f, client24, oita, op, check):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "・書きかけの課題"
    response = client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": op})
    assert response.status_code == 200
    page = Page(response)
    assert check(page)
    assert "まだ保存されていません" in page.text
    assert "・書きかけの課題" in page.html       # what was typed stays
    db.session.refresh(sheet)
    assert sheet.version == 1


def test_kpis_can_be_reordered_without_javascript(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields.update({"kpis-1-name": "二つ目の指標", "kpis-1-unit": "人"})
    page = Page(client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": "up-kpis-1"}))
    assert "".join(next(e for e in page.all("textarea") if e.get("name") == "kpis-0-name").itertext()) == "二つ目の指標"
    assert page.input_value("kpis-1-unit") == "件"


def test_a_bad_op_is_a_bad_request(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    assert client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": "explode-kpis-1"}).status_code == 400
    assert client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": "add-series-9"}).status_code == 400


def test_preview_link_opens_the_sheets_pdf(app24, f, client24, oita):
    sheet = sheet24(f)
    link = Page(client24.get(f"/sheets/{sheet.id}/edit")).by_id("preview-link")
    assert link is not None and link.get("href") == f"/sheets/{sheet.id}/pdf"
    pdf = client24.get(link.get("href"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_autosave_answers_with_the_new_version(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "・自動保存された課題"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert answer.status_code == 200
    assert answer.json["ok"] is True and answer.json["changed"] is True and answer.json["version"] == 2
    assert answer.json["message"].startswith("自動保存しました（")
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).text("challenges") == "・自動保存された課題"
    # the next autosave starts from version 2
    fields.update({"version": "2", "challenges": "・さらに書き足した課題"})
    assert client24.post(f"/sheets/{sheet.id}/autosave", data=fields).json["version"] == 3


def test_autosave_reports_errors_and_saves_nothing(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["kpis-0-series-7-actual"] = "many"
    fields["challenges"] = "・書いた課題"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert answer.status_code == 422
    assert answer.json["reason"] == "invalid"
    assert answer.json["errors"] == [{
        "field": "kpis-0-series-7-actual",
        "message": "KPI 1『九州内における地熱・温泉熱活用プロジェクト組成…』2024年度の実績: 数値ではありません（\"many\"）"}]
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).version == 1


def test_a_submitted_sheet_cannot_be_autosaved_into(app24, f, client24, oita):
    sheet = sheet24(f)
    from webapp.operations import transition
    client24.post(f"/sheets/{sheet.id}/edit", data=form_fields(client24, sheet.id))  # started
    db.session.refresh(sheet)
    transition(oita, sheet, "submit")
    db.session.commit()
    fields = sheet_fields(sheet)  # as posted by a tab opened before the submission
    fields["challenges"] = "・提出後に書いた"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert answer.status_code == 409 and answer.json["reason"] == "locked"
    assert "「提出済」のため編集できません" in answer.json["message"]
    page = Page(client24.post(f"/sheets/{sheet.id}/edit", data=fields))
    assert "・提出後に書いた" in page.html and page.by_id("locked-message") is not None
    assert page.by_id("save-button") is None
