"""Links in mail point where the app is served when BASE_URL is unset; cron warns when it is."""
from __future__ import annotations

import datetime as dt

from tests.factories import PASSWORD, Factory
from tests.review.conftest import body_of, make_world
from webapp.extensions import db

DEADLINE = dt.date(2025, 5, 30)


def test_a_submission_mail_links_to_the_host_the_coordinator_used(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="")
    with app.app_context():
        world = make_world(Factory())
        client = app.test_client()
        served_at = "http://council.pref.example:8080"
        assert client.post("/login", data={"email": world.person("lead").email, "password": PASSWORD},
                           base_url=served_at).status_code == 302
        response = client.post(f"/sheets/{world.sheet.id}/steps/submit",
                               data={"comment": "", "expected_state": "draft"}, base_url=served_at)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/sheets/{world.sheet.id}"
        body = body_of(inbox.messages[0])
        assert f"http://council.pref.example:8080/sheets/{world.sheet.id}" in body
        assert "127.0.0.1:5000" not in body
        db.session.remove()


def test_reminders_from_cron_warn_when_base_url_is_unset(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="")
    with app.app_context():
        world = make_world(Factory(), deadline=DEADLINE)
        result = app.test_cli_runner().invoke(args=["send-reminders", "--today", "2025-05-23"])
        assert result.exit_code == 0
        assert ("警告: BASE_URL が設定されていないため、メールのリンクは http://127.0.0.1:5000 を指します。"
                "利用者が開くアドレスを BASE_URL に設定してください。") in result.stderr
        assert f"http://127.0.0.1:5000/sheets/{world.sheet.id}" in body_of(inbox.messages[0])
        db.session.remove()


def test_reminders_do_not_warn_when_base_url_is_set(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   BASE_URL="https://council.example.jp/")
    with app.app_context():
        world = make_world(Factory(), deadline=DEADLINE)
        result = app.test_cli_runner().invoke(args=["send-reminders", "--today", "2025-05-23"])
        assert result.exit_code == 0 and "BASE_URL" not in result.stderr
        assert f"https://council.example.jp/sheets/{world.sheet.id}" in body_of(inbox.messages[0])
        db.session.remove()


def test_with_trusted_hosts_a_forged_host_is_refused_and_sends_no_mail(make_app, smtp_inbox):
    """A coordinator who forges the Host header cannot put another address into the
    secretariat's mail: the app answers only to the host names it is told."""
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="",
                   TRUSTED_HOSTS=["council.pref.example"])
    with app.app_context():
        world = make_world(Factory())
        client = app.test_client()
        served_at = "http://council.pref.example"
        assert client.post("/login", data={"email": world.person("lead").email, "password": PASSWORD},
                           base_url=served_at).status_code == 302
        forged = client.post(f"/sheets/{world.sheet.id}/steps/submit",
                             data={"comment": "", "expected_state": "draft"},
                             base_url="http://phishing.example")
        assert forged.status_code == 400
        assert "リクエストが正しくありません" in forged.get_data(as_text=True)
        assert inbox.messages == []
        assert client.post(f"/sheets/{world.sheet.id}/steps/submit",
                           data={"comment": "", "expected_state": "draft"},
                           base_url=served_at).status_code == 302
        assert f"http://council.pref.example/sheets/{world.sheet.id}" in body_of(inbox.messages[0])
        db.session.remove()
