"""Who may open which page, and who may do what to a sheet.

The first half walks every route of the foundation (blueprints main, auth,
admin) as each kind of user: nobody logged in, a coordinator of the
project's lead organisation, of a co-organisation, of an unrelated
organisation, the secretariat and an admin. The second half asks the one
permissions function, `can()`, directly about every sheet action in every
state, with the cycle open and closed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from tests.factories import login
from webapp.extensions import db
from webapp.models import (Figure, Project, ProjectOrganisation, ReportingCycle, Sheet,
                           User)
from webapp.permissions import ADMIN_ACTIONS, REVIEWER_ACTIONS, can
from webapp.workflow import EDITABLE_STATES, TRANSITIONS, State

# ---------------------------------------------------------------------------
# The route matrix
# ---------------------------------------------------------------------------

ROLES = ("anonymous", "lead_coordinator", "co_coordinator", "other_coordinator",
         "secretariat", "admin")

# Expected outcomes besides plain status codes.
TO_LOGIN = "redirect to /login"
TO_HOME = "redirect to /"
TO_USERS = "redirect to /admin/users"
TO_LOGIN_STEP = "redirect to /login, no next"       # back to the password step
TO_TWO_FACTOR = "redirect to /account/two-factor"
REDIRECT_PATHS = {TO_LOGIN: "/login", TO_HOME: "/", TO_USERS: "/admin/users",
                  TO_LOGIN_STEP: "/login", TO_TWO_FACTOR: "/account/two-factor"}


@dataclass
class World:
    """A closed FY2023 cycle and project ⑦ led by 大分県 with 福岡県 as co-organisation."""
    project: Project
    sheet: Sheet
    figure: Figure
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def world(app, factory):
    cycle = factory.cycle(2023, is_open=False)
    project = factory.project(7, "ヘルスケア産業振興プロジェクト", lead=("大分県",), co=("福岡県",))
    factory.organisation("長崎県")
    sheet = factory.sheet(project, cycle, state="approved")
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    with open(os.path.join(app.config["UPLOAD_FOLDER"], "fig-test.png"), "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    figure = Figure(sheet_id=sheet.id, position=0, kind="photo", caption="展示会の様子",
                    image_file="fig-test.png", image_width=10, image_height=10)
    db.session.add(figure)
    db.session.commit()
    users = {
        "lead_coordinator": factory.coordinator("大分県"),
        "co_coordinator": factory.coordinator("福岡県"),
        "other_coordinator": factory.coordinator("長崎県"),
        "secretariat": factory.secretariat(),
        "admin": factory.admin(),
    }
    return World(project=project, sheet=sheet, figure=figure, users=users)


@dataclass(frozen=True)
class Case:
    name: str
    endpoint: str
    method: str
    url: Callable[[World], str]
    expected: tuple            # one outcome per role, in ROLES order
    data: Callable[[World], dict] | None = None


def _new_user_form(w: World) -> dict:
    return {"email": "new.person@example.jp", "display_name": "新しい担当者", "role": "secretariat",
            "organisation_id": "0", "active": "y", "password": "kabosu orchard at dusk"}


def _edit_user_form(w: World) -> dict:
    lead = w.users["lead_coordinator"]
    return {"email": lead.email, "display_name": "改名した担当者", "role": "coordinator",
            "organisation_id": str(lead.organisation_id), "active": "y", "password": ""}


def _wrong_old_password(w: World) -> dict:
    return {"old_password": "not my password", "new_password": "a new long password",
            "confirm": "a new long password"}


#                      anonymous  lead      co        other     secretariat admin
EVERYONE_LOGGED_IN = (TO_LOGIN, 200, 200, 200, 200, 200)
READERS_OF_SHEET = (TO_LOGIN, 200, 200, 404, 200, 200)
ADMIN_ONLY = (TO_LOGIN, 403, 403, 403, 403, 200)

CASES = [
    Case("login page", "auth.login", "GET", lambda w: "/login",
         (200, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME)),
    Case("log-in attempt with an unknown account", "auth.login", "POST", lambda w: "/login",
         (401, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME),
         data=lambda w: {"email": "nobody@example.jp", "password": "whatever it is"}),
    Case("log out", "auth.logout", "POST", lambda w: "/logout",
         (TO_LOGIN,) * 6),
    Case("password change form", "auth.change_password", "GET", lambda w: "/account/password",
         EVERYONE_LOGGED_IN),
    Case("password change with a wrong old password", "auth.change_password", "POST",
         lambda w: "/account/password", EVERYONE_LOGGED_IN, data=_wrong_old_password),
    Case("second log-in step without a password step", "auth.login_code", "GET",
         lambda w: "/login/code", (TO_LOGIN_STEP, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME)),
    Case("account page", "auth.account", "GET", lambda w: "/account", EVERYONE_LOGGED_IN),
    Case("log out everywhere", "auth.logout_all", "POST", lambda w: "/account/logout-all",
         (TO_LOGIN,) * 6),
    Case("two-factor enrolment", "auth.two_factor", "GET", lambda w: "/account/two-factor",
         EVERYONE_LOGGED_IN),
    Case("turn off a second factor not set up", "auth.disable_two_factor", "POST",
         lambda w: "/account/two-factor/disable", (TO_LOGIN,) + (TO_TWO_FACTOR,) * 5,
         data=lambda w: {"password": "not my password"}),
    Case("renew recovery codes without a second factor", "auth.renew_recovery_codes", "POST",
         lambda w: "/account/two-factor/recovery-codes", (TO_LOGIN,) + (TO_TWO_FACTOR,) * 5),
    Case("step-up (本人確認) page", "auth.reauthenticate", "GET",
         lambda w: "/account/confirm?next=/account/password", EVERYONE_LOGGED_IN),
    Case("step-up with a wrong password", "auth.reauthenticate", "POST",
         lambda w: "/account/confirm", (TO_LOGIN, 401, 401, 401, 401, 401),
         data=lambda w: {"password": "not my password"}),
    Case("home page", "main.home", "GET", lambda w: "/", EVERYONE_LOGGED_IN),
    Case("home page of a year", "main.home", "GET", lambda w: "/?year=2023", EVERYONE_LOGGED_IN),
    Case("sheet of project ⑦", "main.sheet", "GET", lambda w: f"/sheets/{w.sheet.id}",
         READERS_OF_SHEET),
    Case("sheet that does not exist", "main.sheet", "GET", lambda w: f"/sheets/{w.sheet.id + 999}",
         (TO_LOGIN, 404, 404, 404, 404, 404)),
    Case("figure image of sheet ⑦", "main.figure_image", "GET",
         lambda w: f"/sheets/{w.sheet.id}/figures/{w.figure.id}", READERS_OF_SHEET),
    Case("figure that does not exist", "main.figure_image", "GET",
         lambda w: f"/sheets/{w.sheet.id}/figures/{w.figure.id + 999}",
         (TO_LOGIN, 404, 404, 404, 404, 404)),
    Case("user list", "admin.users", "GET", lambda w: "/admin/users", ADMIN_ONLY),
    Case("new user form", "admin.new_user", "GET", lambda w: "/admin/users/new", ADMIN_ONLY),
    Case("create a user", "admin.new_user", "POST", lambda w: "/admin/users/new",
         (TO_LOGIN, 403, 403, 403, 403, TO_USERS), data=_new_user_form),
    Case("edit user form", "admin.edit_user", "GET",
         lambda w: f"/admin/users/{w.users['lead_coordinator'].id}", ADMIN_ONLY),
    Case("edit a user", "admin.edit_user", "POST",
         lambda w: f"/admin/users/{w.users['lead_coordinator'].id}",
         (TO_LOGIN, 403, 403, 403, 403, TO_USERS), data=_edit_user_form),
    Case("edit a user that does not exist", "admin.edit_user", "GET",
         lambda w: "/admin/users/99999", (TO_LOGIN, 403, 403, 403, 403, 404)),
    Case("audit trail", "audit.events", "GET", lambda w: "/admin/audit", ADMIN_ONLY),
    Case("audit trail of sheet ⑦", "audit.events", "GET",
         lambda w: f"/admin/audit?sheet={w.sheet.id}", ADMIN_ONLY),
    Case("audit trail as CSV", "audit.events_csv", "GET", lambda w: "/admin/audit.csv", ADMIN_ONLY),
    Case("log a user out everywhere", "admin.logout_user_everywhere", "POST",
         lambda w: f"/admin/users/{w.users['lead_coordinator'].id}/logout-all",
         (TO_LOGIN, 403, 403, 403, 403, TO_USERS)),
    Case("reset a user's second factor", "admin.reset_second_factor", "POST",
         lambda w: f"/admin/users/{w.users['lead_coordinator'].id}/reset-2fa",
         (TO_LOGIN, 403, 403, 403, 403, TO_USERS)),
    Case("reset the second factor of a user that does not exist", "admin.reset_second_factor",
         "POST", lambda w: "/admin/users/99999/reset-2fa", (TO_LOGIN, 403, 403, 403, 403, 404)),
]

COVERED_ENDPOINTS = {
    "auth.login", "auth.logout", "auth.change_password", "auth.login_code", "auth.account",
    "auth.logout_all", "auth.two_factor", "auth.disable_two_factor", "auth.renew_recovery_codes",
    "auth.reauthenticate",
    "main.home", "main.sheet", "main.figure_image",
    "admin.users", "admin.new_user", "admin.edit_user", "admin.logout_user_everywhere",
    "admin.reset_second_factor",
    "audit.events", "audit.events_csv",
}

MATRIX = [pytest.param(case, role, i, id=f"{case.endpoint}:{case.name}:{role}")
          for case in CASES for i, role in enumerate(ROLES)]


def _request(client, world: World, case: Case, role: str):
    if role != "anonymous":
        login(client, world.users[role])
    url = case.url(world)
    data = case.data(world) if case.data else None
    return client.open(url, method=case.method, data=data)


@pytest.mark.parametrize("case, role, index", MATRIX)
def test_route_answers_each_kind_of_user_as_expected(app, world, client, case, role, index):
    expected = case.expected[index]
    response = _request(client, world, case, role)
    if isinstance(expected, int):
        assert response.status_code == expected, (
            f"{case.method} {case.url(world)} as {role}: {response.status_code}, expected {expected}")
        return
    assert response.status_code == 302, (
        f"{case.method} {case.url(world)} as {role}: {response.status_code}, expected {expected}")
    location = urlsplit(response.headers["Location"])
    assert location.path == REDIRECT_PATHS[expected], f"{role} sent to {location.path}"
    if expected == TO_LOGIN and case.method == "GET":
        # After logging in, the user comes back to the page asked for.
        assert parse_qs(location.query)["next"] == [case.url(world)]


def test_refused_admin_posts_change_nothing(app, world, client):
    """A secretariat reviewer posting the admin forms by hand gets 403 and no change."""
    users_before = db.session.scalar(select(func.count()).select_from(User))
    login(client, world.users["secretariat"])
    assert client.post("/admin/users/new", data=_new_user_form(world)).status_code == 403
    lead_id = world.users["lead_coordinator"].id
    assert client.post(f"/admin/users/{lead_id}", data=_edit_user_form(world)).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert db.session.get(User, lead_id).display_name != "改名した担当者"


def test_a_deactivated_coordinator_is_treated_as_logged_out(app, world, client):
    lead = world.users["lead_coordinator"]
    login(client, lead)
    assert client.get(f"/sheets/{world.sheet.id}").status_code == 200
    lead.active = False
    db.session.commit()
    response = client.get(f"/sheets/{world.sheet.id}")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_the_matrix_names_its_endpoints_and_each_case_hits_its_endpoint(app, world):
    assert {case.endpoint for case in CASES} == COVERED_ENDPOINTS
    adapter = app.url_map.bind("localhost")
    for case in CASES:
        endpoint, _ = adapter.match(urlsplit(case.url(world)).path, method=case.method)
        assert endpoint == case.endpoint, case.name
        assert len(case.expected) == len(ROLES), case.name


def test_every_route_of_the_foundation_blueprints_is_in_the_matrix(app):
    foundation = {rule.endpoint for rule in app.url_map.iter_rules()
                  if rule.endpoint.split(".")[0] in ("main", "auth", "admin")}
    assert foundation - COVERED_ENDPOINTS == set()


# ---------------------------------------------------------------------------
# can(): sheet actions × who × state × open/closed cycle
# ---------------------------------------------------------------------------

LEAD_ORG, CO_ORG, OTHER_ORG = 1, 2, 3


class _Anonymous:
    is_authenticated = False
    is_active = False


def _actor(kind: str):
    if kind == "anonymous":
        return _Anonymous()
    role, org, active = {
        "lead coordinator": ("coordinator", LEAD_ORG, True),
        "inactive lead coordinator": ("coordinator", LEAD_ORG, False),
        "co-organisation coordinator": ("coordinator", CO_ORG, True),
        "other coordinator": ("coordinator", OTHER_ORG, True),
        "secretariat": ("secretariat", None, True),
        "admin": ("admin", None, True),
        "admin belonging to the lead organisation": ("admin", LEAD_ORG, True),
    }[kind]
    return User(email=f"{kind}@example.jp", role=role,
                organisation_id=org, active=active, system=False)


ACTORS = ("anonymous", "lead coordinator", "inactive lead coordinator",
          "co-organisation coordinator", "other coordinator", "secretariat", "admin",
          "admin belonging to the lead organisation")


def _sheet(state: State, cycle_open: bool) -> Sheet:
    project = Project(number=7, title="ヘルスケア産業振興プロジェクト", lead_label="大分県（福岡県）",
                      links=[ProjectOrganisation(organisation_id=LEAD_ORG, role="lead", position=0),
                             ProjectOrganisation(organisation_id=CO_ORG, role="co", position=0)])
    return Sheet(state=state.value, project=project,
                 cycle=ReportingCycle(year=2024, is_open=cycle_open))


# What DESIGN.md says, written out by hand (not derived from webapp.workflow):
#   name: (from states, to state, who may, needs the cycle open)
DESIGNED_TRANSITIONS = {
    "edit": ({"not_started"}, "draft", {"lead coordinator"}, True),
    "submit": ({"draft", "returned"}, "submitted", {"lead coordinator"}, True),
    "withdraw": ({"submitted"}, "draft", {"lead coordinator"}, True),
    "return": ({"submitted"}, "returned", {"secretariat", "admin"}, False),
    "approve": ({"submitted"}, "approved", {"secretariat", "admin"}, False),
    "reopen": ({"approved"}, "draft", {"admin"}, False),
}

REVIEWERS = {"secretariat", "admin", "admin belonging to the lead organisation"}


def _who(kind: str) -> set[str]:
    """The designed group names an actor belongs to."""
    groups = set()
    if kind == "lead coordinator":
        groups.add("lead coordinator")
    if kind in REVIEWERS:
        groups.add("secretariat" if kind == "secretariat" else "admin")
    return groups


def expected(action: str, kind: str, state: State, cycle_open: bool) -> bool:
    if action == "view_sheet":
        return kind in REVIEWERS | {"lead coordinator", "co-organisation coordinator"}
    if action == "comment":
        return kind in REVIEWERS | {"lead coordinator"}
    if action == "edit_sheet":
        return (kind == "lead coordinator" and cycle_open
                and state.value in {"not_started", "draft", "returned"})
    sources, _, who, needs_open = DESIGNED_TRANSITIONS[action]
    return bool(_who(kind) & who) and state.value in sources and (cycle_open or not needs_open)


def test_the_transitions_table_is_the_designed_workflow():
    assert set(TRANSITIONS) == set(DESIGNED_TRANSITIONS)
    for name, (sources, target, _, needs_open) in DESIGNED_TRANSITIONS.items():
        t = TRANSITIONS[name]
        assert {s.value for s in t.sources} == sources, name
        assert t.target.value == target, name
        assert t.needs_open_cycle == needs_open, name
    assert {s.value for s in EDITABLE_STATES} == {"not_started", "draft", "returned"}
    assert TRANSITIONS["return"].comment_required and TRANSITIONS["reopen"].comment_required
    assert not TRANSITIONS["approve"].comment_required


@pytest.mark.parametrize("action", ["view_sheet", "comment", "edit_sheet", *DESIGNED_TRANSITIONS])
def test_can_answers_every_sheet_action_for_everybody_in_every_state(action):
    wrong = []
    for kind in ACTORS:
        for state in State:
            for cycle_open in (True, False):
                got = can(_actor(kind), action, _sheet(state, cycle_open))
                want = expected(action, kind, state, cycle_open)
                if got != want:
                    wrong.append(f"{kind} / {state.value} / cycle {'open' if cycle_open else 'closed'}:"
                                 f" can={got}, expected {want}")
    assert not wrong, f"can(user, {action!r}, sheet) is wrong for:\n" + "\n".join(wrong)


def test_only_the_lead_coordinator_edits_and_only_while_the_sheet_is_editable():
    lead = _actor("lead coordinator")
    assert can(lead, "edit_sheet", _sheet(State.DRAFT, True))
    assert can(lead, "edit_sheet", _sheet(State.RETURNED, True))
    assert not can(lead, "edit_sheet", _sheet(State.SUBMITTED, True))
    assert not can(lead, "edit_sheet", _sheet(State.APPROVED, True))
    assert not can(lead, "edit_sheet", _sheet(State.DRAFT, False))
    assert not can(_actor("co-organisation coordinator"), "edit_sheet", _sheet(State.DRAFT, True))
    assert not can(_actor("admin belonging to the lead organisation"), "edit_sheet",
                   _sheet(State.DRAFT, True))


def test_reviewers_may_still_approve_after_the_cycle_closed():
    assert can(_actor("secretariat"), "approve", _sheet(State.SUBMITTED, False))
    assert not can(_actor("secretariat"), "reopen", _sheet(State.APPROVED, False))
    assert can(_actor("admin"), "reopen", _sheet(State.APPROVED, False))


def test_managing_users_is_for_admins_and_the_overview_for_reviewers():
    assert "manage_users" in ADMIN_ACTIONS
    assert {"view_all", "view_dashboard", "build_report"} <= REVIEWER_ACTIONS


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS | REVIEWER_ACTIONS | {"change_password"}))
def test_can_answers_the_actions_that_are_not_about_one_sheet(action):
    allowed = {kind for kind in ACTORS if can(_actor(kind), action)}
    if action in ADMIN_ACTIONS:
        assert allowed == {"admin", "admin belonging to the lead organisation"}
    elif action in REVIEWER_ACTIONS:
        assert allowed == REVIEWERS
    else:
        assert allowed == set(ACTORS) - {"anonymous", "inactive lead coordinator"}


def test_an_unknown_action_is_a_programming_error_not_a_silent_no():
    with pytest.raises(ValueError):
        can(_actor("admin"), "delete_everything", _sheet(State.DRAFT, True))
