"""Issue 4's story in headless Chromium against the live app.

The secretariat opens FY2024; the 大分県 coordinator finds ②⑦⑱⑲ as 未着手 with
the deadline (nobody has saved them yet), opens ② (filled from FY2023), edits the text, enters 「２，１３４」,
adds a roadmap row, uploads a photo with a caption, saves, sees the fit status
and opens the PDF preview. Then: an expired session restores what was typed,
and two colleagues saving from one version see each other's text.

Background jobs run in a thread here (not eagerly), so the fit status is
computed outside the request and the page polls for it, as in production.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import _make_app
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import end_session, log_in
from tests.factories import PASSWORD, Factory
from webapp.extensions import db
from webapp.timeutil import today_jst

pytestmark = pytest.mark.e2e

FIT_TEXT = re.compile(r"1ページに収まります（(見込み：)?\d+(\.\d+)?pt(以上)?）|1ページに収まりません：『.+』を短くしてください")


@pytest.fixture
def live_app(databases, tmp_path):
    """The FY2023 app with CSRF on and background jobs in a thread, as users get it."""
    return _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True, JOBS_EAGER=False)


def _people(app):
    with app.app_context():
        f = Factory()
        return f.secretariat().email, f.coordinator("大分県").email


def _open_2024(app, deadline=None):
    from webapp.cycles import open_cycle
    with app.app_context():
        open_cycle(2024, deadline, None)
        db.session.commit()


def _sheet(app, number=2, year=2024):
    with app.app_context():
        sheet = Factory().sheet_of(number, year)
        db.session.expunge_all()
        return sheet


def _photo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (320, 240), (90, 140, 200))
    for x in range(100, 220):
        for y in range(80, 160):
            image.putpixel((x, y), (240, 200, 60))
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_the_oita_coordinator_fills_in_sheet_2(live_app, live_server, page):
    secretariat, coordinator = _people(live_app)
    deadline = today_jst() + dt.timedelta(days=30)

    # The secretariat opens FY2024 with a deadline.
    log_in(page, secretariat)
    page.get_by_role("link", name="年度の管理").first.click()
    expect(page.get_by_label("報告年度（西暦）")).to_have_value("2024")
    assert_accessible(page, "年度の管理")
    page.get_by_label("提出期限", exact=True).fill(deadline.isoformat())
    page.get_by_role("button", name="年度を開始する").click()
    expect(page.get_by_role("alert").filter(has_text="2024年度の受付を開始しました")).to_contain_text(
        "前年度から引き継いだ個票 21件")
    assert_accessible(page, "年度の管理（開始後）")
    _log_out(page)

    # The 大分県 coordinator sees its four projects, not started yet, with the deadline and days left.
    log_in(page, coordinator)
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile("2024年度の個票")))
    expect(section).to_contain_text(f"提出期限 {deadline.year}年{deadline.month}月{deadline.day}日")
    expect(section).to_contain_text("（あと30日）")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.locator("td:first-child")).to_have_text(["②", "⑦", "⑱", "⑲"])
    for i in range(4):
        expect(rows.nth(i).locator(".state-badge")).to_have_text("未着手")
        expect(rows.nth(i).locator("td").last).to_contain_text("前年度から引継ぎ（")
    assert_accessible(page, "ホーム（幹事）")

    # ② opens already filled from the approved FY2023 sheet.
    section.get_by_role("link", name="地熱・温泉熱エネルギー産業拠点化推進プロジェクト").click()
    assert_accessible(page, "個票（未着手）")
    page.get_by_role("link", name="作成を始める").click()  # 未着手: nobody has saved it yet
    expect(page.get_by_role("heading", name="２０２４年度の活動実績（主要な取組）と評価")).to_be_visible()
    assert_accessible(page, "個票の編集")
    expect(page.locator("#purpose")).to_have_value(re.compile("^地熱エネルギーの産業拠点化を図るため"))
    carried = page.locator("#carried-plans")
    expect(carried).to_contain_text("前年度の個票の「２０２４年度以降の取組（計画）」")
    expect(carried).to_contain_text("500件を目標として取り組んでいる")
    expect(page.locator('input[name="kpis-0-target_value"]')).to_have_value("500")

    # Edit the text; the counter follows, and leaving the field autosaves it.
    actions = page.get_by_label("○具体的取組（２０２４年度の活動実績（主要な取組）と評価）")
    text = "・地熱・温泉熱エネルギー産業化実務者会議を開催\n  第１回（24.8、熊本県）"
    actions.fill(text)
    expect(page.locator("#results_actions-count")).to_have_text(f"{len(text) - 1} / 4,000文字")
    actions.press("Tab")
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")

    # The 2024 actual, typed the Japanese way.
    page.locator('input[name="kpis-0-series-7-actual"]').fill("２，１３４")
    page.locator('input[name="kpis-0-series-7-label"]').fill("24.12")

    # A roadmap row.
    page.get_by_label("見出し", exact=True).fill("活動内容")
    page.get_by_label("年度の列（読点・カンマ区切り）").fill("2024、2025、2026")
    page.get_by_role("button", name="ロードマップの行を追加").click()
    row = page.locator("#roadmap-list tr").first
    row.get_by_label("取組").fill("実務者会議の開催")
    row.get_by_label("内容").fill("年２回、各県持ち回りで開催")
    row.get_by_label("開始年度").fill("2024")
    row.get_by_label("終了年度").fill("2026")

    # A photo with a caption.
    page.get_by_role("button", name="図表を追加").click()
    figure = page.locator("#figure-list fieldset").nth(1)
    expect(figure.locator("legend")).to_have_text("図表 2")
    assert_accessible(page, "個票の編集（KPI・ロードマップ・図表を追加中）")
    figure.get_by_label("種類").select_option("photo")
    figure.get_by_label("キャプション").fill("地熱発電所の見学会")
    figure.get_by_label(re.compile("画像ファイル")).set_input_files(
        files=[{"name": "IMG_0420.JPG", "mimeType": "image/jpeg", "buffer": _photo()}])

    # Save.
    page.get_by_role("button", name="保存", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"/edit\?saved=\d+$|/edit$"))
    expect(page.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()
    expect(page.locator('input[name="kpis-0-series-7-actual"]')).to_have_value("2,134")
    expect(page.locator("#figure-list img")).to_have_count(1)
    assert_accessible(page, "個票の編集（保存後）")

    with live_app.app_context():
        sheet = Factory().sheet_of(2, 2024)
        assert sheet.text("results_actions") == "・地熱・温泉熱エネルギー産業化実務者会議を開催\n  第１回（24.8、熊本県）"
        assert (sheet.kpis[0].values[-1].year, sheet.kpis[0].values[-1].actual) == (2024, 2134)
        assert [(r.activity, r.from_year, r.to_year) for r in sheet.roadmap_rows] == \
            [("実務者会議の開催", "2024", "2026")]
        photo = sheet.figures[1]
        assert (photo.kind, photo.caption) == ("photo", "地熱発電所の見学会")
        assert os.path.isfile(os.path.join(live_app.config["UPLOAD_FOLDER"], photo.image_file))
        assert (photo.image_width, photo.image_height) == (320, 240)

    # The fit status, computed in the background and polled by the page.
    expect(page.locator("#fit-status")).to_have_text(FIT_TEXT, timeout=90_000)
    expect(page.locator("#fit-status")).to_have_attribute("data-state", "ready")

    # The PDF preview of what was saved: printing writes the verdict before the PDF, so
    # the preview may still be waiting for it, as its page polls (never laid out here).
    href = page.locator("#preview-link").get_attribute("href")
    assert href == f"/sheets/{sheet.id}/pdf"
    page.evaluate("""(url) => { (async function poll() {
        const answer = await (await fetch(url)).json();
        if (answer.state === "ready") window.previewReady = true; else setTimeout(poll, 300);
    })(); }""", href + "/progress")
    page.wait_for_function("() => window.previewReady === true")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "2,134" in text and "地熱発電所の見学会" in text and "実務者会議の開催" in text


def test_an_expired_session_restores_what_was_typed(live_app, live_server, page):
    _, coordinator = _people(live_app)
    _open_2024(live_app)
    sheet = _sheet(live_app)
    log_in(page, coordinator)
    page.goto(f"/sheets/{sheet.id}/edit")
    challenges = page.locator("#challenges")
    challenges.fill("・ログインが切れる前に書いた課題\n・二つ目の課題")

    end_session(page, live_app, coordinator)  # expired, or logged out elsewhere
    challenges.press("Tab")                # leaving the field autosaves: refused, kept locally
    banner = page.locator("#session-banner")
    expect(banner).to_contain_text("ログインの有効期限が切れました。")
    expect(banner).to_contain_text("入力した内容はこのブラウザに保存してあります。")
    assert_accessible(page, "個票の編集（ログイン切れ）")

    banner.get_by_role("link", name="ログインし直す").click()
    page.get_by_label("メールアドレス").fill(coordinator)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(rf"/sheets/{sheet.id}/edit$"))

    restore = page.locator("#restore-banner")
    expect(restore).to_contain_text("保存されていない入力が、このブラウザに残っています")
    assert_accessible(page, "個票の編集（復元の案内）")
    expect(page.locator("#challenges")).to_have_value("")
    restore.get_by_role("button", name="復元する").click()
    expect(page.locator("#challenges")).to_have_value("・ログインが切れる前に書いた課題\n・二つ目の課題")
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")
    with live_app.app_context():
        assert Factory().sheet_of(2, 2024).text("challenges") == "・ログインが切れる前に書いた課題\n・二つ目の課題"


def test_two_colleagues_saving_from_one_version_see_each_others_text(live_app, live_server, browser):
    _open_2024(live_app)
    sheet = _sheet(live_app)
    with live_app.app_context():
        f = Factory()
        sato = f.coordinator("大分県", email="sato@oita.example.jp").email
        tanaka = f.coordinator("大分県", email="tanaka@oita.example.jp").email

    pages = []
    for email in (sato, tanaka):
        context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                      viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15000)
        p = context.new_page()
        log_in(p, email)
        p.goto(f"/sheets/{sheet.id}/edit")
        pages.append(p)
    first, second = pages

    # Both start from version 1. The first saves.
    first.locator("#challenges").fill("・佐藤の課題")
    first.get_by_role("button", name="保存", exact=True).press("Enter")
    expect(first.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()

    # The second types, and leaving the field autosaves: refused, nothing overwritten.
    second.locator("#challenges").fill("・田中の課題")
    second.locator("#challenges").press("Tab")
    conflict = second.locator("#conflict-banner")
    expect(conflict).to_contain_text("他の方が新しい内容を保存しました。自動保存を止めました。")
    assert_accessible(second, "個票の編集（自動保存の競合）")
    with live_app.app_context():
        assert Factory().sheet_of(2, 2024).text("challenges") == "・佐藤の課題"

    # Comparing shows the newer saved text beside their own; they merge and save.
    conflict.get_by_role("button", name="最新の保存内容と並べて比較する").click()
    expect(second.locator("#conflict-message")).to_contain_text("上書きはしていません")
    block = second.locator("#block-challenges")
    expect(block.locator(".conflict-theirs")).to_contain_text("・佐藤の課題")
    assert_accessible(second, "個票の編集（競合の比較）")
    expect(second.locator("#challenges")).to_have_value("・田中の課題")
    block.get_by_role("button", name="最新の保存内容をこの欄に入れる").click()
    expect(second.locator("#challenges")).to_have_value("・佐藤の課題")
    second.locator("#challenges").fill("・佐藤の課題\n・田中の課題")
    second.get_by_role("button", name="保存", exact=True).press("Enter")
    expect(second.get_by_role("alert").filter(has_text="保存しました")).to_be_visible()
    with live_app.app_context():
        assert Factory().sheet_of(2, 2024).text("challenges") == "・佐藤の課題\n・田中の課題"
    for p in pages:
        p.context.close()


def test_the_kpi_editor_adds_moves_and_removes_in_the_page(live_app, live_server, page):
    _, coordinator = _people(live_app)
    _open_2024(live_app)
    sheet = _sheet(live_app)
    log_in(page, coordinator)
    page.goto(f"/sheets/{sheet.id}/edit")

    page.get_by_role("button", name="KPIを追加").click()
    kpis = page.locator("#kpi-list > fieldset")
    expect(kpis).to_have_count(2)
    new = kpis.nth(1)
    expect(new.locator("legend")).to_have_text("KPI 2")
    expect(new.get_by_label("指標名")).to_be_focused()
    new.get_by_label("指標名").fill("地熱発電の設備容量")
    new.get_by_label("単位", exact=True).fill("万kW")
    expect(new.locator('input[name="kpis-1-series-0-year"]')).to_have_value("2024")
    actual = new.locator('input[name="kpis-1-series-0-actual"]')
    actual.fill("たくさん")
    actual.press("Tab")                               # autosave: refused, said beside the field
    expect(new.locator(".client-error")).to_have_text(
        "KPI 2『地熱発電の設備容量』2024年度の実績: 数値ではありません（\"たくさん\"）")
    expect(actual).to_have_class(re.compile("is-invalid"))
    assert_accessible(page, "個票の編集（自動保存の入力誤り）")
    actual.fill("５５．２")
    actual.press("Tab")
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")
    expect(new.locator(".client-error")).to_have_count(0)
    new.get_by_role("button", name="年度の行を追加").click()
    expect(new.locator('input[name="kpis-1-series-1-year"]')).to_have_value("2025")
    new.locator('input[name="kpis-1-series-1-target"]').fill("６０")

    new.get_by_role("button", name=re.compile(r"^上へ\s*（KPI）$")).click()
    expect(kpis.nth(0).locator("legend")).to_have_text("KPI 1")
    expect(kpis.nth(0).get_by_label("指標名")).to_have_value("地熱発電の設備容量")
    expect(page.locator('input[name="kpis-0-series-1-target"]')).to_have_value("６０")
    expect(page.locator('input[name="kpis-1-series-7-year"]')).to_have_value("2024")

    old = kpis.nth(1)
    page.once("dialog", lambda dialog: dialog.dismiss())
    old.get_by_role("button", name=re.compile(r"^削除\s*（KPI）$")).click()
    expect(kpis).to_have_count(2)                     # not confirmed: kept
    page.once("dialog", lambda dialog: dialog.accept())
    old.get_by_role("button", name=re.compile(r"^削除\s*（KPI）$")).click()
    expect(kpis).to_have_count(1)
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")

    with live_app.app_context():
        saved = Factory().sheet_of(2, 2024)
        assert [k.name for k in saved.kpis] == ["地熱発電の設備容量"]
        assert [(v.year, v.target, v.actual) for v in saved.kpis[0].values] == \
            [(2024, None, Decimal("55.2")), (2025, Decimal("60"), None)]


def test_typing_is_autosaved_every_30_seconds(live_app, live_server, page):
    """Without leaving the field: the 30-second timer saves it (the page's clock is driven by the test)."""
    _, coordinator = _people(live_app)
    _open_2024(live_app)
    sheet = _sheet(live_app)
    log_in(page, coordinator)
    page.clock.install()
    page.goto(f"/sheets/{sheet.id}/edit")
    page.locator("#plans_outlook").press_sequentially("・２０３０年度に５００件")
    expect(page.locator("#save-status")).to_contain_text("未保存の変更があります")
    page.clock.run_for(31_000)
    expect(page.locator("#save-status")).to_contain_text("自動保存しました")
    expect(page.locator("#plans_outlook")).to_be_focused()
    with live_app.app_context():
        assert Factory().sheet_of(2, 2024).text("plans_outlook") == "・２０３０年度に５００件"
