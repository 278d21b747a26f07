"""The sheet page's KPI table: the final target beside the name, points named by their year
with the printed label beside it."""
from __future__ import annotations

from tests.factories import login
from tests.htmlpage import Page
from webapp.printing.kpis import chart_alt


def test_a_point_is_named_by_its_fiscal_year_with_its_label_beside_it():
    from webapp.printing.kpis import point_label
    assert point_label({"year": 2020, "label": "20.12"}) == "2020年度（20.12）"
    assert point_label({"year": 2024, "label": "2024年3月末時点"}) == "2024年度（2024年3月末時点）"
    assert point_label({"year": 2024, "label": ""}) == "2024年度"
    assert point_label({"year": 2024}) == "2024年度"


def test_the_print_alt_text_names_points_the_same_way():
    kpi = {"name": "組成件数", "unit": "件", "series": [
        {"year": 2020, "label": "20.3", "target": None, "actual": 3},
        {"year": 2020, "label": "20.12", "target": None, "actual": 5},
        {"year": 2021, "target": None, "actual": 6}], "target": {"year": 2030, "value": None}}
    assert chart_alt(kpi).startswith(
        "組成件数：2020年度（20.3） 実績3件、2020年度（20.12） 実績5件、2021年度 実績6件")


def test_the_target_comes_first_and_two_points_of_2020_are_told_apart(fy, fy_client):
    login(fy_client, fy.coordinator("大分県"))
    page = Page(fy_client.get(f"/sheets/{fy.sheet_of(2).id}"))
    table = page.all("table", cls="kpi-table")[0]
    assert page.table_rows(table, "thead") == [[
        "区分", "目標（2030年）", "2015年度（15.6）", "2016年度（16.3）", "2018年度（18.3）",
        "2020年度（20.3）", "2020年度（20.12）", "2021年度（21.12）", "2023年度（23.12）"]]
    assert page.table_rows(table) == [
        ["目標", "500", "－", "－", "－", "－", "－", "－", "－"],
        ["実績", "", "7", "32", "127", "134", "144", "192", "225"],
    ]
