"""Logging in and out, throttling, the session cookie, passwords, CSRF, and user administration."""
from __future__ import annotations

import datetime as dt
import os
import stat
from urllib.parse import quote, urljoin, urlsplit

import pytest
from sqlalchemy import func, select, update

from tests.factories import PASSWORD, login
from tests.htmlpage import Page, csrf_token
from webapp.auth.passwords import verify_password
from webapp.auth.views import FAILED

LOCKED = "ログインの失敗が続いたため、しばらくログインできません。15分ほど待ってからもう一度お試しください。"
from webapp.extensions import db
from webapp.models import LoginAttempt, Organisation, User
from webapp.timeutil import utcnow


def post_login(client, email, password, next=None, address="192.0.2.10"):
    url = "/login" + (f"?next={quote(next, safe='')}" if next is not None else "")
    return client.post(url, data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def set_cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


# ---------------------------------------------------------------------------
# Logging in and out
# ---------------------------------------------------------------------------

def test_a_coordinator_logs_in_sees_their_name_and_logs_out(app, factory, client):
    user = factory.coordinator("大分県", email="oita.tanto@example.jp")
    assert client.get("/login").status_code == 200
    response = post_login(client, "Oita.Tanto@Example.JP  ", PASSWORD)  # as typed, with case and spaces
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert user.display_name in home and "ログアウト" in home

    response = client.post("/logout")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert not is_logged_in(client)
    assert "ログアウトしました。" in client.get("/login").get_data(as_text=True)


def test_wrong_password_and_unknown_account_get_the_same_answer(app, factory, client):
    factory.coordinator("大分県", email="known@example.jp")
    wrong = post_login(client, "known@example.jp", "not the password")
    unknown = post_login(client, "unknown@example.jp", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert FAILED == "メールアドレスまたはパスワードが正しくありません。"
    for response in (wrong, unknown):
        assert FAILED in response.get_data(as_text=True)
    # Apart from the address typed back into the form, the two pages are identical.
    assert (wrong.get_data(as_text=True).replace("known@", "X@")
            == unknown.get_data(as_text=True).replace("unknown@", "X@"))
    assert not is_logged_in(client)


def test_an_inactive_user_cannot_log_in_even_with_the_right_password(app, factory, client):
    user = factory.coordinator("大分県", active=False)
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 401 and FAILED in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_the_import_system_account_cannot_log_in(fy2023_app, fy_client):
    response = post_login(fy_client, "system@import.invalid", "!")
    assert response.status_code == 401 and not is_logged_in(fy_client)


def test_a_logged_in_user_opening_the_login_page_goes_home(app, factory, client):
    login(client, factory.secretariat())
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_after_log_in_the_user_returns_to_the_page_asked_for(app, factory, client):
    user = factory.admin()
    first = client.get("/admin/users")
    assert urlsplit(first.headers["Location"]).path == "/login"
    response = client.post(first.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "http:/evil.example", "javascript:alert(1)", "///evil.example",
])
def test_log_in_never_redirects_to_another_site(app, factory, client, target):
    user = factory.coordinator("大分県")
    response = post_login(client, user.email, PASSWORD, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    # Resolve it as a browser would (browsers read "\" as "/").
    resolved = urlsplit(urljoin("http://localhost/login", location.replace("\\", "/")))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location


# ---------------------------------------------------------------------------
# Throttling (per account and per address, kept in the database)
# ---------------------------------------------------------------------------

def fail_times(client, email, n, address="192.0.2.10"):
    for _ in range(n):
        assert post_login(client, email, "wrong password", address=address).status_code == 401


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(app, factory, client):
    user = factory.coordinator("大分県")
    limit = app.config["LOGIN_LOCK_AFTER_ACCOUNT"]
    fail_times(client, user.email, limit)
    # From another address too: the lock is on the account.
    response = post_login(client, user.email, PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_a_locked_unknown_account_gets_the_same_lock_message(app, factory, client):
    fail_times(client, "nobody@example.jp", app.config["LOGIN_LOCK_AFTER_ACCOUNT"])
    response = post_login(client, "nobody@example.jp", "anything at all")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)


def test_locking_one_account_leaves_the_others_alone(app, factory, client):
    victim, other = factory.coordinator("大分県"), factory.coordinator("福岡県")
    fail_times(client, victim.email, app.config["LOGIN_LOCK_AFTER_ACCOUNT"])
    assert post_login(client, other.email, PASSWORD).status_code == 302


def test_an_address_is_locked_after_many_failures_on_different_accounts(app, factory, client):
    app.config["LOGIN_LOCK_AFTER_ADDRESS"] = 4
    user = factory.coordinator("大分県")
    for n in range(4):
        fail_times(client, f"guess{n}@example.jp", 1, address="203.0.113.5")
    response = post_login(client, user.email, PASSWORD, address="203.0.113.5")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    # The same user from their own office is not affected.
    assert post_login(client, user.email, PASSWORD, address="192.0.2.99").status_code == 302


def test_the_lock_ends_when_the_failures_are_older_than_the_window(app, factory, client):
    user = factory.coordinator("大分県")
    fail_times(client, user.email, app.config["LOGIN_LOCK_AFTER_ACCOUNT"])
    assert post_login(client, user.email, PASSWORD).status_code == 429

    window = dt.timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"])
    db.session.execute(update(LoginAttempt).values(at=utcnow() - window - dt.timedelta(minutes=1)))
    db.session.commit()

    assert post_login(client, user.email, PASSWORD).status_code == 302
    # A successful log-in forgets the account's failures.
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.email == user.email)) == 0


def test_attempts_after_a_few_failures_are_slowed_down(app, factory, client, monkeypatch):
    waits = []
    monkeypatch.setattr("webapp.auth.views.time.sleep", waits.append)
    app.config["LOGIN_DELAY_SECONDS"] = 2.5
    user = factory.coordinator("大分県")
    fail_times(client, user.email, app.config["LOGIN_SLOW_AFTER"])
    assert waits == []
    post_login(client, user.email, PASSWORD)
    assert waits == [2.5]


# ---------------------------------------------------------------------------
# The session cookie
# ---------------------------------------------------------------------------

def test_the_session_cookie_is_http_only_and_same_site_lax(app, factory, client):
    user = factory.coordinator("大分県")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    for name in ("session", "remember_token"):
        cookie = set_cookie_header(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie, "plain-HTTP default must not mark cookies Secure"


def _login_cookie(app):
    from tests.factories import Factory
    with app.app_context():
        user = Factory().coordinator("大分県")
        response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    return set_cookie_header(response, "session")


def test_the_session_cookie_is_secure_when_the_config_says_https(make_app):
    cookie = _login_cookie(make_app(PREFERRED_URL_SCHEME="https"))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_is_secure_when_the_environment_says_https(make_app, monkeypatch):
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    cookie = _login_cookie(make_app())
    assert "Secure" in cookie


def test_workers_starting_together_on_a_fresh_instance_share_one_secret_key(tmp_path, monkeypatch):
    """Sessions are signed cookies: every worker process must read the same generated key."""
    import threading

    from webapp.config import _secret_key
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for trial in range(40):
        instance = str(tmp_path / f"instance{trial}")
        start, keys, errors = threading.Barrier(8), [], []

        def worker():
            start.wait()
            try:
                keys.append(_secret_key(instance))
            except Exception as exc:  # noqa: BLE001 - any failure to start is the bug
                errors.append(repr(exc))
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(set(keys)) == 1 and len(keys[0]) == 64, keys
    assert sorted(os.listdir(tmp_path / "instance0")) == ["secret_key"]
    assert stat.S_IMODE(os.stat(tmp_path / "instance0" / "secret_key").st_mode) == 0o600


# ---------------------------------------------------------------------------
# Changing one's own password
# ---------------------------------------------------------------------------

def change_password(client, old, new, confirm=None):
    return client.post("/account/password", data={"old_password": old, "new_password": new,
                                                    "confirm": new if confirm is None else confirm})


def test_a_user_changes_their_password_and_logs_in_with_the_new_one(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    response = change_password(client, PASSWORD, "a brand new secret")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "パスワードを変更しました。" in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_changed_at is not None
    client.post("/logout")
    assert post_login(client, user.email, PASSWORD).status_code == 401
    assert post_login(client, user.email, "a brand new secret").status_code == 302


@pytest.mark.parametrize("old, new, confirm, message", [
    ("not my password", "a brand new secret", None, "現在のパスワードが正しくありません。"),
    (PASSWORD, "short1", None, "パスワードは12文字以上にしてください。"),
    (PASSWORD, "long.address@example.jp", None, "メールアドレスと同じパスワードは使えません。"),
    (PASSWORD, "LONG.ADDRESS@example.jp", None, "メールアドレスと同じパスワードは使えません。"),
    (PASSWORD, "a brand new secret", "a different secret", "確認用のパスワードが一致しません。"),
    ("", "a brand new secret", None, "現在のパスワードを入力してください。"),
], ids=["wrong old password", "too short", "equal to e-mail", "e-mail in capitals",
        "confirmation differs", "old password missing"])
def test_a_password_change_that_breaks_a_rule_is_refused(app, factory, client, old, new, confirm, message):
    user = factory.coordinator("大分県", email="long.address@example.jp")
    login(client, user)
    response = change_password(client, old, new, confirm)
    assert response.status_code == 200
    assert message in Page(response).text
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


# ---------------------------------------------------------------------------
# CSRF
# ---------------------------------------------------------------------------

@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_a_post_without_the_csrf_token_gets_the_japanese_400_page(csrf_app):
    from tests.factories import Factory
    user = Factory().coordinator("大分県")
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    page = Page(response)
    assert page.root.get("lang") == "ja"
    assert "画面の有効期限が切れたか、送信内容を確認できませんでした。" in page.text
    assert "CSRF" not in page.text and "Bad Request" not in page.text


def test_with_the_token_from_the_form_log_in_and_log_out_work(csrf_app):
    from tests.factories import Factory
    user = Factory().coordinator("大分県")
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    home = client.get("/")
    # Logging out needs the token too: a forged log-out form is refused.
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)
    assert client.post("/logout", data={"csrf_token": csrf_token(home)}).status_code == 302
    assert not is_logged_in(client)


def test_an_admin_form_posted_from_elsewhere_is_refused(csrf_app):
    from tests.factories import Factory
    admin = Factory().admin()
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/admin/users/new", data={
        "email": "forged@example.jp", "display_name": "偽", "role": "admin", "organisation_id": "0",
        "active": "y", "password": "kabosu orchard at dusk"})
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "forged@example.jp")) is None


# ---------------------------------------------------------------------------
# User administration
# ---------------------------------------------------------------------------

@pytest.fixture
def admin_client(fy2023_app, fy, fy_client):
    login(fy_client, fy.admin(email="kanri@example.jp"))
    return fy_client


def org_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def user_form(**fields) -> dict:
    form = {"email": "hanako.oita@example.jp", "display_name": "大分 花子", "role": "coordinator",
            "organisation_id": str(org_id("大分県")), "active": "y", "password": "kabosu orchard at dusk"}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def test_an_admin_creates_a_coordinator_who_can_then_log_in(fy2023_app, admin_client):
    form_page = admin_client.get("/admin/users/new")
    assert form_page.status_code == 200
    assert Page(form_page).all("label")  # every field is labelled
    response = admin_client.post("/admin/users/new", data=user_form(email="Hanako.Oita@Example.JP"))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    listing = Page(admin_client.get("/admin/users"))
    assert "hanako.oita@example.jp を作成しました。" in listing.text
    assert any("hanako.oita@example.jp" in row and "大分県" in row for row in map(" ".join, listing.table_rows()))
    user = db.session.scalar(select(User).where(User.email == "hanako.oita@example.jp"))
    assert (user.role, user.organisation.name, user.active) == ("coordinator", "大分県", True)

    other = fy2023_app.test_client()
    assert post_login(other, "hanako.oita@example.jp", "kabosu orchard at dusk").status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"organisation_id": "0"}, "幹事担当者には組織が必要です。"),
    ({"password": "short"}, "パスワードは12文字以上にしてください。"),
    ({"password": ""}, "パスワードを入力してください。"),
    ({"email": "not an address"}, "メールアドレスの形式が正しくありません。"),
    ({"display_name": ""}, "表示名を入力してください。"),
    ({"display_name": "名" * 101}, "100文字以内にしてください。"),
    ({"email": "a" * 250 + "@example.jp"}, "254文字以内にしてください。"),
], ids=["coordinator without organisation", "short password", "no password", "malformed e-mail",
        "no display name", "display name too long", "e-mail too long"])
def test_creating_a_user_with_a_mistake_keeps_what_was_typed(admin_client, fields, message):
    users_before = db.session.scalar(select(func.count()).select_from(User))
    response = admin_client.post("/admin/users/new", data=user_form(**fields))
    assert response.status_code == 200
    page = Page(response)
    assert message in page.text
    typed = user_form(**fields)
    assert page.input_value("email") == typed["email"]
    assert page.input_value("display_name") == typed["display_name"]
    assert page.selected("role") == "coordinator"
    assert page.selected("organisation_id") == typed["organisation_id"]
    assert page.input_value("password") in (None, "")  # a password is never echoed back
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_a_duplicate_e_mail_is_refused_and_the_form_keeps_what_was_typed(admin_client, fy):
    fy.coordinator("大分県", email="hanako.oita@example.jp")
    response = admin_client.post("/admin/users/new",
                                 data=user_form(email="HANAKO.OITA@example.jp", display_name="別の花子"))
    assert response.status_code == 200
    page = Page(response)
    assert "hanako.oita@example.jp は既に登録されています。" in page.text
    assert page.input_value("email") == "HANAKO.OITA@example.jp"
    assert page.input_value("display_name") == "別の花子"
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(func.lower(User.email) == "hanako.oita@example.jp")) == 1


def test_an_admin_edits_a_user_and_a_blank_password_keeps_the_old_one(admin_client, fy):
    user = fy.coordinator("大分県", email="tanto@example.jp")
    page = Page(admin_client.get(f"/admin/users/{user.id}"))
    assert page.input_value("email") == "tanto@example.jp"
    assert page.selected("organisation_id") == str(org_id("大分県"))

    response = admin_client.post(f"/admin/users/{user.id}", data=user_form(
        email="Tanto@Example.jp", display_name="担当 改め", organisation_id=str(org_id("福岡県")),
        password=""))
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.email, user.display_name, user.organisation.name) == ("tanto@example.jp", "担当 改め", "福岡県")
    assert verify_password(user.password_hash, PASSWORD)


def test_an_admin_sets_a_new_password_and_deactivates_a_user(fy2023_app, admin_client, fy):
    user = fy.coordinator("大分県", email="tanto@example.jp")
    response = admin_client.post(f"/admin/users/{user.id}", data=user_form(
        email=user.email, password="reset by the admin", active=None))
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.active and verify_password(user.password_hash, "reset by the admin")
    other = fy2023_app.test_client()
    assert post_login(other, user.email, "reset by the admin").status_code == 401


@pytest.mark.parametrize("fields, message", [
    ({"email": "kanri@example.jp"}, "kanri@example.jp は既に登録されています。"),
    ({"organisation_id": "0"}, "幹事担当者には組織が必要です。"),
    ({"password": "short"}, "パスワードは12文字以上にしてください。"),
], ids=["e-mail of another user", "coordinator without organisation", "short new password"])
def test_editing_a_user_with_a_mistake_changes_nothing_and_keeps_what_was_typed(admin_client, fy, fields, message):
    user = fy.coordinator("大分県", email="tanto@example.jp")
    name_before = user.display_name
    data = user_form(**{"email": "tanto@example.jp", "display_name": "打ち間違い", **fields})
    response = admin_client.post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 200
    page = Page(response)
    assert message in page.text
    assert page.input_value("display_name") == "打ち間違い"
    assert page.input_value("email") == data["email"]
    db.session.refresh(user)
    assert (user.email, user.display_name) == ("tanto@example.jp", name_before)
    assert verify_password(user.password_hash, PASSWORD)


def test_an_admin_cannot_take_away_their_own_admin_role(admin_client):
    me = db.session.scalar(select(User).where(User.email == "kanri@example.jp"))
    response = admin_client.post(f"/admin/users/{me.id}", data=user_form(
        email=me.email, role="secretariat", organisation_id="0", password=""))
    assert response.status_code == 200
    assert "自分自身の管理者権限や有効状態は変更できません。" in Page(response).text
    db.session.refresh(me)
    assert me.role == "admin"


def test_the_import_system_account_is_not_listed_nor_editable(admin_client):
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "system@import.invalid" not in listing
    system = db.session.scalar(select(User).where(User.email == "system@import.invalid"))
    assert admin_client.get(f"/admin/users/{system.id}").status_code == 404
