"""A one-time code logs in once: a TOTP code, or a recovery code, posted by several log-ins.

Accepting a code is a compare-and-set in the log-in's transaction
(`totp_last_step < :step`, `used_at IS NULL`), committed before the session
is issued. The single-thread tests let "the other log-in" commit through a
connection of its own at the worst moment, on either backend; the PostgreSQL
tests post one code from three browsers at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import func, select, update

from tests.factories import PASSWORD, Factory
from tests.htmlpage import Page
from webapp import accounts
from webapp.auth import second_factor
from webapp.extensions import db
from webapp.models import AuditEvent, RecoveryCode, User


@pytest.fixture
def app2fa(make_app):
    app = make_app(REQUIRE_2FA_FOR="admin,secretariat")
    with app.app_context():
        yield app
        db.session.remove()


@dataclass
class Enrolled:
    user: User
    codes: list[str]      # the recovery codes as shown at enrolment

    @property
    def totp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self.user.totp_secret)


@pytest.fixture
def admin(app2fa) -> Enrolled:
    """An admin enrolled with an authenticator whose current code has not been used yet."""
    user = Factory().admin()
    codes = accounts.enable_second_factor(user, second_factor.new_secret(), step=0)
    db.session.commit()
    return Enrolled(user, codes)


def used_codes(user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_not(None)))


def at_the_code_step(app, user: User):
    """A browser that has passed the password step."""
    client = app.test_client()
    answer = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/login/code"
    return client


# --- one log-in, the other committing at the worst moment (both backends) ----------------

def test_a_totp_code_another_log_in_has_just_accepted_is_refused(app2fa, admin):
    user, code = admin.user, admin.totp.now()
    assert user.totp_last_step == 0           # as this log-in read it
    step = second_factor.matching_step(user.totp_secret, code)
    with db.engine.begin() as other:          # the other log-in commits the same code first
        other.execute(update(User).where(User.id == user.id).values(totp_last_step=step))
    assert second_factor.verify_login_code(user, code) is None
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_last_step == step


def test_a_totp_code_is_accepted_once_and_recorded_as_the_last_step(app2fa, admin):
    user, code = admin.user, admin.totp.now()
    step = second_factor.matching_step(user.totp_secret, code)
    assert second_factor.verify_login_code(user, code) == second_factor.TOTP
    db.session.commit()
    assert second_factor.verify_login_code(user, code) is None
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_last_step == step


def test_a_recovery_code_another_log_in_takes_while_this_one_checks_it_is_refused(
        app2fa, admin, monkeypatch):
    code = admin.codes[0]
    real_verify = second_factor.verify_password

    def verify_while_another_log_in_uses_it(code_hash, typed):
        matches = real_verify(code_hash, typed)
        if matches:   # the other log-in found the same row and committed first
            with db.engine.begin() as other:
                other.execute(update(RecoveryCode).where(RecoveryCode.code_hash == code_hash)
                              .values(used_at=func.now()))
        return matches

    monkeypatch.setattr(second_factor, "verify_password", verify_while_another_log_in_uses_it)
    assert second_factor.verify_login_code(admin.user, code) is None
    db.session.commit()
    assert used_codes(admin.user.id) == 1


def test_a_used_recovery_code_is_refused_at_the_log_in_page(app2fa, admin):
    code = admin.codes[4]
    first = at_the_code_step(app2fa, admin.user)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    again = at_the_code_step(app2fa, admin.user)
    refused = again.post("/login/code", data={"code": code})
    assert refused.status_code == 401
    assert "確認コードが正しくありません。" in Page(refused).text
    assert again.get("/").status_code == 302
    assert used_codes(admin.user.id) == 1


# --- the notice after a log-in with a recovery code (issue #23 item 5) ---------------------

def test_a_recovery_code_log_in_says_how_many_codes_are_left(app2fa, admin):
    client = at_the_code_step(app2fa, admin.user)
    answer = client.post("/login/code", data={"code": admin.codes[0]}, follow_redirects=True)
    page = Page(answer)
    assert "回復コードでログインしました。残りは9個です。" in page.text
    assert "新しい回復コードを発行してください" not in page.text


def test_with_few_codes_left_the_notice_asks_for_new_ones_and_links_where_they_are_made(app2fa, admin):
    for code in admin.codes[:6]:
        assert second_factor.use_recovery_code(admin.user, code)
    db.session.commit()
    client = at_the_code_step(app2fa, admin.user)
    page = Page(client.post("/login/code", data={"code": admin.codes[6]}, follow_redirects=True))
    assert ("回復コードでログインしました。残りは3個です。"
            "残りが少ないため、2段階認証の設定で新しい回復コードを発行してください。") in page.text
    assert [a.get("href") for a in page.all("a") if (a.text or "") == "2段階認証の設定"] == [
        "/account/two-factor"]


def test_an_authenticator_log_in_says_nothing_about_recovery_codes_while_enough_are_left(app2fa, admin):
    client = at_the_code_step(app2fa, admin.user)
    page = Page(client.post("/login/code", data={"code": admin.totp.now()}, follow_redirects=True))
    assert "回復コード" not in page.text


# --- new recovery codes, where the notice links to ------------------------------------------

def test_from_the_notice_the_user_makes_new_codes_and_the_old_ones_stop_working(app2fa, admin):
    for code in admin.codes[:7]:
        assert second_factor.use_recovery_code(admin.user, code)
    db.session.commit()
    client = at_the_code_step(app2fa, admin.user)
    home = Page(client.post("/login/code", data={"code": admin.codes[7]}, follow_redirects=True))
    [link] = [a.get("href") for a in home.all("a") if (a.text or "") == "2段階認証の設定"]
    settings = Page(client.get(link))
    assert "未使用の回復コード：2個" in settings.text
    assert "新しい回復コードを10個発行します。これまでの回復コードは、未使用のものも含めて使えなくなります。" in settings.text

    # The log-in just made counts as the step-up (本人確認) that new codes need.
    answer = client.post("/account/two-factor/recovery-codes")
    assert answer.status_code == 200
    page = Page(answer)
    assert page.all("h1")[0].text == "回復コードを再発行しました"
    assert "これまでの回復コードは使えなくなりました。" in page.text
    new_codes = [c.text for c in page.by_id("recovery-codes").iter() if c.tag.endswith("code")]
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(admin.codes)

    assert at_the_code_step(app2fa, admin.user).post("/login/code", data={"code": admin.codes[8]}).status_code == 401
    assert at_the_code_step(app2fa, admin.user).post("/login/code", data={"code": new_codes[0]}).status_code == 302
    db.session.expire_all()
    renewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user_2fa_recovery_codes")).all()
    assert [(e.actor_id, e.object_id) for e in renewed] == [(admin.user.id, admin.user.id)]
