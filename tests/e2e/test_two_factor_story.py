"""An admin enrols an authenticator app on first log-in, then logs in with a code (CSP on, no violations)."""
import pyotp
import pytest

from tests.conftest import _make_app
from tests.factories import PASSWORD, Factory

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_app(databases, tmp_path):
    return _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True,
                     REQUIRE_2FA_FOR="admin,secretariat")


def password_step(page, email):
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_an_admin_enrols_on_first_log_in_and_then_logs_in_with_a_code(live_app, page):
    from webapp.extensions import db
    from webapp.models import User
    with live_app.app_context():
        admin = Factory().admin()
        email, user_id = admin.email, admin.id
    password_step(page, email)
    page.wait_for_url("**/account/two-factor")
    assert page.get_by_role("img", name="認証アプリに読み取らせる QR コード").is_visible()
    page.goto("/admin/users")
    page.wait_for_url("**/account/two-factor")  # nothing else opens before enrolment
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("認証アプリに表示された6桁のコード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登録する").click()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="控えました。ホームへ進む").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login")

    with live_app.app_context():
        # The enrolment code is spent; let the next one count as the next time step would.
        db.session.get(User, user_id).totp_last_step = 0
        db.session.commit()
    password_step(page, email)
    page.wait_for_url("**/login/code")
    page.get_by_label("確認コード（6桁）または回復コード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認").click()
    page.wait_for_url("**/")
    page.goto("/admin/users")
    page.get_by_role("heading", name="ユーザー管理").wait_for()
