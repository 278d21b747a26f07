"""Finding 1: sessions end at log-out, password change, an admin's reset and deactivation.

Tested over HTTP against the app served on a loopback port, with real cookies:
a copy of the session cookie or of the remember-me cookie taken before the
event must be refused after it.
"""
from __future__ import annotations

import datetime as dt
import time
from email.utils import parsedate_to_datetime

import pytest

from tests.conftest import _make_app
from tests.e2e.conftest import LiveServer
from tests.factories import PASSWORD, Factory, login
from tests.security.http import Browser
from webapp.extensions import db
from webapp.models import User


@pytest.fixture
def served(databases, tmp_path):
    app = _make_app(databases, tmp_path, "empty", WTF_CSRF_ENABLED=True)
    with app.app_context():
        with LiveServer(app) as server:
            yield server
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def people(served):
    f = Factory()
    return {"user": f.coordinator("大分県", email="tanto@example.jp"),
            "admin": f.admin(email="kanri@example.jp")}


def opens_home(server, cookie: str) -> bool:
    answer = Browser(server.url).request("/", cookie=cookie)
    if answer.status == 302:
        assert answer.location_path == "/login"
        return False
    assert answer.status == 200, answer.status
    return True


def logged_in_copies(server, email: str) -> tuple[Browser, str, str]:
    browser = Browser(server.url)
    browser.log_in(email, PASSWORD, remember=True)
    session, remember = browser.cookie("session"), browser.cookie("remember_token")
    # Both copies work before the event: the refusals below are the event's doing.
    assert opens_home(server, session) and opens_home(server, remember)
    return browser, session, remember


def user_form(user: User, **fields) -> dict:
    data = {"email": user.email, "display_name": user.display_name, "role": user.role,
            "organisation_id": str(user.organisation_id or 0), "active": "y", "password": ""}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_old_cookies_are_refused_after_log_out(served, people):
    browser, session, remember = logged_in_copies(served, "tanto@example.jp")
    assert browser.post_form("/logout", {}, token_from="/").location_path == "/login"
    assert not opens_home(served, session)
    assert not opens_home(served, remember)


def test_old_cookies_are_refused_after_a_password_change_and_the_changer_stays_logged_in(served, people):
    other_device, session, remember = logged_in_copies(served, "tanto@example.jp")
    changer = Browser(served.url)
    changer.log_in("tanto@example.jp", PASSWORD)
    answer = changer.post_form("/account/password", {
        "old_password": PASSWORD, "new_password": "a brand new secret", "confirm": "a brand new secret"})
    assert answer.status == 302 and answer.location_path == "/"
    assert not opens_home(served, session)
    assert not opens_home(served, remember)
    assert other_device.request("/").status == 302
    assert changer.request("/").status == 200


def test_old_cookies_are_refused_after_deactivation_and_stay_refused_after_reactivation(served, people):
    _, session, remember = logged_in_copies(served, "tanto@example.jp")
    admin = Browser(served.url)
    admin.log_in("kanri@example.jp", PASSWORD)
    user = people["user"]
    edit = f"/admin/users/{user.id}"
    assert admin.post_form(edit, user_form(user, active=None)).status == 302
    assert not opens_home(served, session) and not opens_home(served, remember)
    assert admin.post_form(edit, user_form(user)).status == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert not opens_home(served, session) and not opens_home(served, remember)
    # The user logs in afresh without trouble.
    Browser(served.url).log_in("tanto@example.jp", PASSWORD)


def test_old_cookies_are_refused_after_an_admin_sets_a_new_password(served, people):
    _, session, remember = logged_in_copies(served, "tanto@example.jp")
    admin = Browser(served.url)
    admin.log_in("kanri@example.jp", PASSWORD)
    user = people["user"]
    answer = admin.post_form(f"/admin/users/{user.id}", user_form(user, password="reset by the admin"))
    assert answer.status == 302
    assert not opens_home(served, session) and not opens_home(served, remember)


def test_an_admin_logs_a_user_out_of_every_device(served, people):
    _, session, remember = logged_in_copies(served, "tanto@example.jp")
    admin = Browser(served.url)
    admin.log_in("kanri@example.jp", PASSWORD)
    user = people["user"]
    answer = admin.post_form(f"/admin/users/{user.id}/logout-all", {}, token_from=f"/admin/users/{user.id}")
    assert answer.status == 302 and answer.location_path == "/admin/users"
    assert "tanto@example.jp をすべての端末からログアウトさせました。" in admin.request("/admin/users").text
    assert not opens_home(served, session) and not opens_home(served, remember)
    assert admin.request("/").status == 200


def test_a_user_logs_out_of_every_device_from_the_account_page(served, people):
    _, session, remember = logged_in_copies(served, "tanto@example.jp")
    here = Browser(served.url)
    here.log_in("tanto@example.jp", PASSWORD)
    assert "すべての端末からログアウト" in here.request("/account").text
    answer = here.post_form("/account/logout-all", {}, token_from="/account")
    assert answer.status == 302 and answer.location_path == "/login"
    assert "すべての端末からログアウトしました。" in here.request("/login").text
    assert not opens_home(served, session) and not opens_home(served, remember)
    assert here.request("/").status == 302


def test_the_remember_me_cookie_lasts_at_most_30_days(served, people):
    browser = Browser(served.url)
    answer = browser.log_in("tanto@example.jp", PASSWORD, remember=True)
    cookie = next(h for h in answer.headers.get_all("Set-Cookie") if h.startswith("remember_token="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    left = expires - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=29) < left <= dt.timedelta(days=30)


def test_remember_days_from_the_environment_are_capped_at_30(monkeypatch, tmp_path):
    from webapp.config import load_config
    monkeypatch.setenv("REMEMBER_DAYS", "365")
    assert load_config(str(tmp_path))["REMEMBER_DAYS"] == 30


# ---------------------------------------------------------------------------
# Idle and absolute limits (the clock is moved by editing the signed session)
# ---------------------------------------------------------------------------

def _age_session(client, **seconds_ago):
    now = int(time.time())
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = now - ago


def test_a_session_idle_for_longer_than_the_limit_ends_with_a_message(app, factory, client):
    assert app.config["SESSION_IDLE_SECONDS"] == 2 * 3600
    login(client, factory.coordinator("大分県"))
    _age_session(client, _seen_at=2 * 3600 - 60)
    assert client.get("/").status_code == 200
    _age_session(client, _seen_at=2 * 3600 + 1)
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。" in page
    assert client.get("/").status_code == 302


def test_a_session_older_than_the_absolute_limit_ends_even_when_in_use(app, factory, client):
    assert app.config["SESSION_ABSOLUTE_SECONDS"] == 12 * 3600
    login(client, factory.coordinator("大分県"))
    _age_session(client, _auth_at=12 * 3600 + 1, _seen_at=10)
    assert client.get("/").status_code == 302
    assert ("ログインしてから長時間が経過したため、ログアウトしました。もう一度ログインしてください。"
            in client.get("/login").get_data(as_text=True))


def test_a_session_ended_elsewhere_says_why_on_the_login_page(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    user.end_all_sessions()
    db.session.commit()
    assert client.get("/").status_code == 302
    assert ("ログアウト、パスワードの変更、またはアカウントの変更により、このセッションは終了しました。"
            in client.get("/login").get_data(as_text=True))


def test_an_idle_session_with_a_valid_remember_me_cookie_starts_afresh(app, factory, client):
    user = factory.coordinator("大分県")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    _age_session(client, _seen_at=3 * 3600)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200


def test_a_session_reopened_from_the_remember_me_cookie_lasts_beyond_its_first_page(app, client):
    user = Factory().coordinator("大分県")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    client.delete_cookie("session")  # the browser dropped the session, kept the remember-me cookie
    assert client.get("/").status_code == 200
    assert client.get("/account").status_code == 200
    assert client.get("/").status_code == 200
