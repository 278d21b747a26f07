"""The secretariat changes FY2024's sheet on 「個票の様式」.

They rename ○具体的取組 of the results box to ○主な取組 and add an optional
section ○デジタル化の取組 to it; 大分県 then sees both in ②'s editor, types into
the new section and it is saved and shown; FY2023 keeps its headings. A section
that holds text cannot be removed (the confirmation page says which sheet);
after a submission only wording may change; a closed year not at all.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.editing.conftest import form_fields, sheet24
from tests.factories import PASSWORD, login
from tests.htmlpage import Page, csrf_token
from tests.reports.conftest import pdf_pages_text
from webapp.cycles import close_cycle, open_cycle
from webapp.editing import fit
from webapp.extensions import db
from webapp.models import AuditEvent, ReportingCycle
from webapp.operations import transition

URL = "/cycles/2024/template"


@pytest.fixture
def jimukyoku(app24, f):
    client = app24.test_client()
    user = f.secretariat(email="jimukyoku@example.jp")
    login(client, user)
    client.user = user
    return client


def rename_actions(client, heading="○主な取組"):
    fields = {"sec-results_actions-heading": heading, "sec-results_actions-label": "",
              "sec-results_actions-required": "y", "sec-results_actions-limit": "4000",
              "sec-results_actions-rows": "8"}
    return client.post(f"{URL}/sections/results_actions", data=fields)


def add_digital(client):
    return client.post(f"{URL}/boxes/results/sections", data={
        "new-results-key": "results_digital", "new-results-heading": "○デジタル化の取組",
        "new-results-rows": "4", "new-results-limit": "1000"})


def template_events():
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "template_change")
                              .order_by(AuditEvent.id)).all()


def test_rename_a_sub_heading_and_add_a_section_and_the_year_follows(app24, client24, oita, f,
                                                                     jimukyoku):
    page = Page(jimukyoku.get(URL))
    assert page.texts("h1") == ["2024年度の個票の様式（第1版）"]
    boxes = [h for h in page.texts("h2")]
    assert boxes[:3] == ["目的（左の列）", "２０２４年度の活動実績（主要な取組）と評価（左の列）",
                         "プロジェクトを推進する上での課題（左の列）"]

    response = rename_actions(jimukyoku)
    assert response.status_code == 303 and response.location.endswith(f"{URL}#sec-results_actions")
    response = add_digital(jimukyoku)
    assert response.status_code == 303
    page = Page(jimukyoku.get(URL))
    assert page.texts("h1") == ["2024年度の個票の様式（第3版）"]
    assert ("2024年度の個票の様式を変更しました（第3版）: 欄を追加: ２０２４年度の活動実績（主要な取組）と評価／"
            "○デジタル化の取組（２０２４年度の活動実績（主要な取組）と評価）") in page.text
    assert [e.summary for e in template_events()] == [
        "2024年度の個票の様式を変更しました（第2版）: ○具体的取組 → ○主な取組",
        "2024年度の個票の様式を変更しました（第3版）: 欄を追加: ２０２４年度の活動実績（主要な取組）と評価／"
        "○デジタル化の取組（２０２４年度の活動実績（主要な取組）と評価）"]
    assert all(e.actor_id == jimukyoku.user.id for e in template_events())

    sheet = sheet24(f)
    edit = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert "○主な取組" in edit.text and "○デジタル化の取組" in edit.text
    fields = form_fields(client24, sheet.id)
    fields["results_digital"] = "・申請の電子化"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    assert sheet24(f).text("results_digital") == "・申請の電子化"
    shown = Page(client24.get(f"/sheets/{sheet.id}")).text
    assert "○主な取組" in shown and "○デジタル化の取組" in shown and "申請の電子化" in shown

    page23 = Page(client24.get(f"/sheets/{f.sheet_of(2, 2023).id}")).text
    assert "○具体的取組" in page23 and "○主な取組" not in page23 and "デジタル化" not in page23


def test_the_preview_prints_the_years_first_sheet(app24, jimukyoku, f):
    response = jimukyoku.get(f"{URL}/preview")
    assert response.status_code == 303
    assert response.location.endswith(f"/sheets/{f.sheet_of(1, 2024).id}/pdf")


def test_errors_are_shown_beside_their_field(app24, jimukyoku):
    response = rename_actions(jimukyoku, heading="○{X}年度の取組")
    assert response.status_code == 422
    page = Page(response)
    assert "「{X}」は使えません（使えるのは {Y}（年度）と {Y1}（翌年度）だけです）" in page.text
    assert page.input_value("sec-results_actions-heading") == "○{X}年度の取組"
    response = add_digital(jimukyoku)
    response = jimukyoku.post(f"{URL}/boxes/results/sections", data={
        "new-results-key": "results_digital", "new-results-heading": "○二つ目",
        "new-results-rows": "4", "new-results-limit": "十"})
    assert response.status_code == 422
    assert "上限（文字数）は数字で入力してください（\"十\"）。" in Page(response).text
    assert len(template_events()) == 1


def test_a_section_holding_text_is_not_removed(app24, jimukyoku, f):
    sheet = sheet24(f, 7)
    sheet.texts = {**sheet.texts, "results_perspectives": "・脱炭素の観点"}
    db.session.commit()
    url = f"{URL}/sections/results_perspectives/remove"
    confirm = Page(jimukyoku.get(url))
    assert confirm.texts("h1") == ["「２０２４年度の活動実績（主要な取組）と評価／"
                                   "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組」を様式から削除しますか？"]
    assert jimukyoku.post(url, data={}).status_code == 422   # not confirmed
    response = jimukyoku.post(url, data={"confirm": "y"})
    assert response.status_code == 409
    assert ("は 7番『ヘルスケア産業振興プロジェクト』 に入力があります。"
            in Page(response).text)
    db.session.expire_all()
    assert sheet24(f, 7).text("results_perspectives") == "・脱炭素の観点"
    assert db.session.scalar(select(ReportingCycle.sheet_template)
                             .where(ReportingCycle.year == 2024)) is None
    assert template_events() == []


def test_an_empty_section_is_removed_after_confirming(app24, jimukyoku):
    assert add_digital(jimukyoku).status_code == 303
    response = jimukyoku.post(f"{URL}/sections/results_digital/remove", data={"confirm": "y"})
    assert response.status_code == 303
    page = Page(jimukyoku.get(URL))
    assert ("2024年度の個票の様式を変更しました（第3版）: 欄を削除: ２０２４年度の活動実績（主要な取組）と評価／"
            "○デジタル化の取組") in page.text
    assert not any("デジタル化" in h for h in page.texts("h3"))


def test_after_a_submission_only_wording_changes(app24, client24, oita, f, jimukyoku):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    transition(oita, sheet24(f), "submit")
    db.session.commit()

    response = add_digital(jimukyoku)
    assert response.status_code == 409
    assert ("2024年度は既に提出された個票があるため、見出しと項目名の変更だけができます"
            in Page(response).text)
    response = jimukyoku.post(f"{URL}/sections/results_evaluation/move", data={"direction": "up"})
    assert response.status_code == 409
    assert rename_actions(jimukyoku).status_code == 303
    assert [e.changes for e in template_events()] == [
        {"sections.results_actions.heading": ["○具体的取組", "○主な取組"], "version": [1, 2]}]


def test_a_closed_year_cannot_be_changed(app24, jimukyoku):
    close_cycle(2024, None)
    db.session.commit()
    response = rename_actions(jimukyoku)
    assert response.status_code == 409
    assert "2024年度の受付は締め切られているため、個票の様式は変更できません。" in Page(response).text
    assert template_events() == []


def test_the_preview_follows_a_change_of_the_template(app24, jimukyoku, f):
    sheet = f.sheet_of(1, 2024)
    before = pdf_pages_text(jimukyoku.get(f"/sheets/{sheet.id}/pdf").data)
    assert "○具体的取組" in before[0] and "○主な取組" not in before[0]
    assert rename_actions(jimukyoku).status_code == 303
    preview = jimukyoku.get(f"{URL}/preview", follow_redirects=True)
    assert preview.mimetype == "application/pdf"
    after = pdf_pages_text(preview.data)
    assert len(after) == 1 and "○主な取組" in after[0] and "○具体的取組" not in after[0]


def test_a_worker_prints_with_the_years_template_where_the_preview_looks(app24, jimukyoku, f):
    assert rename_actions(jimukyoku).status_code == 303
    sheet = f.sheet_of(3, 2024)
    fit.run_job(sheet.id, None, True)          # as an RQ worker would: no request about the sheet
    with app24.test_request_context(f"/sheets/{sheet.id}/pdf"):
        assert fit.preview(sheet, ask=False).state == "ready"


def test_a_section_moves_within_its_box(app24, jimukyoku):
    assert add_digital(jimukyoku).status_code == 303
    response = jimukyoku.post(f"{URL}/sections/results_digital/move", data={"direction": "up"})
    assert response.status_code == 303
    headings = [h for h in Page(jimukyoku.get(URL)).texts("h3") if h.startswith("２０２４年度の活動実績")]
    assert [h.split("／")[1].split(" ")[0] for h in headings] == [
        "○具体的取組", "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組", "○デジタル化の取組",
        "○２０２４年度の評価"]
    assert template_events()[-1].summary == "2024年度の個票の様式を変更しました（第3版）: 欄の順序を変更"
    buttons = Page(jimukyoku.get(URL)).texts("button")
    assert not any("目的を動かす" in b for b in buttons)        # alone in its box
    assert [b for b in buttons if "○デジタル化の取組を動かす" in b] == [
        "上へ（２０２４年度の活動実績（主要な取組）と評価／○デジタル化の取組を動かす）",
        "下へ（２０２４年度の活動実績（主要な取組）と評価／○デジタル化の取組を動かす）"]
    response = jimukyoku.post(f"{URL}/sections/purpose/move", data={"direction": "up"})
    assert response.status_code == 303 and len(template_events()) == 2   # first of its box: stays


def test_a_new_sections_key_is_checked_beside_it(app24, jimukyoku):
    response = jimukyoku.post(f"{URL}/boxes/results/sections", data={
        "new-results-key": "Results Digital", "new-results-heading": "○デジタル化の取組",
        "new-results-rows": "4", "new-results-limit": "1000"})
    assert response.status_code == 422
    page = Page(response)
    assert "半角英小文字で始まる英小文字・数字・「_」（40字まで）で書いてください" in page.text
    assert page.input_value("new-results-key") == "Results Digital"
    assert template_events() == []


def test_the_forms_pass_the_csrf_check_as_in_production(make_app, f):
    app = make_app("fy2023", WTF_CSRF_ENABLED=True, EDITING_FIT_JOBS=False)
    with app.app_context():
        open_cycle(2024, None, None)
        db.session.commit()
        user = f.secretariat()
        client = app.test_client()
        token = csrf_token(client.get("/login"))
        assert client.post("/login", data={"csrf_token": token, "email": user.email,
                                           "password": PASSWORD}).status_code == 302
        page = Page(client.get(URL))
        form = page.by_id("sec-results_actions")     # posted as the browser would: its own fields
        fields = {e.get("name"): e.get("value") or "" for e in form.iter("{http://www.w3.org/1999/xhtml}input")
                  if e.get("type") != "checkbox" or e.get("checked") is not None}
        assert set(fields) == {"csrf_token", "sec-results_actions-heading", "sec-results_actions-label",
                               "sec-results_actions-limit", "sec-results_actions-rows",
                               "sec-results_actions-required"}
        fields["sec-results_actions-heading"] = "○主な取組"
        assert client.post(f"{URL}/sections/results_actions", data=fields).status_code == 303
        token = fields["csrf_token"]
        assert client.post(f"{URL}/sections/results_actions/move",
                           data={"csrf_token": token, "direction": "down"}).status_code == 303
        assert client.post(f"{URL}/sections/results_actions/move",
                           data={"direction": "down"}).status_code == 400   # no token: refused
        assert [e.summary for e in template_events()] == [
            "2024年度の個票の様式を変更しました（第2版）: ○具体的取組 → ○主な取組",
            "2024年度の個票の様式を変更しました（第3版）: 欄の順序を変更"]
        db.session.remove()
        db.engine.dispose()
