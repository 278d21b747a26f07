"""Two-factor log-in (TOTP, recovery codes), required for the roles in REQUIRE_2FA_FOR."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.htmlpage import Page
from webapp.auth.passwords import verify_password
from webapp.extensions import db
from webapp.models import AuditEvent, RecoveryCode, User


@pytest.fixture
def app2fa(make_app):
    app = make_app(REQUIRE_2FA_FOR="admin,secretariat")
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def f(app2fa):
    from tests.factories import Factory
    return Factory()


def password_step(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def enrol(client) -> tuple[str, list[str]]:
    """Go through enrolment as a user would: read the key, type a code, keep the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by the server
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    answer = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", answer.get_data(as_text=True))
    return secret, codes


def test_an_admin_must_enrol_right_after_the_password_and_can_do_nothing_else(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    assert password_step(client, admin.email).status_code == 302
    for path in ("/", "/admin/users", "/account/password"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "この役割では2段階認証が必須です。" in page
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/users").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, admin.id)
    assert user.totp_secret == secret and user.has_second_factor
    # Only hashes are stored.
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == admin.id)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h for h in stored for code in codes)
    assert any(verify_password(h, codes[0].replace("-", "")) for h in stored)


def test_enrolment_refuses_a_wrong_code(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    password_step(client, admin.email)
    client.get("/account/two-factor")
    answer = client.post("/account/two-factor", data={"code": "000000"})
    assert "確認コードが正しくありません。" in Page(answer).text
    db.session.expire_all()
    assert not db.session.get(User, admin.id).has_second_factor


def test_after_enrolment_log_in_asks_for_the_code(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    password_step(client, admin.email)
    secret, codes = enrol(client)
    client.post("/logout")

    answer = password_step(client, admin.email)
    assert answer.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # the password alone opens nothing
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401 and "確認コードが正しくありません。" in Page(wrong).text
    # Move past the codes the enrolment used, as the next 30 seconds would.
    db.session.execute(db.update(User).where(User.id == admin.id).values(totp_last_step=0))
    db.session.commit()
    right = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 200


def test_a_code_is_accepted_only_once(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    password_step(client, admin.email)
    secret, _ = enrol(client)
    client.post("/logout")
    password_step(client, admin.email)
    # The code just used for enrolment is spent.
    answer = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 401


def test_a_recovery_code_works_once(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    password_step(client, admin.email)
    _, codes = enrol(client)
    client.post("/logout")
    password_step(client, admin.email)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    client.post("/logout")
    password_step(client, admin.email)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == admin.id, RecoveryCode.used_at.is_not(None))) == 1


def test_wrong_codes_are_throttled_like_passwords(app2fa, f):
    admin = f.admin()
    client = app2fa.test_client()
    password_step(client, admin.email)
    secret, _ = enrol(client)
    client.post("/logout")
    password_step(client, admin.email)
    for _ in range(app2fa.config["LOGIN_LOCK_AFTER_ACCOUNT"]):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    db.session.execute(db.update(User).where(User.id == admin.id).values(totp_last_step=0))
    db.session.commit()
    locked = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert locked.status_code == 429
    assert "15分ほど待って" in Page(locked).text


def test_a_coordinator_may_use_a_second_factor_but_is_not_made_to(app2fa, f):
    user = f.coordinator("大分県")
    client = app2fa.test_client()
    password_step(client, user.email)
    assert client.get("/").status_code == 200
    assert "未設定です（任意）。" in client.get("/account").get_data(as_text=True)
    enrol(client)
    client.post("/logout")
    assert password_step(client, user.email).headers["Location"] == "/login/code"
    # ... and may turn it off again with the password.
    client2 = app2fa.test_client()
    db.session.execute(db.update(User).where(User.id == user.id).values(totp_last_step=0))
    db.session.commit()
    secret = db.session.get(User, user.id).totp_secret
    password_step(client2, user.email)
    client2.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    answer = client2.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert answer.headers["Location"] == "/account"
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_second_factor


def test_an_admin_resets_a_second_factor_and_the_user_enrols_again(app2fa, f):
    boss, reviewer = f.admin(), f.secretariat()
    for user in (boss, reviewer):
        c = app2fa.test_client()
        password_step(c, user.email)
        enrol(c)
    admin_client = app2fa.test_client()
    db.session.execute(db.update(User).values(totp_last_step=0))
    db.session.commit()
    password_step(admin_client, boss.email)
    admin_client.post("/login/code", data={"code": pyotp.TOTP(db.session.get(User, boss.id).totp_secret).now()})
    assert "2段階認証をリセット" in admin_client.get(f"/admin/users/{reviewer.id}").get_data(as_text=True)
    answer = admin_client.post(f"/admin/users/{reviewer.id}/reset-2fa")
    assert answer.headers["Location"] == "/admin/users"
    reset = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_2fa_reset"))
    assert (reset.actor_id, reset.object_id) == (boss.id, reviewer.id)
    db.session.expire_all()
    assert not db.session.get(User, reviewer.id).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == reviewer.id)) == 0
    c = app2fa.test_client()
    assert password_step(c, reviewer.email).headers["Location"] == "/"
    assert c.get("/").headers["Location"] == "/account/two-factor"


def test_an_empty_setting_requires_a_second_factor_of_nobody(make_app):
    app = make_app(REQUIRE_2FA_FOR="")
    with app.app_context():
        from tests.factories import Factory
        admin = Factory().admin()
        client = app.test_client()
        password_step(client, admin.email)
        assert client.get("/admin/users").status_code == 200


def test_the_default_setting_names_admin_and_secretariat(monkeypatch, tmp_path):
    from webapp.config import load_config
    monkeypatch.delenv("REQUIRE_2FA_FOR", raising=False)
    assert load_config(str(tmp_path))["REQUIRE_2FA_FOR"] == "admin,secretariat"
