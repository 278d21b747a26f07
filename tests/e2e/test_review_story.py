"""Issue 5's story in a real headless Chromium, one screen object per page.

大分県 submits ② for FY2024 (refused first, naming the empty sections),
the secretariat finds it on the dashboard, compares it with FY2023, comments
on 「課題」 and returns it with a reason; 大分県 gets an e-mail, sees the
comment beside its section, fixes the text and resubmits; the reviewer
compares with the previous submission and approves; the sheet is locked;
an admin reopens it with a reason; every step is in the history.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in
from tests.factories import Factory
from webapp.cycles import open_cycle
from webapp.extensions import db
from webapp.timeutil import today_jst

pytestmark = pytest.mark.e2e

TITLE_2 = "地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


# --- screens ------------------------------------------------------------------------------

class SheetScreen:
    def __init__(self, page: Page):
        self.page = page

    def open(self, sheet_id: int) -> "SheetScreen":
        self.page.goto(f"/sheets/{sheet_id}")
        assert_accessible(self.page, "個票")
        return self

    @property
    def state(self) -> str:
        return self.page.locator(".state-badge").first.inner_text()

    def step(self, label: str) -> "StepScreen":
        self.page.get_by_role("link", name=label, exact=True).click()
        return StepScreen(self.page)

    def box(self, box_id: str):
        return self.page.locator(f"#{box_id}")

    def comment_on(self, box_id: str, text: str) -> None:
        box = self.box(box_id)
        box.locator("summary", has_text="にコメントする").click()
        box.get_by_role("textbox").fill(text)
        box.get_by_role("button", name="コメントを投稿").click()
        expect(self.page.get_by_role("alert").filter(has_text="コメントを投稿しました。")).to_be_visible()

    def history(self) -> "HistoryScreen":
        self.page.get_by_role("link", name="履歴・比較").click()
        return HistoryScreen(self.page)


class StepScreen:
    def __init__(self, page: Page):
        self.page = page
        expect(page.get_by_role("heading", level=1)).to_contain_text("の確認")
        assert_accessible(page, "操作の確認")

    @property
    def error(self) -> str:
        return self.page.locator("#step-error").inner_text()

    BUTTONS = {"提出": "提出する", "差戻し": "差し戻す", "承認": "承認する",
               "承認取消し（再開）": "承認を取り消す"}

    def confirm(self, label: str, reason: str = "") -> None:
        if reason:
            self.page.locator("#comment").fill(reason)
        self.page.get_by_role("button", name=self.BUTTONS[label], exact=True).click()


class EditScreen:
    def __init__(self, page: Page):
        self.page = page
        expect(page.locator("#sheet-form")).to_be_visible()
        assert_accessible(page, "個票の編集")

    def write(self, field_id: str, text: str) -> None:
        self.page.locator(f"#{field_id}").fill(text)

    def save(self) -> None:
        """Save; autosave may have stored the text already, which the page then says instead.

        The button is pressed with the keyboard, not clicked at a point on the screen:
        a banner an autosave answer removes can still move the page as the pointer
        comes down (test_layout_widths keeps the last-saved line from doing so)."""
        self.page.locator("#save-button").press("Enter")
        expect(self.page.get_by_role("alert").filter(
            has_text=re.compile("保存しました|変更はありませんでした"))).to_be_visible()


class DashboardScreen:
    def __init__(self, page: Page):
        self.page = page

    def rows(self):
        return self.page.locator("#status-table tbody tr")

    def count_of(self, state: str) -> str:
        return self.page.locator(f"#state-counts li[data-state={state}] .count").inner_text()

    def filter(self, state: str = "すべて", org: str = "すべて") -> None:
        self.page.get_by_label("状態", exact=True).select_option(label=state)
        self.page.get_by_label("幹事組織", exact=True).select_option(label=org)
        self.page.get_by_role("button", name="絞り込む").click()


class HistoryScreen:
    def __init__(self, page: Page):
        self.page = page
        expect(page.get_by_role("heading", level=1)).to_contain_text("履歴・比較")
        assert_accessible(page, "履歴・比較")

    def compare_with(self, link: str) -> "CompareScreen":
        self.page.get_by_role("link", name=link).click()
        return CompareScreen(self.page)

    def steps(self) -> list[str]:
        return self.page.locator("#history-table tbody tr td:nth-child(2)").all_inner_texts()


class CompareScreen:
    def __init__(self, page: Page):
        self.page = page
        expect(page.locator("#compare-table")).to_be_visible()
        assert_accessible(page, "比較")

    def _marked(self, field: str, tag: str, label: str) -> list[str]:
        texts = self.page.locator(f"tr[data-field={field}] {tag}").all_inner_texts()
        return [t.replace(label, "").strip() for t in texts]

    def inserted(self, field: str) -> list[str]:
        """Highlighted insertions, without the 「［追加］」 read to screen readers."""
        return self._marked(field, "ins", "［追加］")

    def deleted(self, field: str) -> list[str]:
        return self._marked(field, "del", "［削除］")


def new_user_page(browser, live_server, user_email: str) -> Page:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                  viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, user_email)
    return page


def mails_to(app, address: str) -> list[email.message.EmailMessage]:
    folder = app.config["MAIL_FOLDER"]
    found = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name), "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        if address in str(msg["To"]):
            found.append(msg)
    return found


# --- the story ----------------------------------------------------------------------------

def test_submit_review_return_resubmit_approve_reopen(live_app, live_server, browser, page):
    with live_app.app_context():
        f = Factory()
        oita = f.coordinator("大分県", email="oita@pref.example.jp")
        reviewer = f.secretariat(email="jimukyoku@example.jp")
        admin = f.admin(email="kanri@example.jp")
        # FY2024 opened the day after its deadline passed: every unsubmitted sheet is overdue.
        open_cycle(2024, today_jst() - dt.timedelta(days=1), admin)
        db.session.commit()
        sheet_id = f.sheet_of(2, 2024).id
        emails = (oita.email, reviewer.email, admin.email)

    # ② is 未着手 until 大分県 first saves it: nothing to submit yet.
    log_in(page, emails[0])
    page.get_by_role("region", name="2024年度の個票").get_by_role("link", name=TITLE_2).click()
    sheet = SheetScreen(page)
    assert sheet.state == "未着手"
    expect(page.locator("[data-step]")).to_have_count(0)
    # 大分県 saves ② as carried forward and tries to submit it: refused, naming the empty sections.
    page.locator("#edit-link").click()
    EditScreen(page).save()
    sheet.open(sheet_id)
    assert sheet.state == "作成中"
    step = sheet.step("提出")
    assert "必須の欄が未記入です" in step.error
    expect(page.locator("#step-error")).to_be_focused()
    assert "『プロジェクトを推進する上での課題』" in step.error
    expect(page.get_by_role("button", name="提出する")).to_be_disabled()

    # They fill in the sections and submit.
    sheet.open(sheet_id)
    page.locator("#edit-link").click()
    form = EditScreen(page)
    form.write("results_actions", "・地熱・温泉熱エネルギー産業化実務者会議を開催\n・２０２４年末までのプロジェクト組成件数 ２３４件")
    form.write("challenges", "新規案件が減少傾向にある。")
    form.save()
    sheet.open(sheet_id).step("提出").confirm("提出", "ご確認をお願いします。")
    expect(page.get_by_role("alert").filter(has_text="提出しました。個票は「提出済」になりました。")).to_be_visible()
    assert sheet.state == "提出済"

    # The secretariat's dashboard for FY2024.
    desk = new_user_page(browser, live_server, emails[1])
    desk.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="提出状況").click()
    dashboard = DashboardScreen(desk)
    expect(desk.get_by_role("heading", level=1)).to_have_text("2024年度 個票の提出状況")
    expect(dashboard.rows()).to_have_count(21)
    assert_accessible(desk, "提出状況")
    assert dashboard.count_of("submitted") == "1" and dashboard.count_of("not_started") == "20"
    assert dashboard.count_of("draft") == "0"
    expect(desk.locator("#status-table tr.overdue")).to_have_count(20)
    row_2 = desk.locator("#status-table tr[data-number='2']")
    expect(row_2).to_contain_text("提出済")
    expect(row_2).not_to_have_class(re.compile("overdue"))
    dashboard.filter(org="大分県")
    expect(dashboard.rows()).to_have_count(4)
    dashboard.filter()

    # The reviewer opens ② and sees what changed since FY2023.
    row_2.get_by_role("link", name=TITLE_2).click()
    review = SheetScreen(desk)
    compare = review.history().compare_with("前年度の承認版と比較")
    assert "２０２４" in compare.inserted("results_actions")    # ２０２３年末 -> ２０２４年末: the whole year
    assert any("条例の制定" in piece for piece in compare.deleted("challenges"))

    # A comment on 「課題」, then a return with a reason (confirmed, reason required).
    review.open(sheet_id)
    review.comment_on("sec-challenges", "課題の原因と対応策を具体的に記載してください。")
    step = review.step("差戻し")
    step.confirm("差戻し")
    assert "「差戻し」の理由を入力してください。" in desk.locator(".invalid-feedback").inner_text()
    expect(desk.locator("#comment")).to_be_focused()
    assert_accessible(desk, "差戻しの確認（理由なし）")
    step.confirm("差戻し", "課題欄の記載が不足しています。")
    expect(desk.get_by_role("alert").filter(has_text="差し戻しました。個票は「差戻し」になりました。")).to_be_visible()

    # 大分県's coordinators get an e-mail with the reason and a link.
    [returned] = mails_to(live_app, emails[0])
    body = returned.get_body(preferencelist=("plain",)).get_content()
    assert returned["Subject"].startswith("【差戻し】②")
    assert "課題欄の記載が不足しています。" in body
    assert f"/sheets/{sheet_id}" in body

    # They see the reason and the comment beside 「課題」, fix it, resolve, resubmit.
    sheet.open(sheet_id)
    expect(page.get_by_role("status").filter(has_text="差戻しの理由")).to_contain_text("課題欄の記載が不足しています。")
    expect(sheet.box("sec-challenges")).to_contain_text("課題の原因と対応策を具体的に記載してください。")
    page.locator("#edit-link").click()
    form = EditScreen(page)
    form.write("challenges", "条例による開発規制の影響で、新規案件が減少傾向にある。\n・規制の運用改善を国に要望する。")
    form.save()
    sheet.open(sheet_id)
    sheet.box("sec-challenges").get_by_role("button", name="解決済みにする").click()
    expect(page.get_by_role("alert").filter(has_text="解決済みにしました")).to_be_visible()
    sheet.step("提出").confirm("提出", "課題欄を修正しました。")
    assert sheet.state == "提出済"

    # The reviewer compares with the previous submission and approves.
    compare = review.open(sheet_id).history().compare_with("前回の提出と比較")
    assert compare.inserted("challenges") == ["条例による開発規制の影響で、", "・規制の運用改善を国に要望する。"]
    review.open(sheet_id).step("承認").confirm("承認")
    expect(desk.get_by_role("alert").filter(has_text="承認しました。個票は「承認済」になりました。")).to_be_visible()
    assert review.state == "承認済"

    # Locked: the coordinator can neither edit nor take any step.
    sheet.open(sheet_id)
    expect(page.locator("#edit-link")).to_have_count(0)
    expect(page.locator("[data-step]")).to_have_count(0)

    # An admin reopens it, giving a reason.
    kanri = new_user_page(browser, live_server, emails[2])
    reopened = SheetScreen(kanri).open(sheet_id)
    step = reopened.step("承認取消し（再開）")
    step.confirm("承認取消し（再開）", "KPIの実績値を訂正するため")
    assert reopened.state == "作成中"
    assert mails_to(live_app, emails[0])[-1]["Subject"].startswith("【再開】②")

    # Every step is in the sheet's history.
    steps = SheetScreen(kanri).open(sheet_id).history().steps()
    assert steps == ["年度開始（引継ぎ）", "編集開始", "提出", "差戻し", "提出", "承認",
                     "承認取消し（再開）"]
