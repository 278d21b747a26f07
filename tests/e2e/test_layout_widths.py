"""Laptop widths in Chromium: no label of the navigation or the dashboard header breaks inside a word."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import Factory
from webapp.extensions import db

pytestmark = pytest.mark.e2e

# The number of lines each element's text takes: distinct tops of its text's line boxes.
LINES = """els => els.map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return [el.textContent.trim(), tops.size];
})"""


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
        labels = nav.locator(".nav-link, .navbar-text, .btn, .navbar-brand").evaluate_all(LINES)
        assert len(labels) >= 8 and "ログアウト" in [text for text, _ in labels]
        assert [text for text, lines in labels if lines != 1] == [], labels
        page.goto("/dashboard")
        header = page.locator("#status-table thead th").evaluate_all(LINES)
        assert "未解決コメント" in [text for text, _ in header]
        assert [text for text, lines in header if lines != 1] == [], header
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
