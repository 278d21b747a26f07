"""Who may open the council's screens: the route × role matrix of this area."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import login
from webapp.extensions import db
from webapp.models import Organisation, Project
from webapp.permissions import can

COVERED_ENDPOINTS = {
    "council.organisations", "council.edit_organisation", "council.deactivate_organisation",
    "council.delete_organisation", "council.projects", "council.new_project",
    "council.edit_project", "council.deactivate_project", "council.kpi_index",
    "council.kpi_progress", "council.kpi_progress_xlsx", "council.kpi_appendix_switch",
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


def _client(app, actors, who):
    client = app.test_client()
    if actors[who] is not None:
        login(client, actors[who])
    return client


def _ids():
    org = db.session.scalar(select(Organisation.id).where(Organisation.name == "鹿児島県"))
    project = db.session.scalar(select(Project.id).where(Project.number == 7))
    return org, project


ADMIN_ONLY = {"lead": 403, "co": 403, "other": 403, "secretariat": 403, "admin": 200}


@pytest.mark.parametrize("who", ACTORS)
def test_admin_pages(fy2023_app, fy, actors, who):
    client = _client(fy2023_app, actors, who)
    org, project = _ids()
    for url in ["/admin/organisations", f"/admin/organisations/{org}",
                f"/admin/organisations/{org}/deactivate", f"/admin/organisations/{org}/delete",
                "/admin/projects",
                "/admin/projects/new", f"/admin/projects/{project}",
                f"/admin/projects/{project}/deactivate"]:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        else:
            assert response.status_code == ADMIN_ONLY[who], url


@pytest.mark.parametrize("who", ACTORS)
def test_admin_posts_change_nothing_for_others(fy2023_app, fy, actors, who, audit_calls):
    client = _client(fy2023_app, actors, who)
    org, project = _ids()
    # The organisation is deactivated on the way: the projects name another one.
    lead = db.session.scalar(select(Organisation.id).where(Organisation.name == "福岡県"))
    posts = [("/admin/organisations", {"name": "新組織", "kind": "association"}),
             (f"/admin/organisations/{org}", {"name": "改名", "kind": "prefecture", "active": "1"}),
             (f"/admin/organisations/{org}/deactivate", {}),
             (f"/admin/organisations/{org}/delete", {}),
             ("/admin/projects/new", {"number": "40", "title": "x", "lead_label": "x",
                                      "lead_0": str(lead), "active": "1"}),
             (f"/admin/projects/{project}", {"number": "7", "title": "改題", "lead_label": "x",
                                             "lead_0": str(lead), "active": "1"}),
             (f"/admin/projects/{project}/deactivate", {})]
    for url, data in posts:
        response = client.post(url, data=data)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif who == "admin":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 403, url
    if who != "admin":
        assert audit_calls == []
        assert db.session.get(Organisation, org).name == "鹿児島県"
    else:
        assert [c["action"] for c in audit_calls] == [
            "organisation_create", "organisation_update", "organisation_deactivate",
            "project_create", "project_update", "project_deactivate"]


KPI_PAGES = {"lead": 200, "co": 200, "other": 200, "secretariat": 200, "admin": 200}


@pytest.mark.parametrize("who", ACTORS)
def test_kpi_progress_pages(fy2023_app, fy, actors, who):
    client = _client(fy2023_app, actors, who)
    for url in ["/kpis", "/kpis/2023", "/kpis/2023/kpis.xlsx"]:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif url == "/kpis":
            assert response.status_code == 302 and "/kpis/2023" in response.location
        else:
            assert response.status_code == KPI_PAGES[who], url
    if who in ("lead", "co"):
        html = client.get("/kpis/2023").get_data(as_text=True)
        assert "医療機器製造業者" in html and "水素ステーション" not in html   # ⑦'s, not ①'s
    if who == "other":
        html = client.get("/kpis/2023").get_data(as_text=True)
        assert "医療機器製造業者" not in html


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("lead", 403), ("co", 403),
                                          ("other", 403), ("secretariat", 302), ("admin", 302)])
def test_only_reviewers_switch_the_appendix(fy2023_app, fy, actors, who, expected):
    client = _client(fy2023_app, actors, who)
    response = client.post("/kpis/2023/appendix", data={"on": "1", "next": "reports"})
    assert response.status_code == expected
    cycle = fy.sheet_of(1).cycle
    db.session.refresh(cycle)
    assert cycle.kpi_appendix is (who in ("secretariat", "admin"))
    if who in ("secretariat", "admin"):
        assert "/reports/2023" in response.location


def test_unknown_things_answer_404(fy2023_app, fy, actors):
    admin = _client(fy2023_app, actors, "admin")
    for url in ["/kpis/1999", "/kpis/1999/kpis.xlsx", "/admin/organisations/9999",
                "/admin/organisations/9999/deactivate", "/admin/projects/9999",
                "/admin/projects/9999/deactivate"]:
        assert admin.get(url).status_code == 404, url
    assert admin.post("/kpis/1999/appendix").status_code == 404


def test_can_view_kpi_progress_per_project(fy2023_app, fy, actors):
    project = fy.sheet_of(7).project
    assert can(actors["lead"], "view_kpi_progress", project)
    assert can(actors["co"], "view_kpi_progress", project)
    assert not can(actors["other"], "view_kpi_progress", project)
    assert can(actors["secretariat"], "view_kpi_progress", project)
    assert not can(actors["secretariat"], "manage_organisations")
    assert can(actors["admin"], "manage_organisations")
