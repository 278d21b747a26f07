"""Who may open and use 「個票の様式」: the route × role matrix of this area."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import login
from webapp.extensions import db
from webapp.models import AuditEvent, ReportingCycle
from webapp.permissions import can

COVERED_ENDPOINTS = {
    "templates.index", "templates.template", "templates.edit_box", "templates.edit_section",
    "templates.move_section", "templates.add_section", "templates.remove_section",
    "templates.preview",
}

ACTORS = ["anonymous", "lead", "other", "secretariat", "admin"]
PAGES = ["/templates", "/cycles/2024/template", "/cycles/2024/template/sections/challenges/remove",
         "/cycles/2024/template/preview"]
POSTS = [("/cycles/2024/template/boxes/purpose", {"box-purpose-heading": "目的と背景"}),
         ("/cycles/2024/template/sections/purpose",
          {"sec-purpose-heading": "", "sec-purpose-label": "目的（本文）", "sec-purpose-required": "y",
           "sec-purpose-limit": "4000", "sec-purpose-rows": "4"}),
         ("/cycles/2024/template/boxes/challenges/sections",
          {"new-challenges-key": "risks", "new-challenges-heading": "○リスク",
           "new-challenges-rows": "3", "new-challenges-limit": "500"}),
         ("/cycles/2024/template/sections/risks/move", {"direction": "down"}),   # last: stays
         ("/cycles/2024/template/sections/risks/remove", {"confirm": "y"})]


@pytest.fixture
def actors(app24, f):
    return {"anonymous": None, "lead": f.coordinator("大分県"), "other": f.coordinator("長崎県"),
            "secretariat": f.secretariat(), "admin": f.admin()}


def _client(app, actors, who):
    client = app.test_client()
    if actors[who] is not None:
        login(client, actors[who])
    return client


@pytest.mark.parametrize("who", ACTORS)
def test_pages(app24, actors, who):
    client = _client(app24, actors, who)
    for url in PAGES:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif who in ("lead", "other"):
            assert response.status_code == 403, url
        else:
            assert response.status_code in (200, 303), url


@pytest.mark.parametrize("who", ACTORS)
def test_changes_only_by_the_secretariat_and_admins(app24, actors, who):
    client = _client(app24, actors, who)
    for url, data in POSTS:
        response = client.post(url, data=data)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif who in ("lead", "other"):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 303, url
    events = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "template_change")).all()
    assert len(events) == (4 if who in ("secretariat", "admin") else 0)
    stored = db.session.scalar(select(ReportingCycle.sheet_template).where(ReportingCycle.year == 2024))
    assert (stored is None) is (who not in ("secretariat", "admin"))
    if who == "admin":   # the audit page shows the changes by their label
        page = client.get("/admin/audit")
        assert page.status_code == 200 and "個票の様式の変更" in page.get_data(as_text=True)


def test_unknown_years_and_sections_answer_404(app24, actors):
    client = _client(app24, actors, "admin")
    for url in ["/cycles/1999/template", "/cycles/2024/template/sections/nothing/remove",
                "/cycles/2024/template/sections/kpis/remove", "/cycles/1999/template/preview"]:
        assert client.get(url).status_code == 404, url
    for url in ["/cycles/2024/template/boxes/nothing", "/cycles/2024/template/sections/nothing",
                "/cycles/2024/template/sections/nothing/move",
                "/cycles/2024/template/boxes/nothing/sections"]:
        assert client.post(url, data={}).status_code == 404, url


def test_can_edit_template(app24, actors):
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024))
    assert [who for who in ACTORS if can(actors[who], "edit_template", cycle)] == [
        "secretariat", "admin"]
