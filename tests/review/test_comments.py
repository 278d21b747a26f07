"""Comments per section or on the whole sheet: threaded, open or resolved, shown beside their section."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy.exc import IntegrityError

from tests.htmlpage import Page, text_of
from tests.review.conftest import log_in_as
from webapp.extensions import db
from webapp.models import Comment, Transition
from webapp.review import comments as service


def section_box(page: Page, box_id: str) -> str:
    return text_of(page.by_id(box_id))


def test_a_reviewers_comment_on_the_challenges_sits_in_the_challenges_box(world, client):
    log_in_as(client, world, "secretariat")
    response = client.post(f"/sheets/{world.sheet.id}/comments",
                           data={"body": "課題は具体的な数値で\n書いてください。", "section": "challenges"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sheets/{world.sheet.id}#comments-challenges")

    client.post("/logout")
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    assert "課題は具体的な数値で" in section_box(page, "sec-challenges")
    assert "未解決" in section_box(page, "sec-challenges")
    assert "課題は具体的な数値で" not in section_box(page, "sec-purpose")
    assert "未解決のコメント 1件" in page.text


def test_a_coordinator_replies_and_resolves_and_a_new_reply_reopens_the_thread(world, client, app):
    reviewer = app.test_client()
    log_in_as(reviewer, world, "secretariat")
    reviewer.post(f"/sheets/{world.sheet.id}/comments", data={"body": "評価の根拠は？", "section": "results_evaluation"})
    root = db.session.query(Comment).one()

    log_in_as(client, world, "lead")
    client.post(f"/sheets/{world.sheet.id}/comments", data={"body": "KPIの実績を追記しました", "parent_id": str(root.id)})
    reply = db.session.query(Comment).filter(Comment.parent_id.is_not(None)).one()
    assert (reply.parent_id, reply.section) == (root.id, "results_evaluation")

    client.post(f"/comments/{root.id}/resolution", data={"resolved": "1"})
    db.session.refresh(root)
    assert root.resolved and root.resolved_by_id == world.person("lead").id and root.resolved_at
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    assert "解決済みのコメント 1件" in section_box(page, "sec-results")
    assert "未解決のコメント" not in page.text

    reviewer.post(f"/sheets/{world.sheet.id}/comments", data={"body": "まだ不足しています", "parent_id": str(reply.id)})
    db.session.refresh(root)
    assert not root.resolved and root.resolved_at is None
    assert db.session.query(Comment).filter_by(parent_id=root.id).count() == 2  # a reply to a reply joins the thread


def test_whole_sheet_comments_appear_above_the_sheet(world, client):
    log_in_as(client, world, "secretariat")
    client.post(f"/sheets/{world.sheet.id}/comments", data={"body": "全体に文字が多めです", "section": ""})
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    whole = page.by_id("comments-sheet")
    assert "個票全体へのコメント" in text_of(whole) and "全体に文字が多めです" in text_of(whole)


def test_a_co_organisation_reads_comments_but_cannot_write_or_resolve(world, client, app):
    reviewer = app.test_client()
    log_in_as(reviewer, world, "secretariat")
    reviewer.post(f"/sheets/{world.sheet.id}/comments", data={"body": "目的の表現を統一", "section": "purpose"})
    root = db.session.query(Comment).one()
    log_in_as(client, world, "co")
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    assert "目的の表現を統一" in section_box(page, "sec-purpose")
    assert not [f for f in page.all("form") if "/comments" in (f.get("action") or "")]
    assert client.post(f"/comments/{root.id}/resolution", data={"resolved": "1"}).status_code == 403


def test_an_empty_or_too_long_comment_is_shown_again_with_the_reason(world, client):
    log_in_as(client, world, "lead")
    response = client.post(f"/sheets/{world.sheet.id}/comments", data={"body": "   ", "section": "challenges"})
    assert response.status_code == 400
    assert "コメントを入力してください。" in Page(response).text
    typed = "あ" * 4001
    response = client.post(f"/sheets/{world.sheet.id}/comments", data={"body": typed, "section": "challenges"})
    page = Page(response)
    assert response.status_code == 400 and "4000文字以内にしてください。" in page.text
    assert text_of(page.by_id("body")) == typed
    assert db.session.query(Comment).count() == 0


def test_a_section_that_does_not_exist_or_a_parent_on_another_sheet_is_refused(world, client, factory):
    log_in_as(client, world, "secretariat")
    assert client.post(f"/sheets/{world.sheet.id}/comments", data={"body": "x", "section": "nonsense"}).status_code == 400
    other_sheet = factory.sheet(factory.project(3, "別のプロジェクト", lead=("大分県",)), world.cycle)
    foreign = Comment(sheet_id=other_sheet.id, author_id=world.person("secretariat").id, body="別件")
    db.session.add(foreign)
    db.session.commit()
    response = client.post(f"/sheets/{world.sheet.id}/comments", data={"body": "返信", "parent_id": str(foreign.id)})
    assert response.status_code == 404


def test_comment_text_is_shown_as_text_never_as_html(world, client):
    log_in_as(client, world, "secretariat")
    client.post(f"/sheets/{world.sheet.id}/comments",
                data={"body": "<script>alert(1)</script>", "section": "purpose"})
    html = client.get(f"/sheets/{world.sheet.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_edit_form_can_show_a_sections_comments_read_only(world, app):
    """The include the editing form puts beside each section: no nested forms inside its form."""
    reviewer_id = world.person("secretariat").id
    db.session.add(Comment(sheet_id=world.sheet.id, section="challenges", author_id=reviewer_id,
                           body="数値目標との関係を明記"))
    db.session.commit()
    with app.test_request_context():
        from flask_login import login_user
        login_user(world.person("lead"))
        html = render_template_string(
            '<form id="edit">{% with section_key="challenges", comments_readonly=true %}'
            '{% include "review/_section_comments.html" %}{% endwith %}</form>', sheet=world.sheet)
    page_forms = html.count("<form")
    assert "数値目標との関係を明記" in html
    assert page_forms == 1, "the read-only variant must not nest forms"
    assert "個票の画面で返信・解決する" in html


def test_the_database_keeps_resolution_fields_consistent(world):
    comment = Comment(sheet_id=world.sheet.id, author_id=world.person("secretariat").id, body="x",
                      resolved=True)
    db.session.add(comment)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_a_return_without_a_reason(world):
    db.session.add(Transition(sheet_id=world.sheet.id, action="return", from_state="submitted",
                              to_state="returned", actor_id=world.person("secretariat").id, comment=""))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_only_a_threads_first_comment_is_resolved(world):
    lead = world.person("lead")
    root = service.add_comment(lead, world.sheet, "質問です", section="purpose")
    reply = service.add_comment(world.person("secretariat"), world.sheet, "回答です", parent=root)
    with pytest.raises(service.CommentError):
        service.set_resolved(lead, reply, True)


def test_the_targets_box_has_one_place_to_comment_that_asks_which_part(world, client):
    """設定目標 holds a text and the KPIs, neither with a heading of its own: one
    「『設定目標』にコメントする」, not two alike; the writer says which of the two it is about."""
    reviewer_id = world.person("secretariat").id
    db.session.add(Comment(sheet_id=world.sheet.id, section="target_text", author_id=reviewer_id,
                           body="本文の表現を確認してください"))
    db.session.commit()
    log_in_as(client, world, "secretariat")
    page = Page(client.get(f"/sheets/{world.sheet.id}"))
    box = page.by_id("sec-targets")
    summaries = [text_of(s) for s in box.iter("{http://www.w3.org/1999/xhtml}summary")]
    assert [s for s in summaries if s.endswith("にコメントする")] == ["「設定目標」にコメントする"]
    radios = [(r.get("value"), r.get("checked") is not None) for r in box.iter("{http://www.w3.org/1999/xhtml}input")
              if r.get("type") == "radio"]
    assert radios == [("target_text", True), ("kpis", False)]
    labels = [text_of(label) for label in box.iter("{http://www.w3.org/1999/xhtml}label")
              if label.get("for", "").startswith("new-comment-target_text-")]
    assert labels == ["設定目標（本文）", "指標（KPI）"]
    assert page.by_id("comments-target_text") is not None and page.by_id("comments-kpis") is not None

    response = client.post(f"/sheets/{world.sheet.id}/comments",
                           data={"body": "KPIの実績年度を確認してください", "section": "kpis"})
    assert response.headers["Location"].endswith(f"/sheets/{world.sheet.id}#comments-kpis")
    box_text = section_box(Page(client.get(f"/sheets/{world.sheet.id}")), "sec-targets")
    assert "本文の表現を確認してください" in box_text and "KPIの実績年度を確認してください" in box_text
    db.session.expire_all()
    assert db.session.query(Comment.section).filter_by(body="KPIの実績年度を確認してください").scalar() == "kpis"
