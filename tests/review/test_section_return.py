"""Returning a sheet section by section: the reviewer flags what must change, the coordinator
sees it in the editor, the submission asks about flagged sections left as they were, and the
reviewer sees on resubmission which flagged sections changed."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.htmlpage import Page, text_of
from tests.review.conftest import body_of, eml_messages, log_in_as, transitions_of
from webapp.extensions import db
from webapp.models import AuditEvent, Comment, Sheet
from webapp.operations import InvalidInput, transition

EVALUATION = "２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価"
CHALLENGES = "プロジェクトを推進する上での課題"


def submit(client, world, **extra):
    client.post("/logout")
    log_in_as(client, world, "lead")
    return client.post(f"/sheets/{world.sheet.id}/steps/submit",
                       data={"expected_state": db.session.get(Sheet, world.sheet.id).state, **extra})


def return_flagging(client, world, sections, reason="課題欄の記載が不足しています。"):
    client.post("/logout")
    log_in_as(client, world, "secretariat")
    return client.post(f"/sheets/{world.sheet.id}/steps/return",
                       data={"expected_state": "submitted", "comment": reason, "sections": sections})


def edit_text(sheet_id: int, key: str, text: str) -> None:
    sheet = db.session.get(Sheet, sheet_id)
    sheet.texts = {**sheet.texts, key: text}
    db.session.commit()


def returned_with_flags(client, world, sections=("challenges", "results_evaluation")):
    world.sheet_in("draft")
    assert submit(client, world).status_code == 302
    assert return_flagging(client, world, list(sections)).status_code == 302
    client.post("/logout")


# --- the return ---------------------------------------------------------------------------

def test_the_return_page_offers_every_section_to_flag(world, client):
    world.sheet_in("submitted")
    log_in_as(client, world, "secretariat")
    page = Page(client.get(f"/sheets/{world.sheet.id}/steps/return"))
    boxes = [i for i in page.all("input") if i.get("name") == "sections"]
    assert [b.get("value") for b in boxes] == [
        "purpose", "results_actions", "results_perspectives", "results_evaluation", "challenges",
        "target_text", "kpis", "plans_actions", "plans_outlook", "roadmap", "figures"]
    assert CHALLENGES in text_of(page.by_id("flag-sections"))


def test_a_return_keeps_the_flagged_sections_in_sheet_order_with_the_audit_row(app, world, client):
    returned_with_flags(client, world, ["challenges", "results_evaluation"])
    returned = transitions_of(world.sheet.id)[-1]
    assert returned.action == "return"
    assert returned.sections == ["results_evaluation", "challenges"]
    [mail] = [m for m in eml_messages(app) if m["Subject"].startswith("【差戻し】")]
    assert f"修正が必要な欄（編集画面に「要修正」と表示されます）：\n・{EVALUATION}\n・{CHALLENGES}\n" in body_of(mail)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "return")).one()
    assert event.summary == (
        "2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：差戻し"
        "　理由：課題欄の記載が不足しています。"
        f"　要修正：{EVALUATION}、{CHALLENGES}")
    assert event.changes["sections"] == [None, ["results_evaluation", "challenges"]]


def test_a_return_without_flags_stores_none(world, client):
    returned_with_flags(client, world, [])
    assert transitions_of(world.sheet.id)[-1].sections is None


def test_an_unknown_section_is_refused_with_a_message_and_nothing_changes(world, client):
    world.sheet_in("submitted")
    response = return_flagging(client, world, ["challenges", "no_such_section"])
    assert response.status_code == 400
    assert "選択された欄の中に、この個票にない欄があります。" in Page(response).text
    assert db.session.get(Sheet, world.sheet.id).state == "submitted"
    assert transitions_of(world.sheet.id) == []
    # What the reviewer typed and ticked is still on the page.
    page = Page(response)
    assert "課題欄の記載が不足しています。" in text_of(page.by_id("comment"))
    assert page.by_id("flag-challenges").get("checked") is not None


def test_the_history_names_the_flagged_sections(world, client):
    returned_with_flags(client, world, ["challenges"])
    log_in_as(client, world, "co")
    page = Page(client.get(f"/sheets/{world.sheet.id}/history"))
    assert [text_of(e) for e in page.all("div", "flagged-in-history")] == [f"要修正の欄：{CHALLENGES}"]


# --- the editor ---------------------------------------------------------------------------

def test_the_editor_shows_the_reason_the_flags_and_the_comments_beside_their_sections(world, client):
    returned_with_flags(client, world, ["challenges"])
    log_in_as(client, world, "secretariat")
    client.post(f"/sheets/{world.sheet.id}/comments",
                data={"section": "challenges", "body": "原因と対応策を書いてください。"})
    client.post(f"/sheets/{world.sheet.id}/comments", data={"section": "", "body": "全体に数字を確認してください。"})
    client.post("/logout")
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{world.sheet.id}/edit"))

    notice = text_of(page.by_id("return-notice"))
    assert "差戻しの理由（この個票が戻された理由）" in notice
    assert "課題欄の記載が不足しています。" in notice
    assert text_of(page.by_id("flagged-sections")) == CHALLENGES
    assert text_of(page.by_id("marks-challenges")) == "要修正（差戻しで事務局が修正を求めた欄です）"
    assert page.by_id("marks-purpose") is None
    assert "原因と対応策を書いてください。" in text_of(page.by_id("comments-challenges"))
    assert "全体に数字を確認してください。" in text_of(page.by_id("comments-sheet"))
    assert "未解決のコメント 2件" in text_of(page.by_id("open-comments-panel"))

    # The reply and resolve forms are not inside the sheet's form (forms cannot nest).
    sheet_form = page.by_id("sheet-form")
    inside = {f.get("id") for f in sheet_form.iter() if f.tag.endswith("form")}
    comment = db.session.scalars(select(Comment).where(Comment.section == "challenges")).one()
    assert page.by_id(f"reply-form-{comment.id}") is not None
    assert f"reply-form-{comment.id}" not in inside and f"resolve-form-{comment.id}" not in inside
    assert page.by_id(f"editor-reply-{comment.id}").get("form") == f"reply-form-{comment.id}"


def test_a_reply_from_the_editor_comes_back_to_the_editor_at_its_section(world, client):
    world.sheet_in("returned")
    log_in_as(client, world, "lead")
    client.post(f"/sheets/{world.sheet.id}/comments", data={"section": "challenges", "body": "確認します。"})
    root = db.session.scalars(select(Comment)).one()
    response = client.post(f"/sheets/{world.sheet.id}/comments",
                           data={"parent_id": root.id, "body": "修正しました。", "return_to": "editor"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sheets/{world.sheet.id}/edit#comments-challenges")
    response = client.post(f"/comments/{root.id}/resolution", data={"resolved": "1", "return_to": "editor"})
    assert response.headers["Location"].endswith(f"/sheets/{world.sheet.id}/edit#comments-challenges")
    # Anything else named as the place to return to leads to the sheet page.
    response = client.post(f"/sheets/{world.sheet.id}/comments",
                           data={"section": "purpose", "body": "別件", "return_to": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/sheets/{world.sheet.id}#comments-purpose")


# --- the submit confirmation --------------------------------------------------------------

def test_submitting_with_a_flagged_section_unchanged_asks_first(world, client):
    returned_with_flags(client, world, ["challenges", "results_evaluation"])
    edit_text(world.sheet.id, "results_evaluation", "・評価を書き直した。")
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{world.sheet.id}/steps/submit"))
    listed = page.by_id("unchanged-flagged")
    assert [text_of(a) for a in listed.iter() if a.tag.endswith("}a")] == [CHALLENGES]
    assert [a.get("href") for a in listed.iter() if a.tag.endswith("}a")] == [
        f"/sheets/{world.sheet.id}/edit#block-challenges"]

    refused = submit(client, world)
    assert refused.status_code == 409
    assert "「要修正の欄を変更せずに提出する」にチェックを入れてください。" in Page(refused).text
    assert db.session.get(Sheet, world.sheet.id).state == "returned"

    assert submit(client, world, confirm_unchanged="y").status_code == 302
    assert db.session.get(Sheet, world.sheet.id).state == "submitted"


def test_a_flagged_section_changed_since_the_return_reads_changed_in_the_editor_and_on_the_sheet(
        world, client):
    returned_with_flags(client, world, ["challenges", "results_evaluation"])
    edit_text(world.sheet.id, "challenges", "・人材不足への対応を書き足した。")
    log_in_as(client, world, "lead")
    editor = Page(client.get(f"/sheets/{world.sheet.id}/edit"))
    assert text_of(editor.by_id("marks-challenges")) == (
        "変更済み（差戻しで事務局が修正を求めた欄です。差戻しの後に変更されています）")
    marks = {m.get("data-flag-for"): text_of(m) for m in editor.all("span", "flag-mark")}
    assert marks == {
        "challenges": "変更済み（差戻しで事務局が修正を求めた欄です。差戻しの後に変更されています）",
        "results_evaluation": "要修正（差戻しで事務局が修正を求めた欄です）"}

    # The sheet page marks the same sections, for the coordinator and the secretariat alike.
    for role in ("lead", "secretariat"):
        client.post("/logout")
        log_in_as(client, world, role)
        page = Page(client.get(f"/sheets/{world.sheet.id}"))
        marks = {m.get("data-flag-for"): text_of(m) for m in page.all("span", "flag-mark")}
        assert marks == {
            "challenges": "変更済み（差戻しで事務局が修正を求めた欄です。差戻しの後に変更されています）",
            "results_evaluation": "要修正（差戻しで事務局が修正を求めた欄です）"}, role


def test_on_the_sheet_page_a_flag_in_a_box_of_several_parts_names_its_part(world, client):
    returned_with_flags(client, world, ["kpis"])
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    assert [text_of(m) for m in page.all("span", "flag-mark")] == [
        "指標（KPI）：要修正（差戻しで事務局が修正を求めた欄です）"]


def test_submitting_with_every_flagged_section_changed_asks_nothing(world, client):
    returned_with_flags(client, world, ["challenges"])
    edit_text(world.sheet.id, "challenges", "・人材不足への対応を書き足した。")
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{world.sheet.id}/steps/submit"))
    assert page.by_id("unchanged-flagged") is None
    assert submit(client, world).status_code == 302


def test_text_still_as_last_years_is_marked_in_the_editor_and_listed_before_submitting(world, client):
    f = world.f
    f.sheet(world.project, f.cycle(2023, is_open=False), state="approved",
            purpose="地熱を活かす", plans_outlook="・２０３０年度に５００件")
    world.sheet_in("draft", purpose="地熱を活かす", results_evaluation="・２０３０年度に５００件",
                   results_actions="・今年度の取組", challenges="・今年度の課題")
    log_in_as(client, world, "lead")
    editor = Page(client.get(f"/sheets/{world.sheet.id}/edit"))
    marks = {m.get("data-carried-for"): text_of(m) for m in editor.all("span", "carried-mark")}
    assert marks == {
        "purpose": "昨年度の文章のまま （2023年度の承認済みの個票と同じ文章です）",
        "results_evaluation": "昨年度の文章のまま （2023年度の「○今後の目標、達成見込み」と同じ文章です）"}

    page = Page(client.get(f"/sheets/{world.sheet.id}/steps/submit"))
    listed = page.by_id("carried-sections")
    links = [(text_of(a), a.get("href")) for a in listed.iter() if a.tag.endswith("}a")]
    assert links == [("目的", f"/sheets/{world.sheet.id}/edit#block-purpose"),
                     (EVALUATION, f"/sheets/{world.sheet.id}/edit#block-results_evaluation")]
    assert "2023年度の「○今後の目標、達成見込み」と同じ文章" in text_of(listed)
    # Only a warning: the sheet can be submitted as it is.
    assert submit(client, world).status_code == 302


def test_the_reviewer_approving_sees_the_text_the_coordinator_left_as_last_years(world, client):
    f = world.f
    f.sheet(world.project, f.cycle(2023, is_open=False), state="approved",
            purpose="地熱を活かす", plans_outlook="・２０３０年度に５００件")
    world.sheet_in("submitted", purpose="地熱を活かす", results_evaluation="・２０３０年度に５００件",
                   results_actions="・今年度の取組", challenges="・今年度の課題")
    log_in_as(client, world, "secretariat")
    page = Page(client.get(f"/sheets/{world.sheet.id}/steps/approve"))
    listed = page.by_id("carried-sections")
    assert listed is not None
    assert "昨年度の承認済みの個票と同じ文章のまま提出された欄があります" in text_of(listed)
    links = [(text_of(a), a.get("href")) for a in listed.iter() if a.tag.endswith("}a")]
    assert links == [("目的", f"/sheets/{world.sheet.id}#sec-purpose"),
                     (EVALUATION, f"/sheets/{world.sheet.id}#sec-results_evaluation")]
    assert "2023年度の「○今後の目標、達成見込み」と同じ文章" in text_of(listed)
    # Only a warning: the sheet can be approved as it is.
    response = client.post(f"/sheets/{world.sheet.id}/steps/approve",
                           data={"expected_state": "submitted", "comment": ""})
    assert response.status_code == 302
    assert db.session.get(Sheet, world.sheet.id).state == "approved"


def test_the_return_confirmation_lists_no_carried_text(world, client):
    f = world.f
    f.sheet(world.project, f.cycle(2023, is_open=False), state="approved", purpose="地熱を活かす")
    world.sheet_in("submitted", purpose="地熱を活かす")
    log_in_as(client, world, "secretariat")
    assert Page(client.get(f"/sheets/{world.sheet.id}/steps/return")).by_id("carried-sections") is None


# --- the resubmission ---------------------------------------------------------------------

def test_on_resubmission_the_reviewer_sees_which_flagged_sections_changed(world, client):
    returned_with_flags(client, world, ["challenges", "results_evaluation"])
    edit_text(world.sheet.id, "challenges", "・人材不足への対応を書き足した。")
    edit_text(world.sheet.id, "plans_actions", "・新しい計画")
    assert submit(client, world, confirm_unchanged="y").status_code == 302
    client.post("/logout")
    log_in_as(client, world, "secretariat")

    dashboard = Page(client.get("/dashboard/2024"))
    assert [text_of(e) for e in dashboard.all("small", "flag-progress")] == ["要修正の欄 変更 1 / 2"]
    listed = list(csv.reader(io.StringIO(client.get("/dashboard/2024/status.csv").get_data().decode("utf-8-sig"))))
    assert listed[0][-1] == "要修正の欄（変更/全体）"
    assert [row[-1] for row in listed[1:]] == ["1 / 2"]
    book = load_workbook(io.BytesIO(client.get("/dashboard/2024/status.xlsx").get_data()))
    assert [row[-1] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["1 / 2"]

    compare = Page(client.get(f"/sheets/{world.sheet.id}/compare"))
    assert "差戻しで「要修正」とした欄：変更 1 / 2" in text_of(compare.by_id("flagged-summary"))
    assert [text_of(li) for li in compare.all("li") if li.get("data-flagged")] == [
        f"{EVALUATION}：変更なし", f"{CHALLENGES}：変更あり"]
    rows = [tr.get("data-field") for tr in compare.all("tr") if tr.get("data-field")]
    assert rows == ["results_evaluation", "challenges", "plans_actions"]

    link = Page(client.get(f"/sheets/{world.sheet.id}")).by_id("flagged-link")
    assert text_of(link) == "差戻しで「要修正」とした欄の変更を確認する（変更 1 / 2）"


def test_the_dashboard_says_nothing_of_flags_for_a_first_submission(world, client):
    world.sheet_in("draft")
    submit(client, world)
    client.post("/logout")
    log_in_as(client, world, "secretariat")
    assert Page(client.get("/dashboard/2024")).all("small", "flag-progress") == []


def test_flags_end_once_the_sheet_is_approved(world, client):
    returned_with_flags(client, world, ["challenges"])
    edit_text(world.sheet.id, "challenges", "・書き直した。")
    submit(client, world)
    client.post("/logout")
    log_in_as(client, world, "secretariat")
    client.post(f"/sheets/{world.sheet.id}/steps/approve", data={"expected_state": "submitted"})
    assert db.session.get(Sheet, world.sheet.id).state == "approved"
    assert Page(client.get(f"/sheets/{world.sheet.id}/compare")).by_id("flagged-summary") is None


def test_only_a_return_may_flag_sections(world):
    sheet = world.sheet_in("submitted")
    with pytest.raises(InvalidInput, match="要修正の欄を指定できるのは差戻しのときだけです。"):
        transition(world.person("secretariat"), sheet, "approve", sections=["challenges"])
    db.session.rollback()
    assert db.session.get(Sheet, sheet.id).state == "submitted"
