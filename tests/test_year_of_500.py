"""A year of 500 sheets (#21: a municipality evaluates ~556 事務事業 a year) comes in from its
report file, prints plain numbers past ㊿, pages its lists, and comes in again unchanged.

The file is generated from the FY2023 report as bench/report.py generates a year: sheet k is
a copy of FY2023 sheet (k-1) mod 21 + 1 with its own number. Here each copy also gets a title
of its own, as a real year's projects have.
"""
from __future__ import annotations

import copy

from sqlalchemy import func, select

from tests.factories import Factory, login
from tests.htmlpage import NS, Page
from tests.test_import_export import dump_database, fy2023, write_json
from webapp.extensions import db
from webapp.jptext import circled
from webapp.models import Project, ReportingCycle, Sheet
from webapp.sheet_content import sheet_to_dict


def year_of(count: int) -> dict:
    """The FY2023 report file with `count` sheets numbered 1..count, sheet k a copy of FY2023
    sheet (k-1) mod 21 + 1 titled 「<its title>（k）」."""
    data = fy2023()
    originals = data["projects"]
    data["projects"] = []
    for number in range(1, count + 1):
        sheet = copy.deepcopy(originals[(number - 1) % len(originals)])
        sheet["number"] = number
        sheet["title"] = f"{sheet['title']}（{number}）"
        data["projects"].append(sheet)
    return data


def test_a_year_of_500_sheets_imports_and_imports_again_unchanged(app, tmp_path):
    path = write_json(tmp_path / "fy2023-500.json", year_of(500))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["import-report", path])

    # 13 organisations, the year, 500 projects and 500 sheets
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2023年度を取り込みました: 新規 1014 件、更新 0 件、変更なし 0 件"
    assert db.session.scalar(select(func.count()).select_from(Project)) == 500
    assert db.session.scalar(select(func.count()).select_from(Sheet).join(ReportingCycle)
                             .where(ReportingCycle.year == 2023)) == 500
    last = Factory().sheet_of(500)
    assert (last.project.number, last.project.title) == (500, "創業・ベンチャー企業創出プロジェクト（500）")
    assert last.text("purpose") == ("世界で活躍できるベンチャー企業の創出を図り、産業の新陳代謝促進、"
                                    "経営資源の有効活用、雇用の創出等により、九州からわが国経済の活性化を図る。")
    # ... and every other part of FY2023's ⑰: texts, the KPI and its figures, no roadmap
    copied, original = sheet_to_dict(last), sheet_to_dict(Factory().sheet_of(17))
    assert {k: v for k, v in copied.items() if k not in ("number", "title")} == \
        {k: v for k, v in original.items() if k not in ("number", "title")}
    assert copied["targets"]["kpis"][0]["name"] == "開業率（九州・沖縄全体の開業率）"

    # the council's circled numbers stop at ㊿; beyond, the number as it is
    assert [circled(n) for n in (1, 21, 50, 51, 100, 500)] == ["①", "㉑", "㊿", "51", "100", "500"]
    assert last.project.circled_number == "500"

    before = dump_database()
    again = runner.invoke(args=["import-report", path])
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "2023年度: 変更はありません（500 件は取込済みと同じ内容）"
    # no new version, transition or audit row; not one row changed
    assert dump_database() == before


def test_the_lists_of_a_500_sheet_year_show_50_rows_and_a_link_to_the_next_page(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-report", write_json(tmp_path / "500.json", year_of(500))]).exit_code == 0
    client = app.test_client()
    login(client, Factory().admin())

    def next_link(page: Page, label: str) -> str:
        nav = next(n for n in page.all("nav") if n.get("aria-label") == f"{label}のページ")
        return next(a.get("href") for a in nav.iter(NS + "a") if a.get("rel") == "next")

    dashboard = Page(client.get("/dashboard/2023"))
    rows = dashboard.table_rows(dashboard.by_id("status-table"))
    assert len(rows) == 50 and [row[0] for row in rows[:3]] == ["①", "②", "③"]
    assert "".join(dashboard.by_id("pager-status").itertext()) == "全500件中 1～50件目（1／10ページ）"
    assert next_link(dashboard, "提出状況") == "/dashboard/2023?page=2"

    # the last page: sheets 451–500, numbered in plain digits
    last = Page(client.get("/dashboard/2023?page=10"))
    assert [row[0] for row in last.table_rows(last.by_id("status-table"))] == \
        [str(n) for n in range(451, 501)]

    projects = Page(client.get("/admin/projects"))
    rows = projects.table_rows()
    assert len(rows) == 50 and rows[0][1] == "九州水素エネルギー社会実現プロジェクト（1）"
    assert "".join(projects.by_id("pager-status").itertext()) == "全500件中 1～50件目（1／10ページ）"
    assert next_link(projects, "プロジェクト一覧") == "/admin/projects?page=2"
