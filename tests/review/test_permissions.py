"""Who may open which review URL: every route × anonymous, the three coordinators, secretariat, admin.

Project ② is led by 大分県 ("lead") with 福岡県 as co-organisation ("co");
長崎県 ("other") has nothing to do with it. Another organisation's sheet
answers 404 (its existence is not revealed), a page whose existence is no
secret answers 403, and anonymous visitors are sent to the log-in page.
"""
from __future__ import annotations

import pytest

from tests.review.conftest import ROLES, log_in_as, make_world
from tests.factories import Factory
from webapp import mail
from webapp.extensions import db
from webapp.models import Comment

COVERED_ENDPOINTS = {
    "review.step",
    "review.add_comment",
    "review.resolve_comment",
    "review.history",
    "review.compare",
    "review.dashboard",
    "review.dashboard_export",
    "review.mail_list",
    "review.mail_detail",
}

LOGIN = 302
SHEET_READERS = {"anonymous": LOGIN, "lead": 200, "co": 200, "other": 404, "secretariat": 200, "admin": 200}
REVIEWERS_ONLY = {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 403, "secretariat": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 403, "secretariat": 403, "admin": 200}
COMMENTERS = {"anonymous": LOGIN, "lead": 302, "co": 403, "other": 404, "secretariat": 302, "admin": 302}

# (endpoint, sheet state, method, url, form data, expected status per role)
MATRIX = [
    ("review.history", "draft", "GET", "/sheets/{sheet}/history", None, SHEET_READERS),
    ("review.compare", "draft", "GET", "/sheets/{sheet}/compare", None, SHEET_READERS),
    ("review.compare", "draft", "GET", "/sheets/{sheet}/compare?a=last_year&b=current", None,
     {**SHEET_READERS, "lead": 404, "co": 404, "secretariat": 404, "admin": 404}),  # no last year here
    ("review.dashboard", "draft", "GET", "/dashboard", None, REVIEWERS_ONLY),
    ("review.dashboard", "draft", "GET", "/dashboard/2024", None, REVIEWERS_ONLY),
    ("review.dashboard", "draft", "GET", "/dashboard/1999", None, {**REVIEWERS_ONLY, "secretariat": 404, "admin": 404}),
    ("review.dashboard_export", "draft", "GET", "/dashboard/2024/status.csv", None, REVIEWERS_ONLY),
    ("review.dashboard_export", "draft", "GET", "/dashboard/2024/status.xlsx", None, REVIEWERS_ONLY),
    ("review.mail_list", "draft", "GET", "/admin/mail", None, ADMIN_ONLY),
    ("review.mail_detail", "draft", "GET", "/admin/mail/{mail}", None, ADMIN_ONLY),
    ("review.mail_detail", "draft", "GET", "/admin/mail/app.db", None, {**ADMIN_ONLY, "admin": 404}),
    ("review.step", "draft", "GET", "/sheets/{sheet}/steps/submit", None,
     {"anonymous": LOGIN, "lead": 200, "co": 403, "other": 404, "secretariat": 403, "admin": 403}),
    ("review.step", "submitted", "GET", "/sheets/{sheet}/steps/withdraw", None,
     {"anonymous": LOGIN, "lead": 200, "co": 403, "other": 404, "secretariat": 403, "admin": 403}),
    ("review.step", "submitted", "GET", "/sheets/{sheet}/steps/approve", None,
     {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 404, "secretariat": 200, "admin": 200}),
    ("review.step", "submitted", "GET", "/sheets/{sheet}/steps/return", None,
     {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 404, "secretariat": 200, "admin": 200}),
    ("review.step", "approved", "GET", "/sheets/{sheet}/steps/reopen", None,
     {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 404, "secretariat": 403, "admin": 200}),
    ("review.step", "draft", "GET", "/sheets/{sheet}/steps/edit", None,
     {"anonymous": LOGIN, "lead": 404, "co": 404, "other": 404, "secretariat": 404, "admin": 404}),
    ("review.step", "draft", "GET", "/sheets/999999/steps/submit", None,
     {"anonymous": LOGIN, "lead": 404, "co": 404, "other": 404, "secretariat": 404, "admin": 404}),
    ("review.add_comment", "draft", "POST", "/sheets/{sheet}/comments",
     {"body": "課題欄を具体的に", "section": "challenges"}, COMMENTERS),
    ("review.resolve_comment", "draft", "POST", "/comments/{comment}/resolution", {"resolved": "1"}, COMMENTERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint,state,method,url,data,expected", MATRIX,
                         ids=[f"{m[0]}:{m[3]}:{m[1]}" for m in MATRIX])
def test_who_may_open_what(app, client, role, endpoint, state, method, url, data, expected):
    world = make_world(Factory())
    sheet = world.sheet_in(state)
    comment = Comment(sheet_id=sheet.id, section="challenges", author_id=world.person("secretariat").id,
                      body="数値を入れてください")
    db.session.add(comment)
    db.session.commit()
    stored = mail.send(mail.Mail(to=["oita@example.jp"], subject="試験", body="本文"))
    mail_name = next(m.name for m in mail.stored_mails() if m.subject == "試験") if stored else ""
    log_in_as(client, world, role)
    target = url.format(sheet=sheet.id, comment=comment.id, mail=mail_name)
    response = client.open(target, method=method, data=data)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    if expected[role] == LOGIN and role == "anonymous":
        assert "/login" in response.headers["Location"]


def test_every_review_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("review.")}
    assert endpoints == COVERED_ENDPOINTS
    assert {row[0] for row in MATRIX} == COVERED_ENDPOINTS
