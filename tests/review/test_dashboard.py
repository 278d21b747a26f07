"""The secretariat's FY2024 dashboard: all 21 sheets, counts, deadline, overdue, filters, downloads."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import login
from tests.htmlpage import Page, text_of
from webapp.cycles import open_cycle
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.operations import transition
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import today_jst


def first_save(who, sheet) -> None:
    """The organisation saves its carried-forward sheet as it stands (it starts work on it)."""
    save_content(who, sheet, sheet.version, sheet_to_dict(sheet), [None] * len(sheet.figures))


@pytest.fixture
def fy2024(fy):
    """FY2024 opened from the FY2023 report; ② and ⑨ saved and submitted, ⑮ also approved,
    ⑦ saved; the other 17 untouched since the opening."""
    def opened(deadline: dt.date):
        open_cycle(2024, deadline, None)
        db.session.commit()
        oita, kumamoto, kanko = fy.coordinator("大分県"), fy.coordinator("熊本県"), fy.coordinator("一般社団法人九州観光機構")
        reviewer = fy.secretariat()
        first_save(oita, fy.sheet_of(7, 2024))
        for number, who in ((2, oita), (9, kumamoto), (15, kanko)):
            first_save(who, fy.sheet_of(number, 2024))
            transition(who, fy.sheet_of(number, 2024), "submit")
        transition(reviewer, fy.sheet_of(15, 2024), "approve")
        db.session.commit()
        return reviewer
    return opened


def status_rows(page: Page) -> list[list[str]]:
    return page.table_rows(page.by_id("status-table"))


def test_the_dashboard_shows_every_sheet_with_state_lead_last_change_and_days_left(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() + dt.timedelta(days=10))
    login(fy_client, reviewer)
    page = Page(fy_client.get("/dashboard/2024"))
    rows = status_rows(page)
    assert len(rows) == 21
    assert [r[0] for r in rows] == list("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳") + ["㉑"]
    second = rows[1]
    assert second[1] == "地熱・温泉熱エネルギー産業拠点化推進プロジェクト"
    assert second[2] == "大分県" and second[3] == "提出済"
    assert second[5] == "—"                      # submitted: the deadline no longer concerns it
    assert rows[0][3] == "未着手" and rows[0][5] == "あと10日"
    assert rows[6][3] == "作成中" and rows[6][5] == "あと10日"
    assert rows[14][3] == "承認済"
    counts = {li.get("data-state"): text_of(li) for li in page.all("li") if li.get("data-state")}
    assert counts == {"not_started": "未着手 17件", "draft": "作成中 1件", "submitted": "提出済 2件",
                      "returned": "差戻し 0件", "approved": "承認済 1件"}
    assert not page.all("tr", cls="overdue")


def test_sheets_not_submitted_after_the_deadline_are_highlighted(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() - dt.timedelta(days=3))
    login(fy_client, reviewer)
    page = Page(fy_client.get("/dashboard/2024"))
    overdue = page.all("tr", cls="overdue")
    assert len(overdue) == 18
    assert {tr.get("data-number") for tr in overdue}.isdisjoint({"2", "9", "15"})
    assert "3日超過" in text_of(overdue[0])


def test_filters_by_state_and_by_lead_organisation(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() + dt.timedelta(days=10))
    login(fy_client, reviewer)
    submitted = Page(fy_client.get("/dashboard/2024?state=submitted"))
    assert [r[0] for r in status_rows(submitted)] == ["②", "⑨"]
    oita_id = fy.organisation("大分県").id
    oita = Page(fy_client.get(f"/dashboard/2024?org={oita_id}"))
    assert [r[0] for r in status_rows(oita)] == ["②", "⑦", "⑱", "⑲"]
    both = Page(fy_client.get(f"/dashboard/2024?org={oita_id}&state=not_started"))
    assert [r[0] for r in status_rows(both)] == ["⑱", "⑲"]
    assert "2件を表示（全21件中）" in both.text
    both = Page(fy_client.get(f"/dashboard/2024?org={oita_id}&state=draft"))
    assert [r[0] for r in status_rows(both)] == ["⑦"]
    assert "1件を表示（全21件中）" in both.text


def test_the_status_list_downloads_as_csv_for_excel(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() + dt.timedelta(days=10))
    login(fy_client, reviewer)
    response = fy_client.get("/dashboard/2024/status.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["No.", "プロジェクト", "幹事", "幹事組織", "状態"]
    assert len(rows) == 22
    assert rows[2][:5] == ["2", "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", "大分県", "大分県", "提出済"]
    only_submitted = list(csv.reader(io.StringIO(
        fy_client.get("/dashboard/2024/status.csv?state=submitted").get_data().decode("utf-8-sig"))))
    assert [r[0] for r in only_submitted[1:]] == ["2", "9"]


def test_the_status_list_downloads_as_an_excel_workbook(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() - dt.timedelta(days=1))
    login(fy_client, reviewer)
    response = fy_client.get("/dashboard/2024/status.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet.title == "2024年度 提出状況"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("No.", "プロジェクト", "幹事", "幹事組織", "状態")
    assert len(values) == 22
    assert values[1][0] == 1 and values[1][4] == "未着手" and values[1][11] == "超過"
    assert values[2][4] == "提出済" and values[2][11] in (None, "")
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].fill.fgColor.rgb.endswith("FFE0E0")


def test_without_a_year_the_dashboard_opens_the_latest_one(fy, fy_client, fy2024):
    reviewer = fy2024(today_jst() + dt.timedelta(days=10))
    login(fy_client, reviewer)
    page = Page(fy_client.get("/dashboard"))
    assert "2024年度 個票の提出状況" in page.text
    assert len(status_rows(Page(fy_client.get("/dashboard/2023")))) == 21
