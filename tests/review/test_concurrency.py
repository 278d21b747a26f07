"""Two reviewers act on ② at the same moment: exactly one wins, the other is told and keeps their text.

Each reviewer is a thread with its own database session (connection), held
at a barrier until both have read the sheet as 提出済, then let go
together. Runs on PostgreSQL, where the compare-and-set UPDATE makes the
second writer wait for the first and then find the state changed; SQLite
has no concurrent writers to speak of, so it is skipped there.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from tests import dbsetup
from tests.factories import login
from tests.htmlpage import Page
from tests.review.conftest import eml_messages, transitions_of
from webapp.extensions import db
from webapp.models import ReminderSent, Sheet, User
from webapp.operations import StaleStateError
from webapp.review import actions
from webapp.review.reminders import send_reminders

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]


def run_together(app, *jobs):
    """Run each job(barrier) in its own thread and app context; re-raise the first error."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    errors = []

    def runner(job):
        with app.app_context():
            try:
                job(barrier)
            except BaseException as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a reviewer is stuck"
    if errors:
        raise errors[0]


def test_approve_and_return_at_once_only_one_step_is_taken(app, world):
    sheet_id = world.sheet_in("submitted").id
    people = {role: world.person(role).id for role in ("secretariat", "admin")}
    outcome = {}

    def reviewer(role, name, comment):
        def job(barrier):
            user = db.session.get(User, people[role])
            sheet = db.session.get(Sheet, sheet_id)
            assert sheet.state == "submitted"
            barrier.wait()                      # both have seen 提出済
            try:
                actions.perform(user, sheet, name, comment, expected_state="submitted")
                db.session.commit()             # the caller commits (operations only flush)
                outcome[name] = "done"
            except StaleStateError as exc:
                outcome[name] = str(exc)
        return job

    run_together(app, reviewer("secretariat", "approve", "問題ありません"),
                 reviewer("admin", "return", "課題欄を見直してください"))

    db.session.expire_all()
    final = db.session.get(Sheet, sheet_id)
    winners = [name for name, result in outcome.items() if result == "done"]
    assert len(winners) == 1, outcome
    [loser] = [name for name in outcome if name not in winners]
    assert "他の方の操作により既に" in outcome[loser]
    assert final.state == {"approve": "approved", "return": "returned"}[winners[0]]
    assert [t.action for t in transitions_of(sheet_id)] == winners
    assert len(eml_messages(app)) == 1              # only the step that happened is announced


def test_two_browsers_at_once_the_loser_sees_why_and_keeps_the_comment(app, world):
    sheet_id = world.sheet_in("submitted").id
    clients = {}
    for role in ("secretariat", "admin"):
        clients[role] = app.test_client()
        login(clients[role], world.person(role))
    responses = {}
    typed = {"secretariat": ("approve", "承認します。KPIの表記も確認済み。"),
             "admin": ("return", "課題欄に具体的な数値を入れてください。")}

    def browser(role):
        def job(barrier):
            name, comment = typed[role]
            barrier.wait()
            responses[role] = clients[role].post(f"/sheets/{sheet_id}/steps/{name}",
                                                 data={"comment": comment, "expected_state": "submitted"})
        return job

    run_together(app, browser("secretariat"), browser("admin"))
    codes = sorted(r.status_code for r in responses.values())
    assert codes == [302, 409]
    [loser] = [role for role, r in responses.items() if r.status_code == 409]
    page = Page(responses[loser])
    assert "他の方の操作により既に" in page.text
    assert page.by_id("kept-comment").text == typed[loser][1]
    assert len(transitions_of(sheet_id)) == 1


def test_reminder_runs_started_together_send_each_reminder_once(app, world):
    world.cycle.deadline = dt.date(2025, 5, 30)
    db.session.commit()
    reports = []

    def cron_run(barrier):
        barrier.wait()
        reports.append(send_reminders(dt.date(2025, 5, 23)))

    run_together(app, cron_run, cron_run, cron_run)
    assert sum(len(r.sent) for r in reports) == 1
    assert len(eml_messages(app)) == 1
    assert db.session.query(ReminderSent).count() == 1
