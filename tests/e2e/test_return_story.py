"""Issue 11's return story in headless Chromium: the return inside the editor.

The secretariat returns ② (FY2024, opened from the FY2023 demo data) flagging
「課題」 and commenting on it. 大分県's coordinator opens the editor and finds
there, without leaving the page, the reason, the 「要修正」 flag and the
comment beside 「課題」; replies to it from the editor with unsaved text in
another box (the text is kept, no restore offer), saves with 「保存」 (no
restore offer either), and on submitting is warned that the flagged section is
unchanged and that 「評価」 is still last year's 「今後の目標、達成見込み」.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in
from tests.e2e.test_review_story import EditScreen, SheetScreen, new_user_page
from tests.factories import Factory
from webapp.cycles import open_cycle
from webapp.extensions import db

pytestmark = pytest.mark.e2e

CHALLENGES = "プロジェクトを推進する上での課題"
EVALUATION = "２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価"
REASON = "課題欄の記載が不足しています。原因と対応策を書いてください。"
COMMENT = "人材不足の原因を具体的に記載してください。"


def test_a_returned_sheet_is_fixed_inside_the_editor(live_app, live_server, browser, page):
    with live_app.app_context():
        f = Factory()
        oita = f.coordinator("大分県", email="oita@pref.example.jp").email
        desk_email = f.secretariat(email="jimukyoku@example.jp").email
        open_cycle(2024, None, f.admin())
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id

    # 大分県 writes 「課題」 and submits ② (評価 is left as carried from FY2023's plans).
    log_in(page, oita)
    sheet = SheetScreen(page).open(sheet_id)
    page.locator("#edit-link").click()
    form = EditScreen(page)
    form.write("results_actions", "・地熱・温泉熱エネルギー産業化実務者会議を開催")
    form.write("challenges", "新規案件が減少傾向にある。")
    form.save()
    step = sheet.open(sheet_id).step("提出")
    expect(page.locator("#step-error")).to_have_count(0)
    step.confirm("提出")
    expect(page.get_by_role("alert").filter(has_text="提出しました。個票は「提出済」になりました。")).to_be_visible()

    # The secretariat comments on 「課題」 and returns ②, flagging 「課題」.
    desk = new_user_page(browser, live_server, desk_email)
    review = SheetScreen(desk).open(sheet_id)
    review.comment_on("sec-challenges", COMMENT)
    review.step("差戻し")
    desk.get_by_role("group", name=re.compile("修正が必要な欄")).get_by_label(CHALLENGES, exact=True).check()
    desk.locator("#comment").fill(REASON)
    assert_accessible(desk, "差戻しの確認（要修正の欄を選ぶ）")
    desk.get_by_role("button", name=re.compile("^(差戻しする|差し戻す)$")).click()
    expect(desk.get_by_role("alert").filter(has_text="しました。個票は「差戻し」になりました。")).to_be_visible()

    # The coordinator opens the sheet: 「課題」 is marked 要修正 there and in the editor, with the
    # reason and the comment.
    sheet.open(sheet_id)
    expect(page.locator(".flag-mark")).to_have_count(1)
    expect(page.locator('.flag-mark[data-flag-for="challenges"]')).to_contain_text("要修正")
    assert_accessible(page, "差し戻された個票（要修正の欄）")
    page.locator("#edit-link").click()
    form = EditScreen(page)
    notice = page.get_by_role("region", name=re.compile("差戻しの理由"))
    expect(notice).to_contain_text(REASON)
    expect(notice.locator("#flagged-sections")).to_have_text(CHALLENGES)
    expect(page.locator("#marks-challenges")).to_contain_text("要修正")
    expect(page.locator("#marks-purpose .flag-mark")).to_have_count(0)
    comments = page.locator("#comments-challenges")
    expect(comments).to_contain_text(COMMENT)
    expect(page.locator("#open-comments-panel")).to_contain_text("未解決のコメント 1件")
    # 評価 is still last year's outlook, and says so.
    expect(page.locator('[data-carried-for="results_evaluation"]')).to_contain_text("昨年度の文章のまま")
    assert_accessible(page, "差し戻された個票の編集（理由・要修正・コメント）")
    # Once a carried text is edited, its mark goes.
    purpose_mark = page.locator('[data-carried-for="purpose"]')
    expect(purpose_mark).to_be_visible()
    form.write("purpose", "地熱資源を生かし、九州全域で地熱の有効利用を進める。")
    expect(purpose_mark).to_be_hidden()

    # A reply from the editor, with unsaved text in another box: the text is saved first,
    # the page comes back to the editor, and nothing is offered for restoring.
    form.write("results_actions", "・地熱・温泉熱エネルギー産業化実務者会議を開催（２０２４年度）")
    comments.get_by_label(re.compile("返信")).fill("承知しました。修正します。")
    comments.get_by_role("button", name=re.compile("返信を投稿")).click()
    expect(page.get_by_role("alert").filter(has_text="コメントを投稿しました。")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/sheets/{sheet_id}/edit#comments-challenges$"))
    expect(page.locator("#results_actions")).to_have_value("・地熱・温泉熱エネルギー産業化実務者会議を開催（２０２４年度）")
    expect(page.locator("#comments-challenges")).to_contain_text("承知しました。修正します。")
    expect(page.locator("#restore-banner")).to_have_count(0)

    # 「保存」: saved, and no false restore offer.
    form.write("plans_actions", "・実務者会議を継続して開催する。")
    page.locator("#save-button").press("Enter")
    expect(page.get_by_role("alert").filter(has_text=re.compile("保存しました"))).to_be_visible()
    expect(page.locator("#restore-banner")).to_have_count(0)

    # Submitting warns about the unchanged flagged section and last year's text.
    sheet.open(sheet_id).step("提出")
    unchanged = page.locator("#unchanged-flagged")
    expect(unchanged).to_contain_text(CHALLENGES)
    carried = page.locator("#carried-sections")
    expect(carried).to_contain_text(EVALUATION)
    assert_accessible(page, "提出の確認（要修正の欄・昨年度の文章）")
    expect(carried).not_to_contain_text("目的")
    expect(carried).to_contain_text("2023年度の「○今後の目標、達成見込み」と同じ文章")
    expect(carried.get_by_role("link", name=EVALUATION)).to_have_attribute(
        "href", f"/sheets/{sheet_id}/edit#block-results_evaluation")
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#step-error")).to_contain_text("「要修正の欄を変更せずに提出する」にチェックを入れてください。")
    assert sheet.state == "差戻し"
    page.get_by_label("要修正の欄を変更せずに提出する").check()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_role("alert").filter(has_text="提出しました。個票は「提出済」になりました。")).to_be_visible()
    assert sheet.state == "提出済"

    # The reviewer sees that the flagged section did not change.
    desk.goto(f"/sheets/{sheet_id}/compare")
    expect(desk.locator("#flagged-summary")).to_contain_text("変更 0 / 1")
    assert_accessible(desk, "再提出の比較（要修正の欄から）")
    expect(desk.locator("#flagged-summary")).to_contain_text(f"{CHALLENGES}：変更なし")
