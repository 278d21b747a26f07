"""A year of many sheets (a municipality evaluates ~556 事務事業 a year, #21): every long list
shows 50 rows a page, says where the reader is, and costs the same few queries at any length.

The pager is a list of real links (Tab, Enter), labelled in Japanese, the current page marked
aria-current and announced beside the list: 「全120件中 51～100件目（2／3ページ）」.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.factories import login
from tests.htmlpage import NS, Page
from webapp.cycles import open_cycle
from webapp.extensions import db


@pytest.fixture
def admin_client(app, factory):
    client = app.test_client()
    login(client, factory.admin())
    return client


def _status(page: Page) -> str:
    return "".join(page.by_id("pager-status").itertext())


def _current(page: Page) -> list[str]:
    return ["".join(a.itertext()) for a in page.all("a") if a.get("aria-current") == "page"
            and "page-link" in (a.get("class") or "")]


def _queries(client, path: str) -> int:
    count = [0]

    def seen(*args):
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return count[0]


def test_the_dashboard_of_120_sheets_shows_them_50_at_a_time(app, factory, admin_client):
    factory.many_sheets(120)
    first = Page(admin_client.get("/dashboard/2023"))
    assert [row[0] for row in first.table_rows(first.by_id("status-table"))][:3] == ["①", "②", "③"]
    assert len(first.table_rows(first.by_id("status-table"))) == 50
    assert _status(first) == "全120件中 1～50件目（1／3ページ）"
    assert _current(first) == ["現在の1ページ目"]
    assert "全120件" in first.text                      # the counts are about the whole year

    last = Page(admin_client.get("/dashboard/2023?page=3"))
    rows = last.table_rows(last.by_id("status-table"))
    assert [row[0] for row in rows] == [str(n) for n in range(101, 121)]
    assert _status(last) == "全120件中 101～120件目（3／3ページ）"
    assert last.texts("title") == ["2023年度 提出状況（3ページ目） - 九州地域戦略会議 個票システム"]
    nav = next(n for n in last.all("nav") if n.get("aria-label") == "提出状況のページ")
    links = {"".join(a.itertext()): a.get("href") for a in nav.iter(NS + "a")}
    assert links["前へ（2ページ目）"] == "/dashboard/2023?page=2"
    assert links["1ページ目"] == "/dashboard/2023?page=1"


def test_a_filtered_dashboard_keeps_its_filter_from_page_to_page(app, factory, admin_client):
    factory.many_sheets(60, state="draft")
    page = Page(admin_client.get("/dashboard/2023?state=draft"))
    nav = next(n for n in page.all("nav") if n.get("aria-label") == "提出状況のページ")
    hrefs = [a.get("href") for a in nav.iter(NS + "a")]
    assert "/dashboard/2023?page=2&state=draft" in hrefs


@pytest.mark.parametrize("asked, shown", [("abc", "1～50件目（1／3ページ）"), ("99", "101～120件目（3／3ページ）"),
                                          ("0", "1～50件目（1／3ページ）")])
def test_a_page_number_out_of_range_shows_the_nearest_page(app, factory, admin_client, asked, shown):
    factory.many_sheets(120)
    page = Page(admin_client.get(f"/dashboard/2023?page={asked}"))
    assert _status(page) == f"全120件中 {shown}"


def test_a_short_list_has_no_pager_but_says_how_many(app, factory, admin_client):
    factory.many_sheets(21)
    page = Page(admin_client.get("/dashboard/2023"))
    assert _status(page) == "全21件中 1～21件目"
    assert not [n for n in page.all("nav") if n.get("aria-label") == "提出状況のページ"]


def test_the_kpi_page_of_60_sheets_lists_the_second_page(app, factory, admin_client):
    factory.many_sheets(60)
    page = Page(admin_client.get("/kpis/2023?page=2"))
    assert _status(page) == "全60件中 51～60件目（2／2ページ）"
    names = [row[2] for row in page.table_rows(page.all("table")[0])]
    assert names == [f"件数{n}" for n in range(51, 61)]
    assert "60件のＫＰＩ" in page.text


def test_the_home_list_of_60_sheets_pages_and_counts_them_all(app, factory, admin_client):
    factory.many_sheets(60, state="draft")
    page = Page(admin_client.get("/?year=2023&page=2"))
    assert _status(page) == "全60件中 51～60件目（2／2ページ）"
    assert [row[0] for row in page.table_rows()] == [str(n) for n in range(51, 61)]
    assert "作成中 60件" in page.text


def test_the_project_list_of_60_pages(app, factory, admin_client):
    factory.many_sheets(60)
    page = Page(admin_client.get("/admin/projects?page=2"))
    assert _status(page) == "全60件中 51～60件目（2／2ページ）"
    assert [row[1] for row in page.table_rows()] == [f"事業{n}" for n in range(51, 61)]


# ---------------------------------------------------------------- no query per sheet

@pytest.mark.parametrize("path, queries", [
    ("/kpis/2023", 14),            # was 3 a sheet (organisations, roadmap, figures)
    ("/admin/projects", 6),        # was 2 a project (its organisations)
    ("/reports/2023", 7),          # was the whole content of every sheet, four times
    ("/dashboard/2023", 9),
    ("/?year=2023", 8),
])
def test_a_list_costs_the_same_queries_at_10_and_at_120_sheets(make_app, path, queries):
    from tests.factories import Factory, login as log_in
    counts = []
    for size in (10, 120):
        app = make_app()
        with app.app_context():
            f = Factory()
            f.many_sheets(size)
            client = app.test_client()
            log_in(client, f.admin())
            client.get(path)                      # sessions, the system user: loaded once
            counts.append(_queries(client, path))
            db.session.remove()
            db.engine.dispose()
    assert counts == [queries, queries]


def test_an_organisation_of_60_projects_downloads_its_workbook_in_two_parts(app, factory):
    import io
    from urllib.parse import unquote

    from openpyxl import load_workbook

    from webapp.models import ProjectOrganisation
    sheets = factory.many_sheets(60, year=2024, state="draft")
    city = factory.organisation("福岡市")
    for sheet in sheets:
        sheet.project.links.append(ProjectOrganisation(organisation=city, role="co", position=0))
    db.session.commit()
    client = app.test_client()
    login(client, factory.coordinator("福岡市"))
    home = Page(client.get("/"))
    links = {"".join(a.itertext()): a.get("href") for a in home.by_id("xlsx-org-2024").iter(NS + "a")}
    assert links == {"1～50件目": "/workbooks/2024/organisation.xlsx?part=1",
                     "51～60件目": "/workbooks/2024/organisation.xlsx?part=2"}
    second = client.get("/workbooks/2024/organisation.xlsx?part=2")
    assert unquote(second.headers["Content-Disposition"]).endswith("個票_2024年度_福岡市_0051-0060.xlsx")
    book = load_workbook(io.BytesIO(second.data))
    assert [ws.title for ws in book.worksheets if ws.sheet_state == "visible"] == \
        ["記入のしかた"] + [f"{n} 事業{n}" for n in range(51, 61)]


def test_the_reports_page_lists_its_builds_20_at_a_time(app, factory, admin_client):
    from webapp.models import ReportBuild
    factory.many_sheets(3)
    cycle = factory.cycle(2023)
    db.session.add_all([ReportBuild(cycle=cycle, status="failed", draft=False, error=f"エラー{n}",
                                    content_key=f"k{n}", sheet_versions=[]) for n in range(1, 26)])
    db.session.commit()
    page = Page(admin_client.get("/reports/2023?page=2"))
    assert _status(page) == "全25件中 21～25件目（2／2ページ）"
    assert [row[3] for row in page.table_rows(page.all("table")[-1])] == [f"失敗エラー{n}" for n in range(5, 0, -1)]
