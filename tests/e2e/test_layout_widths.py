"""Laptop widths in Chromium: no label of the navigation or the dashboard header breaks inside a word."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in
from tests.factories import Factory
from webapp.extensions import db

pytestmark = pytest.mark.e2e

# The number of lines each element's visible text takes: distinct tops of its line boxes
# (text for screen readers only, e.g. 「（①）」 after 「編集」, is left out).
LINES = """els => els.map(el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const tops = new Set();
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
    text += node.textContent.trim();
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
  }
  return [text, tops.size];
}).filter(([text]) => text)"""

# The bar's items, left to right: brand, links, the 「管理」 menu button, the user, the buttons.
BAR_ITEMS = (".navbar-brand, .navbar-nav > .nav-item > .nav-link, .navbar-nav > .nav-item > details > summary, "
             ".nav-user, .btn")
# Whether the items share one row: some horizontal line crosses every one of them.
ONE_ROW = """els => {
  const boxes = els.map(el => el.getBoundingClientRect());
  return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom));
}"""


def _page_at(browser, live_server, email: str, width: int):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": width, "height": 800})
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, email)
    return context, page


@pytest.mark.parametrize("role,width", [("secretariat", 1280), ("secretariat", 1366),
                                        ("admin", 1280), ("admin", 1366)])
def test_navigation_and_dashboard_labels_stay_on_one_line(live_app, live_server, browser, role, width):
    with live_app.app_context():
        user = Factory().user(role, email=f"{role}@example.jp")
        user.display_name = "九州 花子"
        db.session.commit()
    context, page = _page_at(browser, live_server, f"{role}@example.jp", width)
    try:
        nav = page.get_by_role("navigation", name="メインメニュー")
        labels = nav.locator(".nav-link:visible, .nav-user > span, .btn, .navbar-brand, summary").evaluate_all(LINES)
        assert len(labels) >= 8 and "ログアウト" in [text for text, _ in labels]
        assert [text for text, lines in labels if lines != 1] == [], labels
        page.goto("/dashboard")
        header = page.locator("#status-table thead th").evaluate_all(LINES)
        assert "未解決コメント" in [text for text, _ in header]
        assert [text for text, lines in header if lines != 1] == [], header
    finally:
        context.close()


@pytest.mark.parametrize("role,width", [("secretariat", 1280), ("secretariat", 1366),
                                        ("admin", 1280), ("admin", 1366)])
def test_the_bar_is_one_row_from_1280_px_even_with_a_long_name(live_app, live_server, browser,
                                                                 role, width):
    name = "九州地域戦略会議事務局 企画調整担当 九州 花子"
    with live_app.app_context():
        Factory().user(role, "九州地域戦略会議事務局", email=f"{role}@example.jp").display_name = name
        db.session.commit()
    context, page = _page_at(browser, live_server, f"{role}@example.jp", width)
    try:
        items = page.get_by_role("navigation", name="メインメニュー").locator(BAR_ITEMS)
        texts = [t.strip() for t in items.all_inner_texts()]
        assert texts[1:6] == ["ホーム", "年度の管理", "提出状況", "報告書", "ＫＰＩ達成状況"], texts
        assert texts[-2:] == ["アカウント設定", "ログアウト"], texts
        assert items.evaluate_all(ONE_ROW), items.evaluate_all(
            "els => els.map(el => [el.textContent.trim(), el.getBoundingClientRect().top])")
        # The name is cut short on screen, never wrapped; the whole of it is there to read.
        user = page.locator(".nav-user")
        assert user.locator("span").evaluate_all(LINES) == [[name, 1], ["九州地域戦略会議事務局・" + (
            "管理者" if role == "admin" else "事務局"), 1]]
        expect(user.locator("span").first).to_have_attribute("title", name)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 1366])
def test_table_headers_and_buttons_keep_their_words_whole(live_app, live_server, browser, width):
    """「編／集」「終了にす／る」「最新実／績」 were seen at 1280 px on these pages."""
    with live_app.app_context():
        Factory().admin(email="admin@example.jp")
        db.session.commit()
    context, page = _page_at(browser, live_server, "admin@example.jp", width)
    try:
        for url in ["/admin/projects", "/admin/organisations", "/admin/users", "/admin/audit",
                    "/kpis/2023", "/dashboard/2023", "/reports/2023", "/cycles"]:
            page.goto(url)
            labels = page.locator("table thead th, table .btn").evaluate_all(LINES)
            assert len(labels) >= 3, url
            assert [text for text, lines in labels if lines != 1] == [], (url, labels)
        page.goto("/admin/projects")
        assert ["編集", 1] in page.locator("table .btn").evaluate_all(LINES)
    finally:
        context.close()


def test_the_admin_menu_opens_and_closes_from_the_keyboard(live_app, live_server, browser):
    with live_app.app_context():
        Factory().admin(email="admin@example.jp")
        db.session.commit()
    context, page = _page_at(browser, live_server, "admin@example.jp", 1280)
    try:
        menu = page.get_by_role("navigation", name="メインメニュー").locator("summary", has_text="管理")
        users = page.get_by_role("link", name="ユーザー管理")
        expect(users).to_be_hidden()
        menu.focus()
        page.keyboard.press("Enter")
        expect(users).to_be_visible()
        for label in ["プロジェクト管理", "組織管理", "操作履歴", "送信メール"]:
            expect(page.get_by_role("link", name=label)).to_be_visible()
        assert_accessible(page, "ホーム（管理メニューを開いた状態）")
        page.keyboard.press("Escape")
        expect(users).to_be_hidden()
        expect(menu).to_be_focused()
        menu.click()
        page.locator("main h1, main").first.click()  # a click elsewhere closes it
        expect(users).to_be_hidden()
        menu.click()
        users.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ユーザー管理")
    finally:
        context.close()


def test_an_autosave_does_not_move_the_save_button_under_the_pointer(live_app, live_server, browser):
    """A coordinator with a long name types, and the autosave answers as they reach for 保存:
    the button stays where it was, and the panel beside it says who saved last."""
    from webapp.cycles import open_cycle
    name = "大分県 商工観光労働部 新産業振興課 地熱・温泉熱エネルギー産業拠点化推進担当 九州 太郎"
    with live_app.app_context():
        f = Factory()
        user = f.coordinator("大分県", email="oita@pref.example.jp")
        user.display_name = name
        open_cycle(2024, dt.date(2030, 4, 30), None)
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id
    context, page = _page_at(browser, live_server, "oita@pref.example.jp", 1200)
    try:
        page.emulate_media(reduced_motion="reduce")  # scrolling to the field ends at once
        page.goto(f"/sheets/{sheet_id}/edit")
        save = page.get_by_role("button", name="保存", exact=True)
        page.locator("#challenges").fill("・自動保存される課題")
        page.evaluate("scrollTo(0, 0)")  # back at the top, where the header sits above 保存
        before = save.bounding_box()
        page.evaluate("window.sheetEdit.autosave()")
        expect(page.locator("#save-status")).to_contain_text("自動保存しました")
        expect(page.locator(".save-card")).to_contain_text(f"（{name}）")
        assert save.bounding_box() == before
    finally:
        context.close()


def test_the_reports_page_buttons_are_one_size_and_the_build_row_one_line(live_app, live_server,
                                                                           browser):
    """With a sheet left out, the tick above the row no longer pushes 「報告書PDFを作成」 down,
    nor stretches the Excel link; the date and appendix buttons are the same size."""
    with live_app.app_context():
        f = Factory()
        f.secretariat(email="secretariat@example.jp")
        sheet = f.sheet_of(3)
        sheet.state, sheet.approved_at, sheet.approved_by_id = "submitted", None, None
        db.session.commit()
    context, page = _page_at(browser, live_server, "secretariat@example.jp", 1280)
    try:
        page.goto("/reports/2023")
        tick = page.get_by_label("承認済の個票だけで作成する（上の1件は入りません）")
        row = [page.get_by_role("button", name="報告書PDFを作成"),
               page.get_by_role("button", name="確認用PDFを作成（未承認を含む）"),
               page.get_by_role("link", name="KPI・状態一覧（Excel）")]
        boxes = [button.bounding_box() for button in row]
        assert len({(round(b["y"]), round(b["height"])) for b in boxes}) == 1, boxes
        sizes = page.locator("main .btn").evaluate_all(
            "els => els.map(el => [el.textContent.trim(), Math.round(el.getBoundingClientRect().height)])")
        assert {text for text, _ in sizes} >= {"日付を保存", "付録を付ける"}
        assert len({height for _, height in sizes}) == 1, sizes
        # The tick, above the row, still guards the build.
        assert page.evaluate("document.getElementById('build-form').checkValidity()") is False
        tick.check()
        assert page.evaluate("document.getElementById('build-form').checkValidity()") is True
    finally:
        context.close()
