"""A submission is of exactly the content that was checked and confirmed.

大分県's coordinator opens 「提出」 for ② while the editor, still open in
another tab, autosaves. Whatever lands between the confirmation (or the
checks made at the post) and the state change refuses the submission; the
confirmation page comes back for the content saved now. These run on both
backends; tests/review/test_concurrency.py races real requests on PostgreSQL.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.editing.conftest import sheet_fields
from tests.htmlpage import Page
from tests.review.conftest import log_in_as, transitions_of
from webapp.editing import fit
from webapp.editing.saving import NotEditableError, save_content
from webapp.extensions import db
from webapp.models import Sheet, SheetVersion
from webapp.review import actions
from webapp.sheet_schema import schema
from webapp.sheet_content import sheet_to_dict, texts_of

SAVED_SINCE = ("提出の確認中に内容が保存されました（自動保存を含みます）。提出はまだ行われていません。"
               "保存された最新の内容で確認し直しましたので、もう一度確認してから提出してください。")
# Each within a section's 4,000 characters; together more than the left column holds at 7pt.
TOO_LONG = "\n".join(f"・{i}番目の取組として、地域の事業者と連携した実証事業を実施し、成果を広く発信した。" * 3
                     for i in range(30))
OVERFLOWING = {"results_actions": TOO_LONG, "results_evaluation": TOO_LONG, "challenges": TOO_LONG}


def snapshots_of(sheet_id: int) -> list[SheetVersion]:
    db.session.expire_all()
    return db.session.scalars(select(SheetVersion).where(SheetVersion.sheet_id == sheet_id)
                              .order_by(SheetVersion.number)).all()


def autosave_from_the_editor_tab(app, world, sheet, **texts) -> dict:
    editor = app.test_client()
    log_in_as(editor, world, "lead")
    fields = sheet_fields(sheet)
    fields.update(texts)
    answer = editor.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert answer.status_code == 200 and answer.json["ok"] is True, answer.json
    return answer.json


def submit_button(page: Page):
    return next(b for b in page.all("button") if b.get("type") == "submit" and "提出する" in (b.text or ""))


def test_an_autosave_that_overflows_the_page_after_the_confirmation_is_not_submitted(world, client, app):
    sheet = world.sheet_in("draft", results_actions="・地熱発電の事業化に向けた勉強会を開催")
    log_in_as(client, world, "lead")
    confirm = Page(client.get(f"/sheets/{sheet.id}/steps/submit"))
    assert confirm.input_value("expected_version") == "1"

    saved = autosave_from_the_editor_tab(app, world, sheet, **OVERFLOWING)
    assert saved["version"] == 2

    response = client.post(f"/sheets/{sheet.id}/steps/submit",
                           data={"expected_state": "draft", "expected_version": "1"})
    assert response.status_code == 409
    page = Page(response)
    assert SAVED_SINCE in page.text
    # Asked again, about the content saved now: it does not fit, so it cannot go.
    assert "最小の文字サイズでも1ページに収まりません。次の欄を短くしてください：『" in page.text
    assert page.input_value("expected_version") == "2"
    assert submit_button(page).get("disabled") is not None
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).state == "draft"
    assert transitions_of(sheet.id) == []
    assert snapshots_of(sheet.id) == []


def test_after_a_refusal_the_new_content_is_confirmed_and_submitted(world, client, app):
    sheet = world.sheet_in("draft", challenges="・人材の確保")
    log_in_as(client, world, "lead")
    client.get(f"/sheets/{sheet.id}/steps/submit")
    autosave_from_the_editor_tab(app, world, sheet, challenges="・人材の確保\n・地元との合意形成")

    refused = client.post(f"/sheets/{sheet.id}/steps/submit",
                          data={"expected_state": "draft", "expected_version": "1",
                                "comment": "よろしくお願いします"})
    assert refused.status_code == 409
    page = Page(refused)
    assert SAVED_SINCE in page.text
    assert page.by_id("comment").text == "よろしくお願いします"   # what was typed stays
    assert submit_button(page).get("disabled") is None

    again = client.post(f"/sheets/{sheet.id}/steps/submit",
                        data={"expected_state": "draft", "expected_version": page.input_value("expected_version"),
                              "comment": "よろしくお願いします"})
    assert again.status_code == 302
    [snapshot] = snapshots_of(sheet.id)
    assert texts_of(snapshot.content)["challenges"] == "・人材の確保\n・地元との合意形成"
    assert db.session.get(Sheet, sheet.id).state == "submitted"


def test_a_save_landing_between_the_checks_and_the_state_change_refuses_the_submission(
        world, app, monkeypatch):
    """The autosave commits while the submission's fit check runs (a render takes a while)."""
    sheet = world.sheet_in("draft", results_actions="・勉強会を開催")
    sheet_id, lead = sheet.id, world.person("lead")
    real_check, checked = fit.check, []

    def check_while_an_autosave_lands(being_checked):
        checked.append(being_checked.text("results_actions"))
        with db.engine.begin() as other:   # another request's connection and transaction
            row = other.execute(select(Sheet.texts, Sheet.version).where(Sheet.id == sheet_id)).one()
            other.execute(update(Sheet).where(Sheet.id == sheet_id).values(
                texts={**row.texts, **OVERFLOWING}, version=row.version + 1))
        return real_check(being_checked)

    monkeypatch.setattr(fit, "check", check_while_an_autosave_lands)
    with pytest.raises(actions.ContentChangedError) as refused:
        actions.perform(lead, sheet, "submit", expected_state="draft", expected_version=1)
    db.session.rollback()
    assert str(refused.value) == SAVED_SINCE
    assert checked == ["・勉強会を開催"]
    final = db.session.get(Sheet, sheet_id)
    assert (final.state, final.version, final.texts["results_actions"]) == ("draft", 2, TOO_LONG)
    assert transitions_of(sheet_id) == []
    assert snapshots_of(sheet_id) == []


def test_a_submission_from_a_confirmation_of_an_older_version_is_refused(world, app):
    sheet = world.sheet_in("draft")
    autosave_from_the_editor_tab(app, world, sheet, challenges="・新しい課題")
    db.session.expire_all()
    sheet = db.session.get(Sheet, sheet.id)
    with pytest.raises(actions.ContentChangedError):
        actions.perform(world.person("lead"), sheet, "submit", expected_state="draft", expected_version=1)
    db.session.rollback()
    assert db.session.get(Sheet, sheet.id).state == "draft"
    assert transitions_of(sheet.id) == []


def test_an_unreadable_version_is_asked_again_not_a_500(world, client):
    sheet = world.sheet_in("draft")
    log_in_as(client, world, "lead")
    response = client.post(f"/sheets/{sheet.id}/steps/submit",
                           data={"expected_state": "draft", "expected_version": "１"})
    assert response.status_code == 400
    page = Page(response)
    assert "確認した内容の版を読み取れませんでした。もう一度確認してから確定してください。" in page.text
    assert page.input_value("expected_version") == "1"
    assert db.session.get(Sheet, sheet.id).state == "draft"


def test_a_save_arriving_after_the_submission_moved_the_state_is_refused(world, app):
    """The editor's save passed its checks on the sheet as loaded; the submission committed first."""
    sheet = world.sheet_in("draft", challenges="・課題")
    lead = world.person("lead")
    content = sheet_to_dict(sheet)
    schema().put_text(content, "challenges", "・提出の後に届いた保存")
    with db.engine.begin() as other:
        other.execute(update(Sheet).where(Sheet.id == sheet.id).values(state="submitted"))
    with pytest.raises(NotEditableError) as refused:
        save_content(lead, sheet, sheet.version, content, [])
    db.session.rollback()
    assert "「提出済」のため編集できません" in str(refused.value)
    final = db.session.get(Sheet, sheet.id)
    assert (final.state, final.version, final.texts["challenges"]) == ("submitted", 1, "・課題")
