"""E-mail on workflow steps: to whom, in Japanese, with the reason and a link.

The SMTP path is tested against a real SMTP server (aiosmtpd) on a free
loopback port; the development path against the .eml files it writes.
"""
from __future__ import annotations

import pytest

from tests.factories import Factory
from tests.htmlpage import Page, text_of
from tests.review.conftest import body_of, eml_messages, log_in_as, make_world
from webapp import mail
from webapp.extensions import db
from webapp.operations import transition
from webapp.review.comments import add_comment


@pytest.fixture
def smtp_world(smtp_app):
    f = Factory()
    world = make_world(f)
    f.coordinator("大分県", email="oita2@example.jp")
    f.coordinator("大分県", email="oita-retired@example.jp", active=False)
    f.secretariat(email="jimukyoku2@example.jp")
    return world


def take(app, world, role, name, state, comment=""):
    client = app.test_client()
    log_in_as(client, world, role)
    response = client.post(f"/sheets/{world.sheet.id}/steps/{name}",
                           data={"comment": comment, "expected_state": state})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_submission_mails_every_active_secretariat_user(smtp_app, smtp_world, inbox):
    take(smtp_app, smtp_world, "lead", "submit", "draft", "ご確認ください")
    [msg] = inbox.messages
    assert inbox.recipients() == [["jimukyoku2@example.jp", "jimukyoku@example.jp"]]
    assert msg["Subject"] == "【個票】②地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）が提出されました"
    body = body_of(msg)
    assert "事務局 ご担当者様" in body
    assert "提出時のコメント：\nご確認ください" in body
    assert f"http://localhost/sheets/{smtp_world.sheet.id}" in body  # the request's host
    assert "九州地域戦略会議事務局" in str(msg["From"])


def test_a_withdrawal_is_told_to_the_secretariat(smtp_app, smtp_world, inbox):
    smtp_world.sheet_in("submitted")
    take(smtp_app, smtp_world, "lead", "withdraw", "submitted", "数値を確認し直します")
    [msg] = inbox.messages
    assert inbox.recipients() == [["jimukyoku2@example.jp", "jimukyoku@example.jp"]]
    assert msg["Subject"].endswith("（2024年度）の提出が取り消されました")
    assert "コメント：\n数値を確認し直します" in body_of(msg)


def test_a_configured_secretariat_address_takes_the_submissions(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   SECRETARIAT_EMAIL="kikaku@pref.example.jp, jimu@example.jp")
    with app.app_context():
        world = make_world(Factory())
        take(app, world, "lead", "submit", "draft")
        assert inbox.recipients() == [["jimu@example.jp", "kikaku@pref.example.jp"]]
        db.session.remove()


def test_a_return_tells_the_lead_organisations_coordinators_the_reason_and_the_link(
        smtp_app, smtp_world, inbox):
    smtp_world.sheet_in("submitted")
    reviewer = smtp_world.person("secretariat")
    add_comment(reviewer, smtp_world.sheet, "課題欄に数値を入れてください", section="challenges")
    db.session.commit()
    take(smtp_app, smtp_world, "secretariat", "return", "submitted", "課題の記載が不足しています。\n再提出をお願いします。")
    [msg] = inbox.messages
    # Lead organisation only: not 福岡県 (co), not 長崎県, not the inactive account.
    assert inbox.recipients() == [["oita2@example.jp", "oita@example.jp"]]
    assert msg["Subject"] == "【差戻し】②地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）の個票が差し戻されました"
    body = body_of(msg)
    assert "大分県 ご担当者様" in body
    assert "差戻しの理由：\n課題の記載が不足しています。\n再提出をお願いします。" in body
    assert "・［プロジェクトを推進する上での課題］課題欄に数値を入れてください" in body
    assert f"個票を開く：\nhttp://localhost/sheets/{smtp_world.sheet.id}" in body
    assert "提出期限：" in body


@pytest.mark.parametrize("name,state,subject", [
    ("approve", "submitted", "【承認】②地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）の個票が承認されました"),
    ("reopen", "approved", "【再開】②地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）の個票の承認が取り消されました"),
])
def test_approval_and_reopening_are_told_to_the_lead_organisation(smtp_app, smtp_world, inbox, name, state, subject):
    smtp_world.sheet_in(state)
    take(smtp_app, smtp_world, "admin", name, state, "数値の誤りを訂正するため" if name == "reopen" else "")
    [msg] = inbox.messages
    assert inbox.recipients() == [["oita2@example.jp", "oita@example.jp"]]
    assert msg["Subject"] == subject
    if name == "reopen":
        assert "理由：\n数値の誤りを訂正するため" in body_of(msg)


def test_links_in_mail_follow_base_url(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   BASE_URL="https://council.example.jp/report/")
    with app.app_context():
        world = make_world(Factory())
        take(app, world, "lead", "submit", "draft")
        assert f"https://council.example.jp/report/sheets/{world.sheet.id}" in body_of(inbox.messages[0])
        db.session.remove()


def test_nothing_is_sent_for_a_step_that_was_rolled_back(smtp_app, smtp_world, inbox):
    transition(smtp_world.person("lead"), smtp_world.sheet, "submit")
    db.session.rollback()
    assert inbox.messages == []
    assert db.session.get(type(smtp_world.sheet), smtp_world.sheet.id).state == "draft"


def test_a_mail_server_that_is_down_does_not_undo_the_step(make_app, world, caplog):
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    with app.app_context():
        world = make_world(Factory())
        take(app, world, "lead", "submit", "draft")
        db.session.expire_all()
        assert db.session.get(type(world.sheet), world.sheet.id).state == "submitted"
        assert "could not be sent" in caplog.text
        db.session.remove()


def test_in_development_mail_is_written_as_eml_files_and_listed_for_admins(app, world, client):
    assert not app.config["MAIL_SERVER"]
    world.sheet_in("submitted")
    take(app, world, "secretariat", "return", "submitted", "課題欄をご確認ください")
    [msg] = eml_messages(app)
    assert msg["To"] == "oita@example.jp"
    assert "課題欄をご確認ください" in body_of(msg)

    log_in_as(client, world, "admin")
    listing = Page(client.get("/admin/mail"))
    [row] = listing.table_rows(listing.by_id("mail-table"))
    assert row[1] == "oita@example.jp" and row[2].startswith("【差戻し】②")
    link = next(a.get("href") for a in listing.all("a") if text_of(a).startswith("【差戻し】"))
    detail = Page(client.get(link))
    assert "課題欄をご確認ください" in detail.text and "大分県 ご担当者様" in detail.text


def test_the_mail_page_reads_only_its_own_files(app, world, client):
    log_in_as(client, world, "admin")
    assert mail.stored_mail("../secret_key") is None
    assert client.get("/admin/mail/secret_key").status_code == 404
    assert client.get("/admin/mail/20240101-000000-000000-abcdefab.eml").status_code == 404
