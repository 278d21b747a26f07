"""Every workflow step × every role × every state, generated from workflow.TRANSITIONS.

The expected answer is read off the table's own columns (who, from which
states, lead organisation only, open cycle only): if someone changes the
table, these cases change with it, and the views and operations must follow.
"""
from __future__ import annotations

import itertools

import pytest

from tests.review.conftest import ROLES, USER_ROLE, log_in_as, transitions_of
from webapp.extensions import db
from webapp.models import Sheet, SheetVersion
from webapp.operations import WorkflowError, transition
from webapp.permissions import can
from webapp.review.actions import REVIEW_STEPS
from webapp.workflow import TRANSITIONS, State

STATES = [s.value for s in State]


def allowed_by_table(name: str, role: str, state: str, cycle_open: bool = True) -> bool:
    t = TRANSITIONS[name]
    if role == "anonymous" or USER_ROLE[role] not in t.roles:
        return False
    if t.lead_only and role != "lead":
        return False
    if State(state) not in t.sources:
        return False
    return cycle_open or not t.needs_open_cycle


def refusal_status(name: str, role: str, state: str) -> int:
    """What the browser gets back when the table says no."""
    t = TRANSITIONS[name]
    if role == "anonymous":
        return 302                      # to the log-in page
    if role == "other":
        return 404                      # another organisation's sheet does not exist for them
    if USER_ROLE[role] not in t.roles or (t.lead_only and role != "lead"):
        return 403                      # never theirs to do
    return 409                          # theirs, but not in this state


CASES = list(itertools.product(TRANSITIONS, ROLES, STATES))
WEB_CASES = [c for c in CASES if c[0] in REVIEW_STEPS]


def test_the_table_has_every_step_of_the_issue():
    assert set(TRANSITIONS) == {"edit", "submit", "withdraw", "return", "approve", "reopen"}
    assert TRANSITIONS["return"].comment_required and TRANSITIONS["reopen"].comment_required
    assert TRANSITIONS["reopen"].roles == frozenset({"admin"})
    assert all(TRANSITIONS[n].confirm for n in ("approve", "return", "reopen"))


@pytest.mark.parametrize("name,role,state", CASES, ids=["-".join(c) for c in CASES])
def test_operation_follows_the_table(world, name, role, state):
    from flask_login import AnonymousUserMixin
    sheet = world.sheet_in(state)
    user = world.person(role) if role != "anonymous" else AnonymousUserMixin()
    expected = allowed_by_table(name, role, state)
    assert can(user, name, sheet) is expected
    if not expected:
        with pytest.raises(WorkflowError):
            transition(user, sheet, name, comment="理由")
        db.session.rollback()
        assert db.session.get(Sheet, sheet.id).state == state
        assert transitions_of(sheet.id) == []
        return
    record = transition(user, sheet, name, comment="理由")
    db.session.commit()
    assert db.session.get(Sheet, sheet.id).state == TRANSITIONS[name].target.value
    assert (record.action, record.from_state, record.to_state, record.actor_id, record.comment) == (
        name, state, TRANSITIONS[name].target.value, user.id, "理由")


@pytest.mark.parametrize("name,role,state", WEB_CASES, ids=["-".join(c) for c in WEB_CASES])
def test_confirmed_step_in_the_browser_follows_the_table(world, client, name, role, state):
    sheet = world.sheet_in(state)
    log_in_as(client, world, role)
    response = client.post(f"/sheets/{sheet.id}/steps/{name}",
                           data={"comment": "確認しました", "expected_state": state})
    db.session.expire_all()
    after = db.session.get(Sheet, sheet.id)
    if allowed_by_table(name, role, state):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/sheets/{sheet.id}")
        target = TRANSITIONS[name].target.value
        assert after.state == target
        [record] = transitions_of(sheet.id)
        assert (record.action, record.from_state, record.to_state, record.actor_id, record.comment) == (
            name, state, target, world.person(role).id, "確認しました")
        versions = db.session.query(SheetVersion).filter_by(sheet_id=sheet.id).count()
        assert versions == (1 if name in ("submit", "approve") else 0)
    else:
        assert response.status_code == refusal_status(name, role, state)
        assert after.state == state
        assert transitions_of(sheet.id) == []


@pytest.mark.parametrize("name", ["submit", "withdraw"])
def test_a_closed_cycle_refuses_the_coordinators_steps_with_a_message(world, client, name):
    state = next(iter(TRANSITIONS[name].sources)).value
    sheet = world.sheet_in(state)
    world.cycle.is_open = False
    db.session.commit()
    assert not allowed_by_table(name, "lead", state, cycle_open=False)
    log_in_as(client, world, "lead")
    response = client.post(f"/sheets/{sheet.id}/steps/{name}",
                           data={"comment": "", "expected_state": state})
    assert response.status_code == 409
    assert "2024年度の受付は締め切られているため" in response.get_data(as_text=True)
    assert db.session.get(Sheet, sheet.id).state == state


def test_the_secretariat_may_still_approve_after_the_cycle_closed(world, client):
    sheet = world.sheet_in("submitted")
    world.cycle.is_open = False
    db.session.commit()
    log_in_as(client, world, "secretariat")
    response = client.post(f"/sheets/{sheet.id}/steps/approve", data={"expected_state": "submitted"})
    assert response.status_code == 302
    assert db.session.get(Sheet, sheet.id).state == "approved"
