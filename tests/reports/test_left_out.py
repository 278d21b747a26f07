"""Building the report when some sheets are not approved: the page names them and asks first."""
from __future__ import annotations

import pytest

from tests.factories import login
from tests.htmlpage import NS, Page, text_of
from webapp.extensions import db
from webapp.models import ReportBuild
from webapp.reports import builds

TITLE_3 = "海洋再生可能エネルギー産業の拠点形成プロジェクト"
TITLE_12 = "スマート農業推進プロジェクト"


@pytest.fixture
def queued(monkeypatch):
    """Builds are queued but not printed: these tests are about what is asked before."""
    calls = []
    monkeypatch.setattr(builds.jobs, "enqueue", lambda name, *args, **kw: calls.append(args))
    return calls


def _unapprove(fy, number: int, state: str):
    sheet = fy.sheet_of(number)
    sheet.state, sheet.approved_at, sheet.approved_by_id = state, None, None
    return sheet


@pytest.fixture
def two_not_approved(fy):
    _unapprove(fy, 3, "submitted")
    _unapprove(fy, 12, "returned")
    db.session.commit()
    assert fy.sheet_of(3).project.title == TITLE_3


def test_the_build_page_lists_the_sheets_left_out_and_asks_to_confirm(fy2023_app, fy, two_not_approved):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    page = Page(client.get("/reports/2023"))
    left_out = page.by_id("left-out")
    assert [text_of(li) for li in left_out.iter(NS + "li")] == [f"③ {TITLE_3}（提出済）",
                                                               f"⑫ {TITLE_12}（差戻し）"]
    assert "承認されていない次の2件は、報告書に入りません。" in text_of(left_out)
    tick = page.by_id("confirm_left_out")
    assert tick is not None and tick.get("required") is not None
    assert "確認用PDFでは、この2件も「未承認」の印を付けて印刷します。" in page.text


def test_building_without_the_tick_is_refused_with_a_message(fy2023_app, fy, two_not_approved, queued):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    response = client.post("/reports/2023/build", follow_redirects=True)
    assert ("承認されていない個票が2件あり、報告書に入りません。"
            "このまま作成する場合は「承認済の個票だけで作成する」にチェックを入れてください。") in Page(response).text
    assert db.session.query(ReportBuild).count() == 0 and queued == []


def test_with_the_tick_the_approved_sheets_are_built(fy2023_app, fy, two_not_approved, queued):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    response = client.post("/reports/2023/build", data={"confirm_left_out": "1"})
    assert response.status_code == 302 and "/reports/builds/" in response.location
    [build] = db.session.query(ReportBuild).all()
    assert [v["project"] for v in build.sheet_versions] == [n for n in range(1, 22) if n not in (3, 12)]


def test_the_draft_needs_no_tick_it_prints_every_sheet(fy2023_app, fy, two_not_approved, queued):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    response = client.post("/reports/2023/build", data={"draft": "1"})
    assert response.status_code == 302 and "/reports/builds/" in response.location
    [build] = db.session.query(ReportBuild).all()
    assert build.draft and len(build.sheet_versions) == 21


def test_nothing_is_asked_when_every_sheet_is_approved(fy2023_app, fy, queued):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    page = Page(client.get("/reports/2023"))
    assert page.by_id("left-out") is None and page.by_id("confirm_left_out") is None
    assert client.post("/reports/2023/build").status_code == 302
    assert db.session.query(ReportBuild).count() == 1
