"""Two reviewers act on ② at the same moment: exactly one wins, the other is told and keeps their text;
a submission racing an autosave is of the content it checked, or does not happen.

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
from sqlalchemy import select

from tests import dbsetup
from tests.editing.conftest import sheet_fields
from tests.factories import login
from tests.htmlpage import Page
from tests.review.conftest import eml_messages, transitions_of
from tests.review.test_submit_version import OVERFLOWING, SAVED_SINCE
from tests.threads import run_together
from webapp.editing import fit
from webapp.extensions import db
from webapp.models import ReminderSent, Sheet, SheetVersion, User
from webapp.operations import StaleStateError
from webapp.review import actions
from webapp.review.reminders import send_reminders
from webapp.sheet_content import comparable, sheet_to_dict, texts_of

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]


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


# --- a submission racing an autosave ------------------------------------------------------

CHECKED_TEXT = "・地熱発電の事業化に向けた勉強会を開催"
TRIALS = 10


def lead_clients(app, world, n=2):
    """The lead coordinator in n browser tabs' worth of sessions (confirmation page, editor)."""
    clients = [app.test_client() for _ in range(n)]
    for c in clients:
        login(c, world.person("lead"))
    return clients


def submit_job(client, sheet_id, version, responses):
    def job(barrier):
        barrier.wait()
        responses["submit"] = client.post(f"/sheets/{sheet_id}/steps/submit",
                                          data={"expected_state": "draft", "expected_version": str(version)})
    return job


def last_snapshot(sheet_id):
    db.session.expire_all()
    return db.session.scalars(select(SheetVersion).where(SheetVersion.sheet_id == sheet_id)
                              .order_by(SheetVersion.number.desc())).first()


def test_an_autosave_landing_while_the_submission_is_checked_is_never_submitted(app, world, monkeypatch):
    sheet = world.sheet_in("draft", results_actions=CHECKED_TEXT)
    sheet_id, version = sheet.id, sheet.version
    fields = {**sheet_fields(sheet), **OVERFLOWING}
    confirming, editing = lead_clients(app, world)
    checking, saved = threading.Event(), threading.Event()
    real_check, checked, responses = fit.check, [], {}

    def check_while_the_editor_autosaves(being_checked):
        checked.append(being_checked.text("results_actions"))
        checking.set()
        assert saved.wait(30), "the autosave never finished"
        return real_check(being_checked)

    def autosave(barrier):
        barrier.wait()
        assert checking.wait(30), "the submission never reached its checks"
        try:
            responses["autosave"] = editing.post(f"/sheets/{sheet_id}/autosave", data=fields)
        finally:
            saved.set()

    monkeypatch.setattr(fit, "check", check_while_the_editor_autosaves)
    run_together(app, submit_job(confirming, sheet_id, version, responses), autosave)

    # The submission checked the text it was confirmed for; refused, the page checked the new one.
    assert checked == [CHECKED_TEXT, OVERFLOWING["results_actions"]]
    assert responses["autosave"].status_code == 200 and responses["autosave"].json["ok"] is True
    assert responses["submit"].status_code == 409
    assert SAVED_SINCE in Page(responses["submit"]).text
    db.session.expire_all()
    final = db.session.get(Sheet, sheet_id)
    assert (final.state, final.texts["results_actions"]) == ("draft", OVERFLOWING["results_actions"])
    assert transitions_of(sheet_id) == [] and last_snapshot(sheet_id) is None


def test_submit_and_autosave_started_together_never_both_go_through(app, world, monkeypatch):
    """TRIALS rounds of a submission and an autosave of overflowing text, let go at once."""
    sheet_id = world.sheet.id
    confirming, editing = lead_clients(app, world)
    real_check, checked = fit.check, []

    def recording_check(being_checked):
        checked.append(comparable(sheet_to_dict(being_checked)))
        return real_check(being_checked)

    monkeypatch.setattr(fit, "check", recording_check)
    outcomes = []
    for _ in range(TRIALS):
        sheet = world.sheet_in("draft", results_actions=CHECKED_TEXT, results_evaluation="・評価",
                               challenges="・課題")
        fields = {**sheet_fields(sheet), **OVERFLOWING}
        checked.clear()
        responses = {}

        def autosave(barrier):
            barrier.wait()
            responses["autosave"] = editing.post(f"/sheets/{sheet_id}/autosave", data=fields)

        run_together(app, submit_job(confirming, sheet_id, sheet.version, responses), autosave)
        submitted = responses["submit"].status_code == 302
        autosaved = responses["autosave"].status_code == 200 and responses["autosave"].json["ok"]
        outcomes.append((submitted, autosaved))
        assert submitted != autosaved, outcomes          # exactly one of the two went through
        db.session.expire_all()
        final = db.session.get(Sheet, sheet_id)
        if submitted:
            snapshot = last_snapshot(sheet_id)
            assert comparable(snapshot.content) == checked[-1]
            assert texts_of(snapshot.content)["results_actions"] == CHECKED_TEXT
            assert (final.state, final.texts["results_actions"]) == ("submitted", CHECKED_TEXT)
        else:
            assert final.state == "draft"
    print(f"submission won {sum(s for s, _ in outcomes)} of {TRIALS}, autosave the rest")
