"""The browser copy of typed text, in Chromium (issue 9 finding 2, issue 11 finding 1).

After 「保存」 the page says 「保存しました」 and nothing else: no restore banner,
no copy left behind. After an expired session the copy that the editor's own
script kept is offered with the list of what it would change against the
saved sheet, removals named, and applied only when the user chooses to.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import _make_app
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import end_session, log_in
from tests.factories import PASSWORD, Factory
from webapp.extensions import db

pytestmark = pytest.mark.e2e

HAS_COPY = "() => Object.keys(localStorage).some(k => k.startsWith('sheet-draft:'))"


@pytest.fixture
def live_app(databases, tmp_path):
    return _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True, JOBS_EAGER=False)


def _setup(app):
    from webapp.cycles import open_cycle
    with app.app_context():
        open_cycle(2024, None, None)
        db.session.commit()
        f = Factory()
        email = f.coordinator("大分県").email
        sheet_id = f.sheet_of(2, 2024).id
    return email, sheet_id


def _script_started(page):
    # The banner, if any, is put up while the script starts; sheetEdit is set when it is done.
    page.wait_for_function("() => window.sheetEdit !== undefined")


def test_after_saving_no_restore_banner_shows_and_no_copy_is_left(live_app, live_server, page):
    email, sheet_id = _setup(live_app)
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    page.locator("#challenges").fill("・保存する課題")
    page.get_by_role("button", name="保存", exact=True).press("Enter")
    expect(page.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()
    _script_started(page)
    expect(page.locator("#restore-banner")).to_have_count(0)
    assert page.evaluate(HAS_COPY) is False

    page.goto(f"/sheets/{sheet_id}/edit")             # opened again later: still nothing to restore
    _script_started(page)
    expect(page.locator("#restore-banner")).to_have_count(0)


def test_an_expired_sessions_copy_is_offered_with_its_differences(live_app, live_server, page):
    email, sheet_id = _setup(live_app)
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    end_session(page, live_app, email)
    page.locator("#challenges").fill("・期限切れの後に書いた課題")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^削除\s*（KPI）$")).click()
    expect(page.locator("#kpi-list > fieldset")).to_have_count(0)
    page.get_by_role("button", name="保存", exact=True).press("Enter")

    # The expired page only says what happened; it carries none of the posted text.
    expect(page.get_by_role("heading", name="ログインし直してください")).to_be_visible()
    expect(page.locator("#expired")).to_contain_text("このブラウザに保存してあります")
    expect(page.locator("#expired")).not_to_contain_text("期限切れの後に書いた課題")
    assert_accessible(page, "ログインの有効期限切れ")
    page.get_by_role("link", name="ログインして編集画面に戻る").click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(rf"/sheets/{sheet_id}/edit$"))

    banner = page.locator("#restore-banner")
    expect(banner).to_contain_text("保存されていない入力が、このブラウザに残っています")
    expect(banner.locator("#restore-changes li")).to_have_text(
        ["プロジェクトを推進する上での課題", "KPI 1"])
    expect(banner.locator("#restore-removals li")).to_have_text(
        ["KPIが 1 件から 0 件に減ります（1 件削除されます）"])
    expect(page.locator("#kpi-list > fieldset")).to_have_count(1)   # nothing applied yet
    assert_accessible(page, "個票の編集（復元する変更の一覧）")
    with live_app.app_context():
        assert len(Factory().sheet_of(2, 2024).kpis) == 1

    banner.get_by_role("button", name="復元する").click()
    expect(page.locator("#challenges")).to_have_value("・期限切れの後に書いた課題")
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")
    with live_app.app_context():
        saved = Factory().sheet_of(2, 2024)
        assert saved.text("challenges") == "・期限切れの後に書いた課題"
        assert saved.kpis == []


def test_a_figure_typed_in_full_width_digits_is_not_offered_back_as_a_difference(
        live_app, live_server, page):
    """「３３１」 is saved as 331 and shown back as 331: the copy left by a refused save
    holds what was typed, and the banner compares the two as the server reads them."""
    email, sheet_id = _setup(live_app)
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    _script_started(page)
    actual = page.locator('input[name="kpis-0-series-0-actual"]')
    actual.fill("３３１")
    page.evaluate("() => window.sheetEdit.autosave()")
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")
    end_session(page, live_app, email)
    page.get_by_role("button", name="保存", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="ログインし直してください")).to_be_visible()
    assert page.evaluate(HAS_COPY) is True        # the copy holds 「３３１」 as typed

    page.get_by_role("link", name="ログインして編集画面に戻る").click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(rf"/sheets/{sheet_id}/edit$"))
    _script_started(page)
    expect(actual).to_have_value("331")
    expect(page.locator("#restore-banner")).to_have_count(0)
    assert page.evaluate(HAS_COPY) is False       # nothing to offer: the copy is dropped


def test_the_indicator_says_at_once_that_a_roadmap_row_without_years_will_be_refused(
        live_app, live_server, page):
    email, sheet_id = _setup(live_app)
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    _script_started(page)
    page.locator('[name="roadmap_title"]').fill("活動内容")
    expect(page.locator('[name^="roadmap_rows-"][name$="-activity"]')).to_have_count(0)  # ② has none
    page.get_by_role("button", name="ロードマップの行を追加").click()
    page.locator('[name="roadmap_rows-0-activity"]').fill("実務者会議")
    page.evaluate("() => window.sheetEdit.autosave()")
    expect(page.locator("#save-status")).to_contain_text(
        "保存の際にエラーになります：ロードマップ 1行目『実務者会議』: 開始と終了の年度を入力してください（例: 2024）")
    with live_app.app_context():                      # the draft itself is kept
        from webapp.sheet_content import sheet_to_dict
        roadmap = sheet_to_dict(Factory().sheet_of(2, 2024))["roadmap"]
        assert [row["activity"] for row in roadmap["rows"]] == ["実務者会議"]
