"""Issue #18 item 4: a stolen session alone cannot take over an account.

Changing one's password, second factor or recovery codes, and an admin's change
of an admin account, need the password (and the code, for a user with a second
factor) confirmed on the 本人確認 page within the last five minutes. A log-in
counts as one; a session cookie copied later, whose step-up is older, does not.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, Factory, login
from tests.htmlpage import Page
from webapp.auth import second_factor
from webapp.auth.passwords import verify_password
from webapp.extensions import db
from webapp.models import AuditEvent, LoginAttempt, RecoveryCode, User

NEW_PASSWORD = "kabosu orchard at dusk"
NEEDED = "この操作の前に、本人確認のためパスワードをもう一度入力してください。"


@pytest.fixture
def app2fa(make_app):
    app = make_app(REQUIRE_2FA_FOR="admin,secretariat")
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def f(app2fa):
    return Factory()


def with_second_factor(user: User) -> str:
    secret = pyotp.random_base32()
    second_factor.enable(user, secret, 0)
    db.session.commit()
    return secret


def next_code(secret: str) -> str:
    # The log-in used this period's code, and each is accepted once: a step-up
    # right after it types the next one (accepted as a neighbouring period).
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def log_in_with_code(client, user: User, secret: str) -> None:
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    answer = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]


def age_step_up(client, minutes: int = 6) -> None:
    """What a copied cookie carries some time after its owner logged in."""
    with client.session_transaction() as sess:
        sess["reauth_at"] = {**sess["reauth_at"], "at": sess["reauth_at"]["at"] - minutes * 60}


def sent_to_step_up(answer, back: str) -> bool:
    location = urlsplit(answer.headers.get("Location", ""))
    return (answer.status_code == 302 and location.path == "/account/confirm"
            and parse_qs(location.query).get("next") == [back])


def test_a_stolen_admin_session_cannot_reset_its_second_factor_or_set_a_password(app2fa, f):
    admin = f.admin()
    secret = with_second_factor(admin)
    thief = app2fa.test_client()
    log_in_with_code(thief, admin, secret)
    age_step_up(thief)

    answer = thief.post(f"/admin/users/{admin.id}/reset-2fa")
    assert sent_to_step_up(answer, f"/admin/users/{admin.id}")
    answer = thief.post(f"/admin/users/{admin.id}", data={
        "email": admin.email, "display_name": admin.display_name, "role": "admin",
        "organisation_id": "0", "active": "y", "password": NEW_PASSWORD})
    assert sent_to_step_up(answer, f"/admin/users/{admin.id}")
    answer = thief.post("/account/password", data={
        "old_password": "a guess", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert sent_to_step_up(answer, "/account/password")

    db.session.expire_all()
    admin = db.session.get(User, admin.id)
    assert admin.totp_secret == secret
    assert verify_password(admin.password_hash, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("user_2fa_reset", "user_update", "user_password")))) == 0
    # The real admin's password still opens the second step.
    answer = app2fa.test_client().post("/login", data={"email": admin.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/login/code"


def test_a_stolen_session_cannot_enrol_a_new_authenticator(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    age_step_up(client)
    assert sent_to_step_up(client.get("/account/two-factor"), "/account/two-factor")
    answer = client.post("/account/two-factor", data={"code": "123456"})
    assert sent_to_step_up(answer, "/account/two-factor")
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_second_factor


def test_a_session_without_any_step_up_is_refused_too(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    with client.session_transaction() as sess:
        del sess["reauth_at"]
    assert sent_to_step_up(client.get("/account/password"), "/account/password")


def test_a_step_up_of_another_session_token_does_not_count(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    with client.session_transaction() as sess:
        sess["reauth_at"] = {"at": int(time.time()), "token": "a token of some other session"}
    assert sent_to_step_up(client.get("/account/password"), "/account/password")


def test_after_the_password_again_the_user_comes_back_to_the_form_and_changes_it(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    age_step_up(client)
    answer = client.get("/account/password")
    assert sent_to_step_up(answer, "/account/password")
    page = Page(client.get(answer.headers["Location"]))
    assert "本人確認" in page.text and NEEDED in page.text
    answer = client.post(answer.headers["Location"], data={"password": PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200
    answer = client.post("/account/password", data={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert answer.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == user.id)
                                .order_by(AuditEvent.id)).all()
    assert events == ["user_reauth", "user_password"]


def test_a_user_with_a_second_factor_confirms_the_code_too(app2fa, f):
    reviewer = f.secretariat()
    secret = with_second_factor(reviewer)
    client = app2fa.test_client()
    log_in_with_code(client, reviewer, secret)
    age_step_up(client)
    url = "/account/confirm?next=/account/password"
    answer = client.post(url, data={"password": PASSWORD})
    assert "確認コードを入力してください。" in Page(answer).text
    answer = client.post(url, data={"password": PASSWORD, "code": "000000"})
    assert answer.status_code == 401
    assert "パスワードまたは確認コードが正しくありません。" in Page(answer).text
    answer = client.post(url, data={"password": "not my password", "code": next_code(secret)})
    assert answer.status_code == 401
    assert sent_to_step_up(client.get("/account/password"), "/account/password")
    answer = client.post(url, data={"password": PASSWORD, "code": next_code(secret)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200


def test_wrong_passwords_at_the_step_up_count_towards_the_log_in_throttle(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    age_step_up(client)
    for n in range(app.config["LOGIN_LOCK_AFTER_ACCOUNT"]):
        answer = client.post("/account/confirm", data={"password": f"guess number {n}"})
        assert answer.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.email == user.email)) == 5
    locked = client.post("/account/confirm", data={"password": PASSWORD})
    assert locked.status_code == 429
    assert "本人確認の失敗が続いたため、しばらく確認できません。" in Page(locked).text
    assert sent_to_step_up(client.get("/account/password"), "/account/password")
    # The log-in page is locked for this account as well.
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429


def test_an_admin_needs_a_step_up_for_another_admin_account_but_not_for_a_coordinator(app, factory, client):
    admin, other_admin = factory.admin(), factory.admin()
    coordinator = factory.coordinator("大分県")
    login(client, admin)
    age_step_up(client)
    form = {"email": other_admin.email, "display_name": other_admin.display_name, "role": "admin",
            "organisation_id": "0", "active": "", "password": ""}
    answer = client.post(f"/admin/users/{other_admin.id}", data=form)
    assert sent_to_step_up(answer, f"/admin/users/{other_admin.id}")
    promote = {"email": coordinator.email, "display_name": coordinator.display_name,
               "role": "admin", "organisation_id": "0", "active": "y", "password": ""}
    assert sent_to_step_up(client.post(f"/admin/users/{coordinator.id}", data=promote),
                           f"/admin/users/{coordinator.id}")
    new_admin = {"email": "new.admin@example.jp", "display_name": "新しい管理者", "role": "admin",
                 "organisation_id": "0", "active": "y", "password": NEW_PASSWORD}
    assert sent_to_step_up(client.post("/admin/users/new", data=new_admin), "/admin/users/new")
    db.session.expire_all()
    assert db.session.get(User, other_admin.id).active
    assert db.session.get(User, coordinator.id).role == "coordinator"
    assert db.session.scalar(select(User).where(User.email == "new.admin@example.jp")) is None

    renamed = {**promote, "role": "coordinator", "display_name": "改名した担当者",
               "organisation_id": str(coordinator.organisation_id)}
    answer = client.post(f"/admin/users/{coordinator.id}", data=renamed)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/users"
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).display_name == "改名した担当者"

    client.post("/account/confirm", data={"password": PASSWORD})
    answer = client.post(f"/admin/users/{other_admin.id}", data=form)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/users"
    db.session.expire_all()
    assert not db.session.get(User, other_admin.id).active


def test_new_recovery_codes_after_a_step_up_replace_the_old_ones(app2fa, f):
    reviewer = f.secretariat()
    secret = with_second_factor(reviewer)
    old_codes = second_factor.new_recovery_codes(reviewer)
    db.session.commit()
    client = app2fa.test_client()
    log_in_with_code(client, reviewer, secret)
    age_step_up(client)
    answer = client.post("/account/two-factor/recovery-codes")
    assert sent_to_step_up(answer, "/account/two-factor")
    assert second_factor.remaining_recovery_codes(reviewer) == 10

    client.post("/account/confirm", data={"password": PASSWORD, "code": old_codes[0]})
    answer = client.post("/account/two-factor/recovery-codes")
    assert answer.status_code == 200
    page = Page(answer)
    assert "回復コードを再発行しました" in page.text
    new_codes = page.texts("code")
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    db.session.expire_all()
    user = db.session.get(User, reviewer.id)
    assert not second_factor.use_recovery_code(user, old_codes[1])
    assert second_factor.use_recovery_code(user, new_codes[0])
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == reviewer.id)) == 10
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "user_2fa_recovery_codes")) == "user_2fa_recovery_codes"


def test_the_forced_enrolment_right_after_log_in_needs_no_second_password(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    answer = client.get("/account/two-factor")
    assert answer.status_code == 200 and "totp-secret" in answer.get_data(as_text=True)


def test_a_session_reopened_from_the_remember_me_cookie_needs_a_step_up(app, factory, client):
    user = factory.coordinator("大分県")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    client.delete_cookie("session")
    # The remember-me cookie alone opens a new session, but it is no proof of the person.
    assert sent_to_step_up(client.get("/account/password"), "/account/password")


def test_a_stolen_session_cannot_turn_off_a_coordinators_second_factor(app, factory, client):
    user = factory.coordinator("大分県")
    secret = with_second_factor(user)
    log_in_with_code(client, user, secret)
    age_step_up(client)
    answer = client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert sent_to_step_up(answer, "/account/two-factor")
    db.session.expire_all()
    assert db.session.get(User, user.id).has_second_factor
