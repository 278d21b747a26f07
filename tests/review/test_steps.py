"""Taking workflow steps in the app: confirmation first, clear refusals, nothing typed is lost."""
from __future__ import annotations

from tests.htmlpage import Page, text_of
from tests.review.conftest import log_in_as, transitions_of
from webapp.extensions import db
from webapp.models import Comment, Sheet
from webapp.permissions import can


def step_buttons(page: Page) -> list[str]:
    return [a.get("data-step") for a in page.all("a") if a.get("data-step")]


def test_the_sheet_page_offers_each_person_the_steps_the_table_gives_them(world, client):
    world.sheet_in("submitted")
    seen = {}
    for role in ("lead", "co", "secretariat", "admin"):
        client.post("/logout")
        log_in_as(client, world, role)
        seen[role] = step_buttons(Page(client.get(f"/sheets/{world.sheet.id}")))
    assert seen == {"lead": ["withdraw"], "co": [], "secretariat": ["return", "approve"],
                    "admin": ["return", "approve"]}


def test_approving_asks_for_confirmation_before_anything_changes(world, client):
    sheet = world.sheet_in("submitted")
    log_in_as(client, world, "secretariat")
    page = Page(client.get(f"/sheets/{sheet.id}/steps/approve"))
    assert "「承認」の確認" in page.text
    assert page.input_value("expected_state") == "submitted"
    assert db.session.get(Sheet, sheet.id).state == "submitted"
    response = client.post(f"/sheets/{sheet.id}/steps/approve", data={"expected_state": "submitted"})
    assert response.status_code == 302
    assert db.session.get(Sheet, sheet.id).state == "approved"


def test_returning_without_a_reason_is_refused_and_the_sheet_stays_submitted(world, client):
    sheet = world.sheet_in("submitted")
    log_in_as(client, world, "secretariat")
    response = client.post(f"/sheets/{sheet.id}/steps/return", data={"comment": "  ", "expected_state": "submitted"})
    assert response.status_code == 400
    assert "「差戻し」の理由を入力してください。" in Page(response).text
    assert db.session.get(Sheet, sheet.id).state == "submitted"
    assert transitions_of(sheet.id) == []


def test_submitting_is_refused_while_a_required_section_is_empty_naming_it(world, client):
    sheet = world.sheet_in("draft", challenges="", results_evaluation="  \n")
    log_in_as(client, world, "lead")
    confirm = Page(client.get(f"/sheets/{sheet.id}/steps/submit"))
    assert "必須の欄が未記入です：『２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価』、『プロジェクトを推進する上での課題』" in confirm.text
    button = next(b for b in confirm.all("button") if b.get("type") == "submit" and "提出する" in (b.text or ""))
    assert button.get("disabled") is not None
    response = client.post(f"/sheets/{sheet.id}/steps/submit", data={"expected_state": "draft"})
    assert response.status_code == 409
    assert "『プロジェクトを推進する上での課題』" in Page(response).text
    assert db.session.get(Sheet, sheet.id).state == "draft"


def test_submitting_is_refused_while_the_sheet_cannot_fit_one_page(world, client):
    long_text = "\n".join(f"・{i}番目の取組として、地域の事業者と連携した実証事業を実施し、成果を広く発信した。" * 3
                          for i in range(400))
    sheet = world.sheet_in("draft", results_actions=long_text)
    log_in_as(client, world, "lead")
    response = client.post(f"/sheets/{sheet.id}/steps/submit", data={"expected_state": "draft"})
    assert response.status_code == 409
    text = Page(response).text
    assert "1ページに収まりません。次の欄を短くしてください：『２０２４年度の活動実績（主要な取組）と評価／○具体的取組』" in text
    assert db.session.get(Sheet, sheet.id).state == "draft"


def test_a_coordinator_submits_and_may_withdraw_before_review(world, client):
    sheet = world.sheet_in("draft")
    log_in_as(client, world, "lead")
    client.post(f"/sheets/{sheet.id}/steps/submit", data={"comment": "よろしくお願いします", "expected_state": "draft"})
    assert db.session.get(Sheet, sheet.id).state == "submitted"
    assert not can(world.person("lead"), "edit_sheet", db.session.get(Sheet, sheet.id))
    client.post(f"/sheets/{sheet.id}/steps/withdraw", data={"expected_state": "submitted"})
    assert db.session.get(Sheet, sheet.id).state == "draft"
    assert [(t.action, t.comment) for t in transitions_of(sheet.id)] == [
        ("submit", "よろしくお願いします"), ("withdraw", "")]


def test_an_approved_sheet_is_locked_and_only_an_admin_reopens_it_with_a_reason(world, client):
    sheet = world.sheet_in("approved")
    lead = world.person("lead")
    assert not can(lead, "edit_sheet", sheet)
    log_in_as(client, world, "lead")
    assert step_buttons(Page(client.get(f"/sheets/{sheet.id}"))) == []
    client.post("/logout")
    log_in_as(client, world, "admin")
    assert step_buttons(Page(client.get(f"/sheets/{sheet.id}"))) == ["reopen"]
    refused = client.post(f"/sheets/{sheet.id}/steps/reopen", data={"comment": "", "expected_state": "approved"})
    assert refused.status_code == 400
    client.post(f"/sheets/{sheet.id}/steps/reopen", data={"comment": "KPIの実績値に誤り", "expected_state": "approved"})
    sheet = db.session.get(Sheet, sheet.id)
    assert (sheet.state, sheet.approved_at, sheet.approved_by_id) == ("draft", None, None)
    assert can(lead, "edit_sheet", sheet)
    client.post("/logout")
    log_in_as(client, world, "lead")
    notice = Page(client.get(f"/sheets/{sheet.id}")).text
    assert "承認取消し（再開）の理由" in notice and "KPIの実績値に誤り" in notice


def test_a_stale_approval_is_refused_and_the_reviewers_comment_is_kept(world, client, app):
    """Two reviewers have ② open; one returns it; the other's approval must not win."""
    sheet = world.sheet_in("submitted")
    log_in_as(client, world, "secretariat")
    form = Page(client.get(f"/sheets/{sheet.id}/steps/approve"))
    seen_state = form.input_value("expected_state")

    other = app.test_client()
    log_in_as(other, world, "admin")
    other.post(f"/sheets/{sheet.id}/steps/return", data={"comment": "課題欄が空です", "expected_state": "submitted"})

    typed = "内容を確認しました。\nKPIの表記も問題ありません。"
    response = client.post(f"/sheets/{sheet.id}/steps/approve",
                           data={"comment": typed, "expected_state": seen_state})
    assert response.status_code == 409
    page = Page(response)
    assert "既に「差戻し」になっています" in page.text
    kept = page.by_id("kept-comment")
    assert kept is not None and kept.text == typed
    assert db.session.get(Sheet, sheet.id).state == "returned"
    assert [t.action for t in transitions_of(sheet.id)] == ["return"]

    # The loser may keep the text as a comment on the sheet.
    client.post(f"/sheets/{sheet.id}/comments", data={"body": kept.text, "section": ""})
    assert db.session.query(Comment).filter_by(sheet_id=sheet.id, body=typed).count() == 1


def test_a_step_offered_on_an_old_page_after_the_state_moved_on_says_so(world, client):
    sheet = world.sheet_in("approved")
    log_in_as(client, world, "secretariat")
    response = client.get(f"/sheets/{sheet.id}/steps/return")
    assert response.status_code == 409
    assert "現在「承認済」のため、「差戻し」はできません" in Page(response).text


def test_every_step_appears_in_the_sheets_history(world, client, app):
    sheet = world.sheet_in("draft")
    lead, reviewer, admin = app.test_client(), app.test_client(), app.test_client()
    log_in_as(lead, world, "lead")
    log_in_as(reviewer, world, "secretariat")
    log_in_as(admin, world, "admin")
    lead.post(f"/sheets/{sheet.id}/steps/submit", data={"expected_state": "draft"})
    reviewer.post(f"/sheets/{sheet.id}/steps/return", data={"comment": "課題を具体的に", "expected_state": "submitted"})
    lead.post(f"/sheets/{sheet.id}/steps/submit", data={"comment": "修正しました", "expected_state": "returned"})
    reviewer.post(f"/sheets/{sheet.id}/steps/approve", data={"expected_state": "submitted"})
    admin.post(f"/sheets/{sheet.id}/steps/reopen", data={"comment": "誤字の訂正", "expected_state": "approved"})

    rows = Page(reviewer.get(f"/sheets/{sheet.id}/history")).table_rows()
    assert [r[1] for r in rows] == ["提出", "差戻し", "提出", "承認", "承認取消し（再開）"]
    assert [r[2] for r in rows] == ["作成中 → 提出済", "提出済 → 差戻し", "差戻し → 提出済",
                                    "提出済 → 承認済", "承認済 → 作成中"]
    assert rows[1][4] == "課題を具体的に" and rows[4][4] == "誤字の訂正"
    assert [r[5].split()[0] if r[5] else "" for r in rows] == ["第1版", "", "第2版", "第3版", ""]


def test_a_confirmation_without_the_state_it_was_made_in_is_asked_again(world, client):
    sheet = world.sheet_in("submitted")
    log_in_as(client, world, "secretariat")
    response = client.post(f"/sheets/{sheet.id}/steps/approve", data={"comment": "承認します"})
    page = Page(response)
    assert response.status_code == 400
    assert "現在の状態を確認してから、もう一度確定してください" in page.text
    assert page.input_value("expected_state") == "submitted"
    assert text_of(page.by_id("comment")) == "承認します"
    assert db.session.get(Sheet, sheet.id).state == "submitted"


def test_after_each_step_the_page_says_what_was_done_in_plain_japanese(world, client):
    said = {}
    for role, state, step, form in (
            ("lead", "draft", "submit", {}),
            ("lead", "submitted", "withdraw", {}),
            ("secretariat", "submitted", "return", {"comment": "課題欄を具体的にしてください。"}),
            ("secretariat", "submitted", "approve", {}),
            ("admin", "approved", "reopen", {"comment": "数値の訂正のため"})):
        sheet = world.sheet_in(state)
        client.post("/logout")
        log_in_as(client, world, role)
        page = Page(client.post(f"/sheets/{sheet.id}/steps/{step}",
                                data={"expected_state": state, **form}, follow_redirects=True))
        said[step] = next(text_of(a) for a in page.all("div") if "alert-success" in (a.get("class") or ""))
    assert said == {
        "submit": "提出しました。個票は「提出済」になりました。",
        "withdraw": "提出を取り消しました。個票は「作成中」になりました。",
        "return": "差し戻しました。個票は「差戻し」になりました。",
        "approve": "承認しました。個票は「承認済」になりました。",
        "reopen": "承認を取り消しました。個票は「作成中」になりました。",
    }
