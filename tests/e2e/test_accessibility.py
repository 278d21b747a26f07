"""Every screen of the app passes axe-core (WCAG 2.x A/AA, JIS X 8341-3) in Chromium.

The sweep opens each HTML page as the person who can see it -- nobody logged
in, a 大分県 coordinator, the secretariat, an admin -- in one browser context
per person, including the pages that only a failed form shows (login failure,
editor errors, an empty comment or return reason, a user form with errors);
on those the keyboard must land on the first invalid field, or on the message.
The list is checked against `app.url_map`: a new GET route needs a screen here
or a reason in NOT_HTML, as a route needs a permission matrix row.

The pages checked and the violations per impact level are printed at the end
of the run and written to build/accessibility.txt.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Callable

import pyotp
import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import _make_app
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import end_session, is_csp_violation, log_in
from tests.factories import PASSWORD, Factory
from webapp import mail
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.models import ReportBuild
from webapp.operations import transition
from webapp.review.comments import add_comment, set_resolved
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import today_jst, utcnow

pytestmark = pytest.mark.e2e

# GET routes that answer with something other than an HTML page.
NOT_HTML = {
    "static": "CSS, scripts, fonts",
    "bootstrap.static": "Bootstrap's CSS and scripts",
    "audit.events_csv": "CSV download",
    "review.dashboard_export": "CSV / XLSX download",
    "council.kpi_progress_xlsx": "XLSX download",
    "reports.kpi_workbook": "XLSX download",
    "workbooks.sheet_workbook": "XLSX download",
    "workbooks.organisation_workbook": "XLSX download",
    "reports.download": "PDF download",
    "reports.download_archive": "PDF download",
    "reports.sheet_pdf_progress": "JSON polled by the page waiting for a sheet's PDF",
    "reports.build_progress": "JSON polled by the build page",
    "editing.fit_status": "JSON polled by the editor",
    "main.figure_image": "PNG / JPEG image",
    "api.openapi": "JSON: the read API's OpenAPI document",
    "api.years": "JSON: the read API",
    "api.sheets": "JSON: the read API",
    "api.sheet": "JSON: the read API",
    "api.kpis": "JSON: the read API",
    "publishing.web_edition": "ZIP download (its pages: tests/e2e/test_web_edition.py)",
    "templates.preview": "redirect to the sample sheet's PDF (reports.sheet_pdf, swept)",
}


@dataclass
class World:
    app: Flask
    coordinator: str
    secretariat: str
    admin: str
    two_factor: str
    two_factor_secret: str
    draft: int           # ② FY2024, 大分県's draft
    approved: int        # ② FY2023, approved, with KPIs and a figure
    submitted: int       # ⑦ FY2024, submitted, with a comment
    with_roadmap: int    # ⑤ FY2023, with a roadmap
    build_running: int
    build_done: int
    mail_name: str
    user_id: int
    org_id: int
    project_id: int
    unprinted: int       # ⑲ FY2024, never printed in the sweep's own print cache


@dataclass
class Screen:
    name: str
    endpoint: str | None            # the route shown (None: an error page for no route)
    go: str | Callable              # a path, or f(page, world) that brings the screen up
    status: int = 200


def path(template: str) -> Callable:
    return lambda page, w: page.goto(template.format(w=w))


# --- failed forms, shown as their users get them -----------------------------------------

def failed_login(page, w):
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(w.coordinator)
    page.get_by_label("パスワード").fill("wrong password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_be_focused()


def code_step(page, w):
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(w.two_factor)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/login/code")


def wrong_code(page, w):
    page.get_by_label("確認コード（6桁）または回復コード").fill("000000")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_label("確認コード（6桁）または回復コード")).to_be_focused()


def editor_with_errors(page, w):
    page.goto(f"/sheets/{w.draft}/edit")
    page.locator('input[name="kpis-0-series-0-actual"]').fill("たくさん")
    page.locator("#save-button").press("Enter")
    expect(page.locator('input[name="kpis-0-series-0-actual"]')).to_be_focused()


def preview_of_a_workbook(page, w):
    data = page.request.get(f"/sheets/{w.draft}/workbook.xlsx").body()
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("・"):
                cell.value = cell.value + "（Excelで追記）"
                break
    out = io.BytesIO()
    book.save(out)
    _upload_workbook(page, w, out.getvalue())


def _upload_workbook(page, w, data: bytes):
    page.goto(f"/sheets/{w.draft}/workbook/import")
    page.locator("input[type=file]").set_input_files(files=[{
        "name": "sheet.xlsx", "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.locator("form button[type=submit]").last.click()
    # The preview answers on the same address: wait for its heading, so the sweep
    # checks the preview and no later navigation aborts the upload's.
    expect(page.get_by_role("heading", level=1)).to_have_text("取り込む内容の確認")


def preview_of_a_stale_workbook(page, w):
    """Exported, then saved in the editor (目的 and 課題), then brought back with 課題 changed:
    the page says who saved since, lists what stays, and shows 課題 side by side."""
    from tests.workbooks.conftest import fill
    data = page.request.get(f"/sheets/{w.draft}/workbook.xlsx").body()
    page.goto(f"/sheets/{w.draft}/edit")
    page.locator('textarea[name="purpose"]').fill("画面で書いた目的")
    page.locator('textarea[name="challenges"]').fill("・画面で書いた課題")
    # Pressed with the keyboard, and the saved page waited for: a navigation begun
    # before the save's own redirect lands would be aborted by it (ERR_ABORTED).
    page.locator("#save-button").press("Enter")
    page.wait_for_url(re.compile(r"/edit\?saved=\d+$"))
    _upload_workbook(page, w, fill(data, {"challenges": "・Excelで書いた課題"}))
    expect(page.locator("#conflict-table")).to_be_visible()


def preview_being_made(page, w):
    from webapp.editing import fit
    fit.pending_marks(w.app).add(w.unprinted, "held")  # its check stays pending: the page waits
    page.goto(f"/sheets/{w.unprinted}/pdf")
    expect(page.get_by_role("status")).to_contain_text("PDFを作成しています…")


def wrong_current_password(page, w):
    page.goto("/account/password")
    page.locator("form input[type=password]").first.fill("not my password")
    page.locator("form input[type=password]").nth(1).fill("a new long passphrase 2024")
    page.locator("form input[type=password]").nth(2).fill("a new long passphrase 2024")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("form input[type=password]").first).to_be_focused()


def wrong_step_up_password(page, w):
    page.goto("/account/confirm?next=/account/password")
    page.get_by_label("現在のパスワード").fill("not my password")
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_label("現在のパスワード")).to_be_focused()


def enrolment_with_a_wrong_code(page, w):
    page.goto("/account/two-factor")
    page.get_by_label("認証アプリに表示された6桁のコード").fill("000000")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_label("認証アプリに表示された6桁のコード")).to_be_focused()


def recovery_codes(page, w):
    page.goto("/account/two-factor")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("認証アプリに表示された6桁のコード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登録する").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)


def renewed_recovery_codes(page, w):
    """After the enrolment above: the settings page of an enrolled user, then new codes
    (the log-in counts as the step-up they need, REAUTH_MINUTES below)."""
    page.goto("/account/two-factor")
    page.get_by_role("button", name="回復コードを再発行する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("回復コードを再発行しました")
    expect(page.locator("#recovery-codes li")).to_have_count(10)


def issued_api_token(page, w):
    """アカウント設定 → APIトークンを発行 (the log-in counts as the step-up it needs)."""
    page.goto("/account")
    page.get_by_label("トークンの名前（用途）").fill("集計用スクリプト")
    page.get_by_role("button", name="トークンを発行する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("APIトークンを発行しました")


def expired_session(page, w):
    page.goto(f"/sheets/{w.draft}/edit")
    end_session(page, w.app, w.coordinator)
    page.locator("#save-button").press("Enter")
    expect(page.locator("#relogin")).to_be_visible()


def empty_return_reason(page, w):
    page.goto(f"/sheets/{w.submitted}/steps/return")
    page.get_by_role("button", name="差し戻す").click()
    expect(page.locator("#comment")).to_be_focused()


def empty_comment(page, w):
    page.goto(f"/sheets/{w.submitted}")
    box = page.locator("#sec-challenges")
    box.locator("summary", has_text="にコメントする").click()
    box.get_by_role("textbox").fill("   ")
    box.get_by_role("button", name="コメントを投稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("へのコメント")
    expect(page.get_by_role("textbox", name="コメント")).to_be_focused()


def user_form_with_errors(page, w):
    page.goto("/admin/users/new")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".is-invalid").first).to_be_focused()


SCREENS: dict[str, list[Screen]] = {
    "anonymous": [
        Screen("ログイン", "auth.login", "/login"),
        Screen("ログイン（パスワード誤り）", "auth.login", failed_login, 401),
        Screen("2段階認証のコード入力", "auth.login_code", code_step),
        Screen("2段階認証のコード入力（誤り）", "auth.login_code", wrong_code, 401),
        Screen("404（未ログイン）", None, "/no/such/page", 404),
    ],
    "coordinator": [
        Screen("ホーム（幹事）", "main.home", "/"),
        Screen("個票（作成中）", "main.sheet", "/sheets/{w.draft}"),
        Screen("個票（承認済・KPI）", "main.sheet", "/sheets/{w.approved}"),
        Screen("個票の編集", "editing.edit_sheet", "/sheets/{w.draft}/edit"),
        Screen("個票の編集（入力の誤り）", "editing.edit_sheet", editor_with_errors, 422),
        Screen("履歴・比較", "review.history", "/sheets/{w.draft}/history"),
        Screen("比較（変更のみ）", "review.compare", "/sheets/{w.draft}/compare"),
        Screen("比較（すべて）", "review.compare", "/sheets/{w.draft}/compare?all=1"),
        Screen("提出の確認（提出できない）", "review.step", "/sheets/{w.draft}/steps/submit"),
        Screen("Excelから取り込む", "workbooks.import_workbook", "/sheets/{w.draft}/workbook/import"),
        Screen("Excel取込みの確認", "workbooks.import_workbook", preview_of_a_workbook),
        Screen("Excel取込みの確認（書き出し後に保存あり）", "workbooks.import_workbook", preview_of_a_stale_workbook),
        Screen("PDFの作成中", "reports.sheet_pdf", preview_being_made, 202),
        Screen("アカウント設定", "auth.account", "/account"),
        Screen("APIトークンの発行", "api_tokens.create", issued_api_token),
        Screen("パスワードの変更", "auth.change_password", "/account/password"),
        Screen("パスワードの変更（誤り）", "auth.change_password", wrong_current_password),
        Screen("本人確認", "auth.reauthenticate", "/account/confirm?next=/account/password"),
        Screen("本人確認（パスワード誤り）", "auth.reauthenticate", wrong_step_up_password, 401),
        Screen("2段階認証の登録", "auth.two_factor", "/account/two-factor"),
        Screen("2段階認証の登録（コード誤り）", "auth.two_factor", enrolment_with_a_wrong_code),
        Screen("回復コード", "auth.two_factor", recovery_codes),
        Screen("2段階認証の設定（登録済み）", "auth.two_factor", "/account/two-factor"),
        Screen("回復コードの再発行", "auth.renew_recovery_codes", renewed_recovery_codes),
        Screen("403（権限なし）", "admin.users", "/admin/users", 403),
        Screen("404（ログイン中）", None, "/no/such/page", 404),
        Screen("ログインの有効期限切れ", "editing.edit_sheet", expired_session, 400),
    ],
    "secretariat": [
        Screen("ホーム（事務局）", "main.home", "/"),
        Screen("提出状況", "review.dashboard", "/dashboard"),
        Screen("提出状況（2023年度）", "review.dashboard", "/dashboard/2023"),
        Screen("個票（提出済・コメントあり）", "main.sheet", "/sheets/{w.submitted}"),
        Screen("個票（ロードマップ）", "main.sheet", "/sheets/{w.with_roadmap}"),
        Screen("差戻しの確認", "review.step", "/sheets/{w.submitted}/steps/return"),
        Screen("差戻しの確認（理由なし）", "review.step", empty_return_reason, 400),
        Screen("承認の確認", "review.step", "/sheets/{w.submitted}/steps/approve"),
        Screen("コメント（空欄）", "review.add_comment", empty_comment, 400),
        Screen("履歴・比較（提出済）", "review.history", "/sheets/{w.submitted}/history"),
        Screen("年度の管理", "editing.cycles", "/cycles"),
        Screen("年度の締切り", "editing.close_cycle", "/cycles/2024/close"),
        Screen("個票の様式", "templates.index", "/templates"),
        Screen("個票の様式（2024年度）", "templates.template", "/cycles/2024/template"),
        Screen("様式の欄を削除する確認", "templates.remove_section",
               "/cycles/2024/template/sections/results_perspectives/remove"),
        Screen("報告書の作成", "reports.index", "/reports"),
        Screen("報告書の作成（2023年度）", "reports.year_builds", "/reports/2023"),
        Screen("報告書の作成状況（作成中）", "reports.build_status", "/reports/builds/{w.build_running}"),
        Screen("報告書の作成状況（完了）", "reports.build_status", "/reports/builds/{w.build_done}"),
        Screen("KPIの進捗", "council.kpi_index", "/kpis"),
        Screen("KPIの進捗（2023年度）", "council.kpi_progress", "/kpis/2023"),
    ],
    "admin": [
        Screen("ユーザー管理", "admin.users", "/admin/users"),
        Screen("ユーザーの追加", "admin.new_user", "/admin/users/new"),
        Screen("ユーザーの追加（入力の誤り）", "admin.new_user", user_form_with_errors),
        Screen("ユーザーの編集", "admin.edit_user", "/admin/users/{w.user_id}"),
        Screen("組織の管理", "council.organisations", "/admin/organisations"),
        Screen("組織の編集", "council.edit_organisation", "/admin/organisations/{w.org_id}"),
        Screen("組織を無効にする確認", "council.deactivate_organisation",
               "/admin/organisations/{w.org_id}/deactivate"),
        Screen("組織を削除する確認", "council.delete_organisation",
               "/admin/organisations/{w.org_id}/delete"),
        Screen("プロジェクトの管理", "council.projects", "/admin/projects"),
        Screen("プロジェクトの編集", "council.edit_project", "/admin/projects/{w.project_id}"),
        Screen("プロジェクトの追加", "council.new_project", "/admin/projects/new"),
        Screen("プロジェクトの終了の確認", "council.deactivate_project",
               "/admin/projects/{w.project_id}/deactivate"),
        Screen("操作履歴", "audit.events", "/admin/audit"),
        Screen("送信メール", "review.mail_list", "/admin/mail"),
        Screen("送信メールの内容", "review.mail_detail", "/admin/mail/{w.mail_name}"),
        Screen("承認取消しの確認", "review.step", "/sheets/{w.approved}/steps/reopen"),
    ],
}


def test_every_html_route_has_a_screen_in_the_sweep(app):
    swept = {s.endpoint for screens in SCREENS.values() for s in screens}
    pages = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = sorted(e for e in pages if e not in swept and e not in NOT_HTML)
    assert not missing, ("GET routes with no screen in the accessibility sweep (add a Screen, or "
                         "a reason in NOT_HTML):\n" + "\n".join(f"  {e}  {pages[e]}" for e in missing))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted((swept | set(NOT_HTML)) - endpoints - {None})
    assert not stale, f"the sweep names routes the app does not have: {stale}"


# --- the world the sweep walks through ---------------------------------------------------

@pytest.fixture
def live_app(databases, tmp_path):
    # The sweep outlasts the five minutes a log-in counts as a step-up for; the
    # password and two-factor pages are swept as opened, and the step-up page
    # on its own (tests/security/test_step_up.py tests the expiry). A print cache
    # of its own (not the session's shared one), so that the sheet the preview
    # screen waits for is surely not printed yet.
    return _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True, REAUTH_MINUTES=60,
                     CACHE_FOLDER=str(tmp_path / "print-cache"))


def _world(app) -> World:
    from webapp.cycles import open_cycle
    with app.app_context():
        f = Factory()
        oita = f.coordinator("大分県")
        reviewer = f.secretariat()
        admin = f.admin()
        guarded = f.coordinator("福岡県")
        secret = pyotp.random_base32()
        guarded.totp_secret, guarded.totp_enabled_at = secret, utcnow()
        open_cycle(2024, today_jst() + dt.timedelta(days=30), admin)
        db.session.commit()
        # 大分県 has started ② and ⑦ (a first save makes them 作成中).
        for number in (2, 7):
            sheet = f.sheet_of(number, 2024)
            save_content(oita, sheet, sheet.version, sheet_to_dict(sheet), [None] * len(sheet.figures))
        db.session.commit()
        seven = f.sheet_of(7, 2024)
        transition(f.coordinator("大分県"), seven, "submit", "ご確認をお願いします。")
        add_comment(reviewer, seven, "課題の原因を具体的に記載してください。", section="challenges")
        set_resolved(reviewer, add_comment(reviewer, seven, "目的の表記を確認しました。", section="purpose"), True)
        db.session.commit()
        mail.send(mail.Mail(to=[oita.email], subject="【差戻し】② 個票が差し戻されました",
                            body="課題欄の記載が不足しています。\n"))
        name = mail.stored_mails()[0].name
        cycle = f.sheet_of(2, 2024).cycle
        running = ReportBuild(cycle_id=cycle.id, requested_by_id=reviewer.id, content_key="a" * 64,
                              status="running", progress_done=5, progress_total=21,
                              progress_label="⑥ を組版中")
        done = ReportBuild(cycle_id=f.sheet_of(2).cycle_id, requested_by_id=reviewer.id,
                           content_key="b" * 64, status="done", progress_done=21, progress_total=21,
                           file_name="report.pdf", sha256="c" * 64, finished_at=utcnow())
        db.session.add_all([running, done])
        db.session.commit()
        return World(app=app, coordinator=oita.email, secretariat=reviewer.email, admin=admin.email,
                     two_factor=guarded.email, two_factor_secret=secret,
                     draft=f.sheet_of(2, 2024).id, approved=f.sheet_of(2).id, submitted=seven.id,
                     with_roadmap=f.sheet_of(5).id, build_running=running.id, build_done=done.id,
                     mail_name=name, user_id=oita.id, org_id=oita.organisation_id,
                     project_id=f.sheet_of(2).project_id, unprinted=f.sheet_of(19, 2024).id)


def _context(browser, live_server):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15000)
    return context


def test_every_screen_passes_axe(live_app, live_server, browser):
    world = _world(live_app)
    emails = {"coordinator": world.coordinator, "secretariat": world.secretariat, "admin": world.admin}
    adapter = live_app.url_map.bind("localhost")
    failures = []
    for role, screens in SCREENS.items():
        context = _context(browser, live_server)
        page = context.new_page()
        page.on("console", lambda msg: failures.append(f"CSP: {msg.text}") if is_csp_violation(msg.text) else None)
        responses = []
        page.on("response", lambda r: responses.append(r) if r.request.is_navigation_request()
                and r.request.frame == page.main_frame else None)
        if role in emails:
            log_in(page, emails[role])
        for screen in screens:
            responses.clear()
            try:
                if isinstance(screen.go, str):
                    page.goto(screen.go.format(w=world))
                else:
                    screen.go(page, world)
                page.wait_for_load_state()
            except AssertionError as exc:
                failures.append(f"「{screen.name}」 did not come up: {exc}")
                continue
            status = responses[-1].status if responses else None
            if status != screen.status:
                failures.append(f"「{screen.name}」 answered {status}, not {screen.status} ({page.url})")
            if isinstance(screen.go, str) and screen.endpoint is not None:
                asked = adapter.match(screen.go.format(w=world).split("?")[0])[0]
                assert asked == screen.endpoint, f"「{screen.name}」 is {asked}, not {screen.endpoint}"
            try:
                assert_accessible(page, screen.name)
            except AssertionError as exc:
                failures.append(str(exc))
        context.close()
    assert not failures, "\n\n".join(failures)


# Each visible control of the form and the text a sighted user reads as its label: its own
# <label> when that is shown; when the label is only for screen readers, the heading of its
# section (which the label must repeat); in a table, the header of its column (which its
# accessible name must contain). Controls left without one are returned.
UNLABELLED_CONTROLS = """(form) => {
  const shown = (n) => !!n && n.getClientRects().length > 0 && !n.closest('.visually-hidden')
      && getComputedStyle(n).visibility !== 'hidden' && n.innerText.trim() !== '';
  const missing = [];
  for (const el of form.querySelectorAll('input, textarea, select')) {
    if (el.type === 'hidden' || el.getClientRects().length === 0) continue;
    const labels = [...(el.labels || [])];
    const own = labels.find(shown);
    if (own) continue;
    const section = el.closest('section[aria-labelledby]');
    const heading = section && document.getElementById(section.getAttribute('aria-labelledby'));
    if (shown(heading) && labels.some(l => l.textContent.includes(heading.innerText.trim()))) continue;
    const cell = el.closest('td'), table = cell && cell.closest('table');
    const th = table && table.tHead && table.tHead.rows[0].cells[cell.cellIndex];
    if (shown(th) && (el.getAttribute('aria-label') || '').includes(th.innerText.trim())) continue;
    missing.push(el.name || el.id || el.outerHTML.slice(0, 80));
  }
  return missing;
}"""


def test_every_control_of_the_editor_has_a_visible_label(live_app, live_server, page):
    """Including the rows the page adds: a KPI with a year, a roadmap row, a figure."""
    world = _world(live_app)
    log_in(page, world.coordinator)
    page.goto(f"/sheets/{world.draft}/edit")
    page.get_by_role("button", name="KPIを追加").click()
    page.locator("#kpi-list > fieldset").last.get_by_role("button", name="年度の行を追加").click()
    page.get_by_role("button", name="ロードマップの行を追加").click()
    page.get_by_role("button", name="図表を追加").click()
    expect(page.locator("#kpi-list > fieldset")).to_have_count(2)
    expect(page.locator("#roadmap-list tr")).to_have_count(1)
    expect(page.locator("#figure-list > fieldset")).to_have_count(2)
    form = page.locator("#sheet-form")
    assert form.locator("input:visible, textarea:visible, select:visible").count() > 80
    assert form.evaluate(UNLABELLED_CONTROLS) == []
    assert_accessible(page, "個票の編集（行を追加）")


def test_on_a_phone_the_menu_is_a_named_button_and_the_pages_still_pass(live_app, live_server, browser):
    world = _world(live_app)
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, world.coordinator)
    menu = page.get_by_role("button", name="メニュー")
    expect(menu).to_be_visible()
    expect(menu).to_have_text("メニュー")
    expect(page.get_by_role("link", name="アカウント設定")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="アカウント設定")).to_be_visible()
    assert_accessible(page, "ホーム（スマートフォン・メニューを開いた状態）")
    for name, url in (("個票（スマートフォン）", f"/sheets/{world.approved}"),
                      ("個票の編集（スマートフォン）", f"/sheets/{world.draft}/edit")):
        page.goto(url)
        assert_accessible(page, name)
    context.close()
