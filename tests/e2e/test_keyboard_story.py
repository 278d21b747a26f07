"""Issue 11: the edit → save → submit path by keyboard alone, in Chromium.

The 大分県 coordinator logs in, skips the menu with the first Tab stop, opens
② for FY2024, writes two sections, makes a mistake in a KPI figure and is put
on that field when 保存 refuses it, corrects it, saves and submits through the
confirmation -- with page.keyboard only: no mouse, no .click(), no .fill().
Wherever the keyboard is, the focus is drawn (an outline).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD, Factory
from webapp.cycles import open_cycle
from webapp.extensions import db
from webapp.timeutil import today_jst

pytestmark = pytest.mark.e2e

TITLE_2 = "地熱・温泉熱エネルギー産業拠点化推進プロジェクト"
MAX_TABS = 400


def focused(page: Page) -> dict:
    """What has the keyboard now: tag, id, name, its text, and how its focus is drawn."""
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
                text: (el.innerText || el.value || '').trim(), role: el.getAttribute('role') || '',
                outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
                visible: el.matches(':focus-visible')};
    }""")


def tab_to(page: Page, matches, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the one wanted."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached the element; the focus is on {focused(page)}")


def with_text(text: str):
    return lambda el: el["text"] == text


def with_id(element_id: str):
    return lambda el: el["id"] == element_id


def assert_focus_is_drawn(el: dict) -> None:
    assert el["visible"], f"not :focus-visible: {el}"
    assert el["outline"] != "none" and el["outlineWidth"] >= 2, f"no outline around the focus: {el}"


def replace_text(page: Page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_a_coordinator_edits_saves_and_submits_with_the_keyboard_only(live_app, live_server, page):
    with live_app.app_context():
        f = Factory()
        email = f.coordinator("大分県").email
        open_cycle(2024, today_jst() + dt.timedelta(days=30), f.admin())
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id

    # Log in: the e-mail field has the focus when the page opens.
    page.goto("/login")
    assert focused(page)["id"] == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))

    # The first Tab stop skips the menu; its focus is drawn.
    skip = tab_to(page, lambda el: True)
    assert skip["text"] == "本文へ移動"
    assert_focus_is_drawn(skip)
    expect(page.get_by_role("link", name="本文へ移動")).to_be_in_viewport()
    page.keyboard.press("Enter")
    # a jump within the page lands after the key press returns: wait for it, never read at once
    expect(page).to_have_url(re.compile(r"#main$"))
    link = tab_to(page, with_text(TITLE_2))     # the first stop after the menu is the content
    assert_focus_is_drawn(link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sheets/{sheet_id}")

    tab_to(page, with_text("作成を始める"))  # 未着手 until the first save
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sheets/{sheet_id}/edit")
    assert_accessible(page, "個票の編集（キーボード）")

    # Two sections, typed.
    assert_focus_is_drawn(tab_to(page, with_id("results_actions")))
    replace_text(page, "・地熱・温泉熱エネルギー産業化実務者会議を開催")
    tab_to(page, with_id("challenges"))
    replace_text(page, "新規案件が減少傾向にある。")
    expect(page.locator("#save-status")).to_have_attribute("aria-live", "polite")

    # A figure that is not a number: 保存 refuses it, announces the errors and puts the
    # keyboard on the field to correct.
    tab_to(page, lambda el: el["name"] == "kpis-0-series-7-actual")
    replace_text(page, "たくさん")
    save = tab_to(page, with_id("save-button"))
    assert_focus_is_drawn(save)
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("入力内容を確認してください（1件）")
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator('input[name="kpis-0-series-7-actual"]')).to_be_focused()
    expect(page.locator('input[name="kpis-0-series-7-actual"]')).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "個票の編集・入力の誤り（キーボード）")

    # Corrected where the keyboard already is, then saved with Space on 保存.
    replace_text(page, "２，１３４")
    tab_to(page, with_id("save-button"))
    page.keyboard.press("Space")
    expect(page.get_by_role("alert").filter(has_text=re.compile("保存しました"))).to_be_visible()
    expect(page.locator("#restore-banner")).to_have_count(0)
    with live_app.app_context():
        saved = Factory().sheet_of(2, 2024)
        assert saved.text("challenges") == "新規案件が減少傾向にある。"
        assert saved.text("results_actions") == "・地熱・温泉熱エネルギー産業化実務者会議を開催"
        assert saved.kpis[0].values[-1].actual == 2134

    # Back to the sheet and through the confirmation.
    tab_to(page, with_text("個票の表示に戻る"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sheets/{sheet_id}")
    tab_to(page, with_text("提出"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sheets/{sheet_id}/steps/submit")
    assert_accessible(page, "提出の確認（キーボード）")
    tab_to(page, with_id("comment"))
    page.keyboard.type("ご確認をお願いします。")
    confirm = tab_to(page, with_text("提出する"))
    assert_focus_is_drawn(confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="提出しました。個票は「提出済」になりました。")).to_be_visible()
    expect(page.locator(".state-badge").first).to_have_text("提出済")
    with live_app.app_context():
        assert Factory().sheet_of(2, 2024).state == "submitted"
