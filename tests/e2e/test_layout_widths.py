"""Laptop widths in Chromium: no label of the navigation or the dashboard header breaks inside a word."""
from __future__ import annotations

import pytest

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
