"""Download, upload, preview, save; a stale workbook shows both texts and loses nothing."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from tests.htmlpage import Page
from tests.workbooks.conftest import cells_of, fill, sheet24, token_of, upload
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.sheet_content import sheet_to_dict

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


def test_download_upload_preview_and_save(app24, client24, oita, f):
    sheet = sheet24(f)
    response = client24.get(f"/sheets/{sheet.id}/workbook.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''%E5%80%8B%E7%A5%A8_2024%E5%B9%B4%E5%BA%A6_0002.xlsx" in response.headers["Content-Disposition"]
    data = fill(response.data, {"challenges": "・担い手の確保\n・費用の低減", "kpis-0-series-0-actual": "２４８"})

    preview = upload(client24, sheet.id, data)
    assert preview.status_code == 200
    page = Page(preview)
    summary = "".join(page.by_id("compare-summary").itertext())
    assert "変更のある欄 1件" in summary
    # The save counter is not shown as a 「版」: that word belongs to the history's 第N版.
    assert re.search(r"左：保存済みの内容（\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 保存）", summary)
    assert "版" not in summary
    book = load_workbook(io.BytesIO(response.data))
    bands = [c.value for row in book.worksheets[1].iter_rows(max_row=4) for c in row if c.value]
    assert any(re.fullmatch(r"2024年度の個票（\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 保存の内容）。"
                            r"黄色の欄に入力してください。", str(b)) for b in bands), bands
    assert page.by_id("compare-table").find(".//*[@data-field='challenges']") is not None
    assert "248" in "".join(page.by_id("kpi-changes").itertext())
    db.session.expire_all()
    assert sheet24(f).version == sheet.version   # nothing saved before the confirmation

    saved = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token_of(preview)})
    assert saved.status_code == 303
    db.session.expire_all()
    after = sheet24(f)
    assert after.text("challenges") == "・担い手の確保\n・費用の低減"
    assert after.kpis[0].values[0].actual == Decimal("248")

    again = upload(client24, sheet.id, data)   # the same file once more: nothing to save
    assert Page(again).by_id("no-change") is not None
    assert Page(again).by_id("confirm-button") is None


def test_a_save_between_preview_and_confirmation_shows_both_texts_and_keeps_the_saved_one_unless_asked(
        app24, client24, oita, f):
    sheet = sheet24(f)
    data = fill(client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data, {"challenges": "Excelで書いた課題"})
    preview = upload(client24, sheet.id, data)
    token = token_of(preview)

    colleague = sheet24(f)   # someone saves in the browser meanwhile
    content = sheet_to_dict(colleague)
    content["challenges"] = "同僚が画面で書いた課題"
    save_content(oita, colleague, colleague.version, content, [None] * len(colleague.figures))
    db.session.commit()
    newer_version = colleague.version

    conflict = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token})
    assert conflict.status_code == 409
    page = Page(conflict)
    assert "確認画面を表示した後に、この個票が保存されました。" in "".join(page.by_id("conflict-message").itertext())
    row = page.by_id("conflict-table").find(".//*[@data-field='challenges']")
    assert [("".join(td.itertext())) for td in row.findall("{http://www.w3.org/1999/xhtml}td")][:2] == [
        "同僚が画面で書いた課題", "Excelで書いた課題"]
    assert page.by_id("keep-challenges-theirs").get("checked") is not None
    assert page.by_id("keep-challenges-mine").get("checked") is None
    db.session.expire_all()
    assert sheet24(f).text("challenges") == "同僚が画面で書いた課題"
    assert sheet24(f).version == newer_version

    # Confirmed as offered: the saved text stays.
    kept = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token_of(conflict)})
    assert kept.status_code == 303
    db.session.expire_all()
    assert (sheet24(f).text("challenges"), sheet24(f).version) == ("同僚が画面で書いた課題", newer_version)

    # Choosing the workbook's text takes it.
    saved = client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                          data={"token": token_of(conflict), "keep-challenges": "mine"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert sheet24(f).text("challenges") == "Excelで書いた課題"


def test_a_forged_or_foreign_token_is_refused(app24, client24, oita, f):
    sheet = sheet24(f)
    response = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": "eyJzIjoxfQ.forged"})
    assert response.status_code == 400
    assert "取り込む内容を確認できませんでした。もう一度ファイルを選んでください。" in response.get_data(as_text=True)


def test_the_organisation_workbook_has_a_worksheet_per_sheet(app24, client24, oita, f):
    response = client24.get("/workbooks/2024/organisation.xlsx")
    assert response.status_code == 200
    assert list(cells_of(response.data)) == [
        "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト", "⑦ヘルスケア産業振興プロジェクト",
        "⑱先端技術活用推進プロジェクト", "⑲ドローン産業振興プロジェクト"]
    home = client24.get("/").get_data(as_text=True)
    assert "2024年度の個票をまとめてExcelで書き出す" in home


def test_buttons_on_the_sheet_page_and_the_editor(app24, client24, oita, f):
    sheet = sheet24(f)
    sheet_page = Page(client24.get(f"/sheets/{sheet.id}"))
    assert sheet_page.by_id("xlsx-export") is not None
    editor = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert editor.by_id("xlsx-export") is not None and editor.by_id("xlsx-import") is not None


def test_after_a_conflict_each_field_can_keep_the_newer_saved_text(app24, client24, oita, f):
    sheet = sheet24(f)
    data = fill(client24.get(f"/sheets/{sheet.id}/workbook.xlsx").data,
                {"challenges": "Excelで書いた課題", "purpose": "Excelで書いた目的"})
    token = token_of(upload(client24, sheet.id, data))
    colleague = sheet24(f)
    content = sheet_to_dict(colleague)
    content["challenges"] = "同僚が画面で書いた課題"
    save_content(oita, colleague, colleague.version, content, [None] * len(colleague.figures))
    db.session.commit()

    conflict = client24.post(f"/sheets/{sheet.id}/workbook/confirm", data={"token": token})
    assert conflict.status_code == 409
    # 目的 was changed in Excel only: merged without asking; 課題 changed on both sides.
    assert [row.get("data-field") for row in Page(conflict).by_id("conflict-table").iter()
            if row.get("data-field")] == ["challenges"]
    saved = client24.post(f"/sheets/{sheet.id}/workbook/confirm",
                          data={"token": token_of(conflict), "keep-challenges": "theirs", "keep-purpose": "mine"})
    assert saved.status_code == 303
    db.session.expire_all()
    after = sheet24(f)
    assert (after.text("purpose"), after.text("challenges")) == ("Excelで書いた目的", "同僚が画面で書いた課題")
