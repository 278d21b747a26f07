"""The editor below 1200 px: 保存 and the fit status stay on screen, not 4,000 px down the page."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import Factory
from webapp.cycles import open_cycle
from webapp.extensions import db

pytestmark = pytest.mark.e2e


def test_save_and_fit_status_are_reachable_at_1024_px(live_app, live_server, browser):
    with live_app.app_context():
        f = Factory()
        f.coordinator("大分県", email="oita@pref.example.jp").display_name = "大分県 担当"
        open_cycle(2024, dt.date(2030, 4, 30), None)
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, "oita@pref.example.jp")
        page.goto(f"/sheets/{sheet_id}/edit")
        assert page.evaluate("document.documentElement.scrollHeight") > 2000
        save = page.get_by_role("button", name="保存", exact=True)
        expect(save).to_be_in_viewport()
        expect(page.locator("#fit-bar")).to_be_in_viewport()
        # Halfway down the form, while writing: still there, and it saves.
        page.locator("#challenges").scroll_into_view_if_needed()
        page.locator("#challenges").fill("・狭い画面で書いた課題")
        expect(save).to_be_in_viewport()
        # Here the header carries the last save (none yet), and an autosave brings it up to date.
        header = page.locator("h1 + p")
        expect(header.locator(".js-never-saved")).to_have_text("まだ保存されていません")
        expect(header.locator(".js-last-saved")).to_be_hidden()
        page.evaluate("window.sheetEdit.autosave()")
        expect(header.locator(".js-never-saved")).to_be_hidden()
        expect(header.locator(".js-last-saved")).to_be_visible()
        expect(header).to_contain_text("（大分県 担当）")
        save.click()
        expect(page.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()
        # The bar never hides the last field of the form.
        page.locator("#preview-link").scroll_into_view_if_needed()
        expect(page.locator("#preview-link")).to_be_in_viewport()
    finally:
        context.close()


def test_on_a_phone_the_save_bar_is_one_row_and_shrinks_to_save_while_typing(live_app, live_server,
                                                                             browser):
    """At 390×844 the bar took about 180 px; now one row, and while a field has the keyboard
    保存 alone, in the same place, so a tap on it still lands."""
    with live_app.app_context():
        f = Factory()
        f.coordinator("大分県", email="oita@pref.example.jp")
        open_cycle(2024, dt.date(2030, 4, 30), None)
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.emulate_media(reduced_motion="reduce")
        log_in(page, "oita@pref.example.jp")
        page.goto(f"/sheets/{sheet_id}/edit")
        bar, save = page.locator(".save-card"), page.get_by_role("button", name="保存", exact=True)
        status, fit = page.locator("#save-status"), page.locator("#fit-bar")
        box = bar.bounding_box()
        assert box["height"] <= 60 and round(box["y"] + box["height"]) == 844, box
        for line in (status, fit):
            expect(line).to_be_visible()
            assert line.evaluate("el => el.getClientRects().length === 1 && el.scrollHeight <= el.clientHeight + 1")
        where = save.bounding_box()

        # Typing: 保存 alone, where it was; the fit status gives way, the save status is still read out.
        page.locator("#challenges").click()
        expect(fit).to_be_hidden()
        assert bar.bounding_box()["width"] < 150
        assert save.bounding_box() == where
        page.locator("#challenges").fill("・スマートフォンで書いた課題")
        page.evaluate("window.sheetEdit.autosave()")
        expect(status).to_contain_text("自動保存しました")
        save.click()
        expect(page.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()
        expect(bar).to_contain_text("印刷の確認")
        page.locator("#purpose").focus()
        expect(fit).to_be_hidden()
        page.locator("#purpose").blur()
        expect(fit).to_be_visible()
        assert bar.bounding_box()["width"] == 390

        # What the bar no longer carries is on the page, after the form.
        for name in ("Excelで書き出す", "Excelから取り込む", "個票の表示に戻る"):
            link = page.get_by_role("link", name=name)
            link.scroll_into_view_if_needed()
            expect(link).to_be_in_viewport()
            assert bar.locator("a", has_text=name).count() == 0
    finally:
        context.close()
