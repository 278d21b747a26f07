"""Who may build, see and download reports, and download a sheet's PDF."""
import pytest

from tests.factories import login

COVERED_ENDPOINTS = {
    "reports.index", "reports.year_builds", "reports.start_build", "reports.build_status",
    "reports.build_progress", "reports.download", "reports.kpi_workbook", "reports.sheet_pdf",
    "reports.download_archive", "reports.set_report_date", "reports.sheet_pdf_progress",
}

ACTORS = ["anonymous", "lead", "co", "other", "secretariat", "admin"]


@pytest.fixture
def actors(fy):
    return {
        "anonymous": None,
        "lead": fy.coordinator("大分県"),        # leads ⑦
        "co": fy.coordinator("宮崎県"),          # co-leads ⑦
        "other": fy.coordinator("長崎県"),
        "secretariat": fy.secretariat(),
        "admin": fy.admin(),
    }


def _client(fy2023_app, actors, who):
    client = fy2023_app.test_client()
    if actors[who] is not None:
        login(client, actors[who])
    return client


REVIEWER_ONLY = {"lead": 403, "co": 403, "other": 403, "secretariat": 200, "admin": 200}


@pytest.mark.parametrize("who", ACTORS)
def test_report_pages_are_for_reviewers_only(fy2023_app, fy, actors, who):
    client = _client(fy2023_app, actors, who)
    pages = ["/reports", "/reports/2023", "/reports/2023/kpis.xlsx"]
    for url in pages:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif url == "/reports":
            assert response.status_code == (302 if who in ("secretariat", "admin") else 403), url
        else:
            assert response.status_code == REVIEWER_ONLY[who], url


@pytest.mark.parametrize("who", ACTORS)
def test_only_reviewers_build_and_see_builds(fy2023_app, fy, actors, who):
    from webapp.models import ReportBuild
    from webapp.extensions import db
    client = _client(fy2023_app, actors, who)
    response = client.post("/reports/2023/build")
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif who in ("secretariat", "admin"):
        assert response.status_code == 302 and "/reports/builds/" in response.location
    else:
        assert response.status_code == 403
    builds = db.session.query(ReportBuild).count()
    assert builds == (1 if who in ("secretariat", "admin") else 0)
    if builds:
        build_id = db.session.query(ReportBuild).one().id
        for suffix in ("", "/progress", "/download", "/archive"):
            assert client.get(f"/reports/builds/{build_id}{suffix}").status_code == 200


@pytest.mark.parametrize("who", ["lead", "co", "other"])
def test_coordinators_cannot_reach_someone_elses_build(fy2023_app, fy, actors, who):
    from webapp.models import ReportBuild
    from webapp.extensions import db
    reviewer = _client(fy2023_app, actors, "secretariat")
    reviewer.post("/reports/2023/build")
    build_id = db.session.query(ReportBuild).one().id
    client = _client(fy2023_app, actors, who)
    for suffix in ("", "/progress", "/download", "/archive"):
        assert client.get(f"/reports/builds/{build_id}{suffix}").status_code == 403


@pytest.mark.parametrize("who", ACTORS)
def test_only_reviewers_set_the_cover_date(fy2023_app, fy, actors, who):
    from webapp.extensions import db
    from webapp.models import ReportingCycle
    client = _client(fy2023_app, actors, who)
    response = client.post("/reports/2023/date", data={"report_date": "2024-03-29"})
    cycle = db.session.query(ReportingCycle).filter_by(year=2023).one()
    db.session.refresh(cycle)
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif who in ("secretariat", "admin"):
        assert response.status_code == 302 and response.location.endswith("/reports/2023")
        assert cycle.report_date.isoformat() == "2024-03-29"
        return
    else:
        assert response.status_code == 403
    assert cycle.report_date is None or cycle.report_date.isoformat() != "2024-03-29"


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("lead", 200), ("co", 200),
                                          ("other", 404), ("secretariat", 200), ("admin", 200)])
def test_a_sheet_pdf_is_for_those_who_may_read_the_sheet(fy2023_app, fy, actors, who, expected):
    client = _client(fy2023_app, actors, who)
    response = client.get(f"/sheets/{fy.sheet_of(7).id}/pdf")
    assert response.status_code == expected
    if expected == 200:
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("lead", 200), ("co", 200),
                                          ("other", 404), ("secretariat", 200), ("admin", 200)])
def test_a_sheet_pdfs_progress_is_for_those_who_may_read_the_sheet(fy2023_app, fy, actors, who,
                                                                    expected):
    client = _client(fy2023_app, actors, who)
    sheet_id = fy.sheet_of(7).id
    response = client.get(f"/sheets/{sheet_id}/pdf/progress")
    assert response.status_code == expected
    if expected == 200:
        assert response.json == {"state": "ready", "message": "", "url": f"/sheets/{sheet_id}/pdf"}


def test_unknown_year_and_build_answer_404(fy2023_app, fy, actors):
    client = _client(fy2023_app, actors, "secretariat")
    assert client.get("/reports/1999").status_code == 404
    assert client.post("/reports/1999/build").status_code == 404
    assert client.get("/reports/builds/999").status_code == 404
    assert client.get("/reports/builds/999/download").status_code == 404
    assert client.get("/reports/builds/999/archive").status_code == 404
    assert client.post("/reports/1999/date", data={"report_date": "2000-03-31"}).status_code == 404
