"""The secretariat downloads the year's KPIs and sheet states as Excel."""
import io

from openpyxl import load_workbook

from tests.factories import login


def test_kpi_workbook_lists_every_kpi_figure_and_every_sheet_state(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    response = client.get("/reports/2023/kpis.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["KPI", "個票の状態"]
    kpi = list(wb["KPI"].iter_rows(values_only=True))
    assert kpi[0][:8] == ("No.", "プロジェクト", "KPI", "単位", "年度", "目標", "実績", "進捗率")
    hydrogen = [r for r in kpi[1:] if r[2] == "エネルギーの地産地消につながる水素利活用プロジェクト件数"]
    assert hydrogen == [(1, "九州水素エネルギー社会実現プロジェクト",
                         "エネルギーの地産地消につながる水素利活用プロジェクト件数", "件", 2023, None,
                         28, 0.7, 40, None)]
    states = list(wb["個票の状態"].iter_rows(values_only=True))
    assert len(states) == 22
    assert {row[3] for row in states[1:]} == {"承認済"}
