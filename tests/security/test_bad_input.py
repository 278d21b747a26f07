"""Finding 6: bad input is answered with a message, a 400 or a 404 -- never a 5xx.

One test walks every route of app.url_map as an admin and as a coordinator,
with hostile values in the path, the query string and the form; the others
pin the cases the attack found.
"""
from __future__ import annotations

import re

import pytest

from tests.factories import login
from webapp import cycles
from webapp.extensions import db
from webapp.review import comments

HOSTILE_INTS = ["9223372036854775808", "2147483648", "99999999999", "²", "５", "-1", "1e999", "0"]
HOSTILE_STRINGS = ["²", "x" * 3000, "a%0D%0Ab", "..%2F..%2Fetc%2Fpasswd"]
HOSTILE_VALUES = ["9223372036854775808", "9" * 5000, "²", "５", "-1", "1e999", "x" * 100_000,
                  "a\r\nb", "/x\r\nSet-Cookie: a=b", "\x00", ""]
QUERY_KEYS = ["year", "a", "b", "all", "inline", "next", "state", "org", "saved", "page"]
FORM_KEYS = ["email", "display_name", "role", "organisation_id", "active", "password", "remember",
             "old_password", "new_password", "confirm", "year", "deadline", "report_title",
             "comment", "expected_state", "body", "section", "parent_id", "resolved", "state",
             "org", "version", "purpose", "results_actions", "results_perspectives",
             "results_evaluation", "challenges", "target_year", "target_label", "target_text",
             "plans_actions", "plans_outlook", "roadmap_title", "roadmap_years",
             "kpis-0-name", "kpis-0-target_value", "kpis-0-series-0-year",
             "kpis-0-series-0-actual", "roadmap_rows-0-from_year", "figures-0-image_token",
             # list indices that are digits to str.isdigit() but not to int()
             "kpis-²-name", "kpis-0-series-²-year", "roadmap_rows-５-activity",
             "figures-²-caption", "kpis-99999999999999999999-name"]
OPS = ["remove-kpis-²", "remove-kpis-99999999999999999999", "add-series-²", "up-kpis-５",
       "down-series-0-²", "bogus", "add", "-", "remove-kpis-0-0-0", "add-nothing"]
ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def world(fy2023_app, fy):
    admin = fy.admin()
    coordinator = fy.coordinator("大分県")
    cycles.open_cycle(2024, None, admin)
    db.session.commit()
    sheet = fy.sheet_of(2, 2024)
    comment = comments.add_comment(fy.secretariat(), sheet, "確認してください", "challenges")
    db.session.commit()
    valid = {"sheet_id": sheet.id, "figure_id": 1, "comment_id": comment.id, "year": 2024,
             "user_id": coordinator.id, "build_id": 1, "fmt": "csv"}
    return {"admin": admin, "coordinator": coordinator, "valid": valid}


def _url(rule, values: dict) -> str:
    return ARG.sub(lambda m: str(values[m.group(2)]), rule.rule)


def _routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "bootstrap.static")]


def _valid_args(rule, valid):
    names = [m.group(2) for m in ARG.finditer(rule.rule)]
    args = {n: valid.get(n) for n in names}
    if "name" in args:
        args["name"] = "submit" if rule.endpoint == "review.step" else "x.eml"
    return args


def _requests(rule, valid):
    """(method, url, query, form) for one route: hostile path args, then hostile query and form."""
    args = _valid_args(rule, valid)
    methods = sorted(rule.methods & {"GET", "POST"})
    for name, conv in ((m.group(2), m.group(1)) for m in ARG.finditer(rule.rule)):
        bad_values = HOSTILE_INTS if conv == "int" else HOSTILE_STRINGS
        for bad in bad_values:
            for method in methods:
                yield method, _url(rule, {**args, name: bad}), {}, {}
    url = _url(rule, args)
    for value in HOSTILE_VALUES:
        query = {k: value[:3000] for k in QUERY_KEYS}
        for method in methods:
            form = {k: value for k in FORM_KEYS} if method == "POST" else {}
            yield method, url, query, form
    if "POST" in methods:
        for op in OPS:
            yield "POST", url, {}, {"op": op, "version": "1", "purpose": "目的"}


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_every_route_answers_bad_input_without_a_server_error(fy2023_app, world, role):
    user, failures = world[role], []
    # The walk posts wrong passwords and codes on purpose; it is not testing the throttle.
    fy2023_app.config.update(LOGIN_SLOW_AFTER=10**6, LOGIN_LOCK_AFTER_ACCOUNT=10**6,
                             LOGIN_LOCK_AFTER_ADDRESS=10**6)
    for rule in _routes(fy2023_app):
        client = fy2023_app.test_client()
        login(client, user)
        for method, url, query, form in _requests(rule, world["valid"]):
            try:
                response = client.open(url, method=method, query_string=query, data=form)
                status = response.status_code
            except Exception as exc:  # an exception escaping the app is a 500 too
                status = f"{type(exc).__name__}: {exc}"[:200]
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{method} {url[:120]} q={str(query)[:60]} "
                                f"f={sorted(form)[:3]}: {status}")
            if rule.endpoint == "auth.logout" or not isinstance(status, int):
                client = fy2023_app.test_client()
                login(client, user)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])


def test_an_id_past_the_database_range_is_not_found(fy_client, fy, fy2023_app):
    login(fy_client, fy.secretariat())
    for url in ("/sheets/9223372036854775808", "/sheets/2147483648", "/sheets/５",
                "/sheets/²", "/admin/users/99999999999999999999", "/reports/99999999999/kpis.xlsx"):
        assert fy_client.get(url).status_code == 404, url


def test_autosave_with_a_huge_version_is_a_message(fy2023_app, world):
    client = fy2023_app.test_client()
    login(client, world["coordinator"])
    sheet_id = world["valid"]["sheet_id"]
    response = client.post(f"/sheets/{sheet_id}/autosave",
                           data={"version": "9" * 30, "purpose": "目的"})
    assert response.status_code in (400, 409, 422)
    assert response.get_json()["ok"] is False
    assert response.get_json()["message"]


def test_a_reply_to_a_non_ascii_parent_id_is_a_message(fy2023_app, fy, world):
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    sheet_id = world["valid"]["sheet_id"]
    for parent in ("²", "５", "9223372036854775808"):
        response = client.post(f"/sheets/{sheet_id}/comments",
                               data={"body": "返信", "section": "challenges", "parent_id": parent})
        assert response.status_code == 400, parent
        assert "リクエストが正しくありません" in response.get_data(as_text=True)


@pytest.mark.parametrize("op", ["remove-kpis-²", "bogus", "remove-kpis-99999999999999999999"])
def test_an_unknown_structural_operation_is_a_400(fy2023_app, world, op):
    client = fy2023_app.test_client()
    login(client, world["coordinator"])
    response = client.post(f"/sheets/{world['valid']['sheet_id']}/edit",
                           data={"op": op, "version": "1", "purpose": "目的"})
    assert response.status_code == 400


def test_a_list_field_with_a_non_ascii_index_is_ignored(fy2023_app, world):
    client = fy2023_app.test_client()
    login(client, world["coordinator"])
    response = client.post(f"/sheets/{world['valid']['sheet_id']}/autosave",
                           data={"version": "1", "kpis-²-name": "植えられたKPI"})
    assert response.status_code < 500
    assert "植えられたKPI" not in response.get_data(as_text=True)


def test_a_next_with_cr_lf_after_log_in_goes_home(fy_client, fy):
    user = fy.secretariat()
    response = fy_client.post("/login?next=/x%0d%0aSet-Cookie:%20a=b",
                              data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "a=b" not in response.headers.getlist("Set-Cookie")
