"""Who may use which editing route: every route × sheet state × (anonymous, lead coordinator,
co-organisation coordinator, other organisation's coordinator, secretariat, admin).

Project ② is led by 大分県 ("lead") with 福岡県 as co-organisation ("co"); 長崎県
("other") has nothing to do with it. Another organisation's sheet answers 404,
a page whose existence is no secret answers 403, anonymous visitors are sent
to log in (the JSON autosave answers 401). The lead coordinator opening the
form of a sheet that cannot be edited now (submitted, approved, closed year) is
sent back to the sheet page with the reason (302); a save posted then is
refused with 409 and its text shown again.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.editing.conftest import sheet_fields
from tests.factories import PASSWORD, Factory, login
from tests.htmlpage import csrf_token
from webapp.extensions import db
from webapp.models import ReportingCycle, Sheet

COVERED_ENDPOINTS = {
    "editing.edit_sheet",
    "editing.autosave",
    "editing.fit_status",
    "editing.cycles",
    "editing.open_cycle",
    "editing.set_deadline",
    "editing.close_cycle",
    "editing.reopen_cycle",
}

ROLES = ("anonymous", "lead", "co", "other", "secretariat", "admin")
LOGIN = 302
EDITORS = {"anonymous": LOGIN, "lead": 200, "co": 403, "other": 404, "secretariat": 403, "admin": 403}
# A save without a log-in gets the session page (400) with a way back, not a redirect.
SAVERS = {**EDITORS, "anonymous": 400, "lead": 303}
AUTOSAVERS = {**EDITORS, "anonymous": 401}
LOCKED_FORM = {**EDITORS, "lead": 302}        # back to the sheet page, with the reason
LOCKED_SAVE = {**SAVERS, "lead": 409}        # refused, the typed text shown again
LOCKED_AUTOSAVE = {**AUTOSAVERS, "lead": 409}
READERS = {"anonymous": LOGIN, "lead": 200, "co": 200, "other": 404, "secretariat": 200, "admin": 200}
NOBODY = {"anonymous": LOGIN, "lead": 404, "co": 404, "other": 404, "secretariat": 404, "admin": 404}
MANAGERS = {"anonymous": LOGIN, "lead": 403, "co": 403, "other": 403, "secretariat": 200, "admin": 200}
MANAGERS_POST = {**MANAGERS, "secretariat": 303, "admin": 303}

EDIT = "/sheets/{sheet}/edit"
AUTOSAVE = "/sheets/{sheet}/autosave"

# (endpoint, sheet state, cycle open?, method, url, form data ('sheet' = the sheet's form), expected)
MATRIX = [
    ("editing.edit_sheet", "draft", True, "GET", EDIT, None, EDITORS),
    ("editing.edit_sheet", "returned", True, "GET", EDIT, None, EDITORS),
    ("editing.edit_sheet", "not_started", True, "GET", EDIT, None, EDITORS),
    ("editing.edit_sheet", "submitted", True, "GET", EDIT, None, LOCKED_FORM),
    ("editing.edit_sheet", "approved", True, "GET", EDIT, None, LOCKED_FORM),
    ("editing.edit_sheet", "draft", False, "GET", EDIT, None, LOCKED_FORM),
    ("editing.edit_sheet", "draft", True, "GET", "/sheets/999999/edit", None, NOBODY),
    ("editing.edit_sheet", "draft", True, "POST", EDIT, "sheet", SAVERS),
    ("editing.edit_sheet", "returned", True, "POST", EDIT, "sheet", SAVERS),
    ("editing.edit_sheet", "submitted", True, "POST", EDIT, "sheet", LOCKED_SAVE),
    ("editing.edit_sheet", "approved", True, "POST", EDIT, "sheet", LOCKED_SAVE),
    ("editing.edit_sheet", "draft", False, "POST", EDIT, "sheet", LOCKED_SAVE),
    ("editing.autosave", "draft", True, "POST", AUTOSAVE, "sheet", AUTOSAVERS),
    ("editing.autosave", "not_started", True, "POST", AUTOSAVE, "sheet", AUTOSAVERS),
    ("editing.autosave", "submitted", True, "POST", AUTOSAVE, "sheet", LOCKED_AUTOSAVE),
    ("editing.autosave", "draft", False, "POST", AUTOSAVE, "sheet", LOCKED_AUTOSAVE),
    ("editing.autosave", "draft", True, "POST", "/sheets/999999/autosave", "sheet",
     {**NOBODY, "anonymous": 401}),
    ("editing.fit_status", "draft", True, "GET", "/sheets/{sheet}/fit", None, READERS),
    ("editing.fit_status", "approved", False, "GET", "/sheets/{sheet}/fit", None, READERS),
    ("editing.cycles", "draft", True, "GET", "/cycles", None, MANAGERS),
    ("editing.open_cycle", "draft", True, "POST", "/cycles/open", {"year": "2025"}, MANAGERS_POST),
    ("editing.set_deadline", "draft", True, "POST", "/cycles/2024/deadline",
     {"deadline": "2025-05-31"}, MANAGERS_POST),
    ("editing.set_deadline", "draft", True, "POST", "/cycles/2031/deadline",
     {"deadline": "2025-05-31"}, {**MANAGERS, "secretariat": 404, "admin": 404}),
    ("editing.close_cycle", "draft", True, "GET", "/cycles/2024/close", None, MANAGERS),
    ("editing.close_cycle", "draft", True, "POST", "/cycles/2024/close", {"confirm": "y"}, MANAGERS_POST),
    ("editing.close_cycle", "draft", True, "GET", "/cycles/2031/close", None,
     {**MANAGERS, "secretariat": 404, "admin": 404}),
    ("editing.reopen_cycle", "draft", False, "POST", "/cycles/2024/reopen", None, MANAGERS_POST),
]


def make_world(f: Factory):
    """② led by 大分県 with 福岡県 co-leading, in an open FY2024, plus the people."""
    project = f.project(2, "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", lead=("大分県",), co=("福岡県",))
    f.organisation("長崎県")
    cycle = f.cycle(2024, deadline=dt.date(2025, 4, 30))
    sheet = f.sheet(project, cycle, "draft")
    people = {"lead": f.coordinator("大分県"), "co": f.coordinator("福岡県"),
              "other": f.coordinator("長崎県"), "secretariat": f.secretariat(), "admin": f.admin()}
    return sheet, people


def _put(sheet: Sheet, state: str, cycle_open: bool, admin) -> None:
    with db.session.no_autoflush:
        sheet.state = state
        if state == "approved":
            sheet.approved_at, sheet.approved_by_id = sheet.created_at, admin.id
        sheet.cycle.is_open = cycle_open
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint,state,cycle_open,method,url,data,expected", MATRIX,
                         ids=[f"{m[0]}:{m[4]}:{m[1]}{'' if m[2] else ':closed'}:{m[3]}" for m in MATRIX])
def test_who_may_use_what(app, client, role, endpoint, state, cycle_open, method, url, data, expected):
    app.config["EDITING_FIT_JOBS"] = False
    sheet, people = make_world(Factory())
    _put(sheet, state, cycle_open, people["admin"])
    if data == "sheet":
        data = sheet_fields(sheet)
        data["challenges"] = f"・{role}が書いた課題"
    if role != "anonymous":
        login(client, people[role])
    target = url.format(sheet=sheet.id)
    response = client.open(target, method=method, data=data)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]

    db.session.expire_all()
    saved = db.session.get(Sheet, sheet.id)
    if endpoint in ("editing.edit_sheet", "editing.autosave") and method == "POST":
        wrote = saved.text("challenges") == f"・{role}が書いた課題"
        assert wrote == (expected[role] in (200, 303)), "content must change exactly when allowed"
    if endpoint == "editing.open_cycle":
        opened = db.session.query(ReportingCycle).filter_by(year=2025).one_or_none()
        assert (opened is not None) == (expected[role] == 303)
    if endpoint == "editing.close_cycle" and method == "POST":
        assert saved.cycle.is_open == (expected[role] != 303)
    if endpoint == "editing.reopen_cycle":
        assert saved.cycle.is_open == (expected[role] == 303)


def test_the_edit_link_appears_only_for_those_who_may_edit(app, client):
    sheet, people = make_world(Factory())
    for role, shown in (("lead", True), ("co", False), ("secretariat", False), ("admin", False)):
        c = app.test_client()
        login(c, people[role])
        page = c.get(f"/sheets/{sheet.id}").get_data(as_text=True)
        assert ("id=\"edit-link\"" in page) == shown, role


def test_expired_session_on_autosave_answers_json_with_a_login_link(make_app, databases):
    """CSRF on (as in production): a post without a session is refused with a way back."""
    app = make_app("empty", WTF_CSRF_ENABLED=True, EDITING_FIT_JOBS=False)
    with app.app_context():
        sheet, people = make_world(Factory())
        client = app.test_client()
        response = client.post(f"/sheets/{sheet.id}/autosave", data={"challenges": "消えては困る文章"})
        assert response.status_code == 401
        assert response.json["reason"] == "session"
        assert response.json["login_url"] == f"/login?next=/sheets/{sheet.id}/edit"
        form = client.post(f"/sheets/{sheet.id}/edit", data={"challenges": "消えては困る文章", "version": "1"})
        assert form.status_code == 400
        text = form.get_data(as_text=True)
        # The page never echoes what was posted (another site could post it): the
        # editor's script kept its own copy in the browser before posting.
        assert "ログインし直してください" in text and "消えては困る文章" not in text
        assert f"/login?next=/sheets/{sheet.id}/edit" in text.replace("%2F", "/")
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("ended", ["logged out elsewhere", "idle past the limit"])
def test_a_save_whose_session_ended_but_whose_cookie_stayed_gets_the_same_way_back(make_app, databases, ended):
    """The cookie and its CSRF token are still valid, the log-in is not: the save is refused
    with the session page, not silently redirected to the log-in page."""
    app = make_app("empty", WTF_CSRF_ENABLED=True, EDITING_FIT_JOBS=False)
    with app.app_context():
        sheet, people = make_world(Factory())
        client = app.test_client()
        token = csrf_token(client.get("/login"))
        assert client.post("/login", data={"csrf_token": token, "email": people["lead"].email,
                                           "password": PASSWORD}).status_code == 302
        token = csrf_token(client.get(f"/sheets/{sheet.id}/edit"))
        if ended == "logged out elsewhere":
            people["lead"].end_all_sessions()
            db.session.commit()
        else:
            with client.session_transaction() as session:
                session["_seen_at"] -= 3 * 3600
        form = client.post(f"/sheets/{sheet.id}/edit",
                           data={"csrf_token": token, "challenges": "消えては困る文章", "version": "1"})
        assert form.status_code == 400
        text = form.get_data(as_text=True)
        assert "ログインし直してください" in text and "消えては困る文章" not in text
        assert f"/login?next=/sheets/{sheet.id}/edit" in text.replace("%2F", "/")
        db.session.expire_all()
        assert db.session.get(Sheet, sheet.id).text("challenges") != "消えては困る文章"
        # Opening the editor without a log-in still goes to the log-in page.
        assert client.get(f"/sheets/{sheet.id}/edit").status_code == 302
        db.session.remove()
        db.engine.dispose()
