"""Issue 13's story in headless Chromium: the 大分県 coordinator downloads sheet ② as Excel,
fills it in (openpyxl, as Excel would save it), uploads it, sees what will change and saves."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import _make_app
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in
from tests.factories import Factory
from tests.workbooks.conftest import cells_of
from webapp.extensions import db

pytestmark = pytest.mark.e2e

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


@pytest.fixture
def live_app(databases, tmp_path):
    app = _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True, EDITING_FIT_JOBS=False)
    with app.app_context():
        from webapp.cycles import open_cycle
        open_cycle(2024, None, None)
        db.session.commit()
    return app


def test_download_fill_upload_preview_and_save(live_app, live_server, page, tmp_path):
    with live_app.app_context():
        f = Factory()
        email = f.coordinator("大分県").email
        sheet_id = f.sheet_of(2, 2024).id
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    with page.expect_download() as info:
        page.locator("#xlsx-export").click()
    path = tmp_path / "download.xlsx"
    info.value.save_as(path)

    data = path.read_bytes()
    cells = cells_of(data)[TITLE]
    wb = load_workbook(io.BytesIO(data))
    wb[TITLE][cells["challenges"]] = "・担い手の確保\n・掘削費用の低減"
    wb[TITLE][cells["kpis-0-series-0-actual"]] = "２４８"
    wb.save(path)

    page.locator("#xlsx-import").click()
    page.get_by_label("記入したExcelファイル（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="読み込んで確認する").click()
    expect(page.get_by_role("heading", name="取り込む内容の確認")).to_be_visible()
    expect(page.locator("#compare-summary")).to_contain_text("変更のある欄 1件")
    expect(page.locator("#compare-table tr[data-field='challenges']")).to_contain_text("掘削費用の低減")
    expect(page.locator("#kpi-changes")).to_contain_text("248")
    assert_accessible(page, "Excel取込みの確認")

    page.get_by_role("button", name="この内容で保存").click()
    expect(page.get_by_role("alert").filter(has_text="Excelの内容を保存しました")).to_be_visible()
    expect(page.locator("#challenges")).to_have_value("・担い手の確保\n・掘削費用の低減")
    expect(page.locator('input[name="kpis-0-series-0-actual"]')).to_have_value("248")
