"""Personal API tokens: issued on the account page or the command line, shown once,
kept hashed, listed with their last use, revoked, audited, rate-limited."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select

from tests.api.conftest import bearer, token_for
from tests.factories import login
from webapp.audit import describe_changes
from webapp.extensions import db
from webapp.models import ApiToken, AuditEvent


def _issue_on_account_page(client, name: str) -> str:
    answer = client.post("/account/api-tokens", data={"name": name})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.headers["Cache-Control"] == "no-store"
    return re.search(r'<code id="api-token">([^<]+)</code>', answer.get_data(as_text=True)).group(1)


def test_a_token_issued_on_the_account_page_is_shown_once_and_kept_hashed(fy2023_app, fy):
    user = fy.secretariat()
    client = fy2023_app.test_client()
    login(client, user)
    token = _issue_on_account_page(client, "集計用スクリプト")

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.name == "集計用スクリプト"
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    page = client.get("/account").get_data(as_text=True)
    assert "集計用スクリプト" in page and "未使用" in page
    assert token not in page                              # never shown again

    assert client.get("/api/v1/years", headers=bearer(token)).status_code == 200
    assert "未使用" not in client.get("/account").get_data(as_text=True)   # last use listed
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token_create")).all()
    assert [(e.actor_id, e.summary) for e in events] == [
        (user.id, f"{user.display_name}（{user.email}）がAPIトークン「集計用スクリプト」を発行")]
    assert describe_changes(events[0]) == [("APIトークン", "（なし）", f"{stored.id}：集計用スクリプト")]


def test_issuing_a_token_needs_a_recent_step_up(fy2023_app, fy):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    with client.session_transaction() as sess:
        del sess["reauth_at"]
    answer = client.post("/account/api-tokens", data={"name": "集計用"})
    assert answer.status_code == 302 and answer.location.startswith("/account/confirm")
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_is_refused_and_the_revocation_audited(fy2023_app, fy):
    user = fy.coordinator("大分県")
    client = fy2023_app.test_client()
    login(client, user)
    token = _issue_on_account_page(client, "ダッシュボード連携")
    stored = db.session.scalars(select(ApiToken)).one()

    answer = client.post(f"/account/api-tokens/{stored.id}/revoke", follow_redirects=True)
    assert "APIトークン「ダッシュボード連携」を失効させました。" in answer.get_data(as_text=True)
    refused = client.get("/api/v1/years", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.get_json()["message"] == ("APIトークンが正しくないか、失効しています。"
                                             "アカウント設定で確認してください。")
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("api_token_%")).order_by(AuditEvent.id))] == [
        "api_token_create", "api_token_revoke"]


def test_nobody_revokes_another_users_token(fy2023_app, fy):
    owner_token = token_for(fy.coordinator("大分県"))
    stored = db.session.scalars(select(ApiToken)).one()
    client = fy2023_app.test_client()
    login(client, fy.admin())
    assert client.post(f"/account/api-tokens/{stored.id}/revoke").status_code == 404
    assert client.get("/api/v1/years", headers=bearer(owner_token)).status_code == 200


def test_a_deactivated_users_token_is_refused(fy, api):
    user = fy.coordinator("大分県")
    token = token_for(user)
    assert api(token, "/years").status_code == 200
    user.active = False
    db.session.commit()
    assert api(token, "/years").status_code == 401


def test_create_token_on_the_command_line_prints_it_once(fy2023_app, fy):
    user = fy.coordinator("福岡県", email="fukuoka@example.jp")
    result = fy2023_app.test_cli_runner().invoke(args=["create-token", "--as", "fukuoka@example.jp",
                                                       "--name", "夜間集計"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("kcr_")
    stored = db.session.scalars(select(ApiToken)).one()
    assert (stored.user_id, stored.name) == (user.id, "夜間集計")
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()

    unknown = fy2023_app.test_cli_runner().invoke(args=["create-token", "--as", "nobody@example.jp"])
    assert unknown.exit_code == 1 and "nobody@example.jp は有効な利用者ではありません。" in unknown.output


def test_each_token_is_rate_limited_with_a_japanese_message_and_retry_after(make_app, fy2023_app):
    from tests.factories import Factory
    app = make_app("fy2023", API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=60)
    with app.app_context():
        f = Factory()
        first, second = token_for(f.secretariat()), token_for(f.secretariat())
        client = app.test_client()
        assert [client.get("/api/v1/years", headers=bearer(first)).status_code
                for _ in range(3)] == [200, 200, 200]
        refused = client.get("/api/v1/years", headers=bearer(first))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.get_json()["message"].startswith("リクエストが多すぎます。")
        assert client.get("/api/v1/years", headers=bearer(second)).status_code == 200
        db.session.remove()


def test_a_new_window_lets_a_limited_token_in_again(make_app, fy2023_app):
    from tests.factories import Factory
    app = make_app("fy2023", API_RATE_LIMIT=1, API_RATE_WINDOW_SECONDS=60)
    with app.app_context():
        token = token_for(Factory().secretariat())
        client = app.test_client()
        assert client.get("/api/v1/years", headers=bearer(token)).status_code == 200
        assert client.get("/api/v1/years", headers=bearer(token)).status_code == 429
        stored = db.session.scalars(select(ApiToken)).one()
        stored.window_started_at = stored.window_started_at - dt.timedelta(seconds=61)  # a minute on
        db.session.commit()
        assert client.get("/api/v1/years", headers=bearer(token)).status_code == 200
        db.session.remove()
