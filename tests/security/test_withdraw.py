"""Finding 10: withdrawal is possible only before the secretariat starts reviewing, as the screen says.

"Started" is recorded in the database: a secretariat member's or admin's
comment on the sheet since its latest submission.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import login
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import Comment, Sheet, Transition
from webapp.permissions import can
from webapp.timeutil import utcnow

RULE = "提出の取消しは、事務局が確認を始める（この提出にコメントを付ける）までできます。"
REFUSED = ("事務局がこの提出の確認を始めた（コメントを付けた）ため、提出を取り消せません。"
           "直す必要があるときは、事務局に差戻しを依頼してください。")


@pytest.fixture
def submitted(factory):
    f = factory
    lead = f.coordinator("大分県")
    sheet = f.sheet(f.project(2, lead=("大分県",)), f.cycle(2024), state="submitted")
    sheet.transitions.append(Transition(action="submit", from_state="draft", to_state="submitted",
                                        actor=lead, at=utcnow() - dt.timedelta(minutes=5)))
    db.session.commit()
    return f, lead, sheet


def _comment(sheet, author, minutes_ago=0):
    db.session.add(Comment(sheet_id=sheet.id, author_id=author.id, body="確認しています",
                           created_at=utcnow() - dt.timedelta(minutes=minutes_ago)))
    db.session.commit()


def test_before_review_the_screen_states_the_rule_and_withdrawal_works(client, submitted):
    f, lead, sheet = submitted
    login(client, lead)
    assert RULE in Page(client.get(f"/sheets/{sheet.id}")).text
    page = client.get(f"/sheets/{sheet.id}/steps/withdraw")
    assert page.status_code == 200
    assert RULE in Page(page).text
    response = client.post(f"/sheets/{sheet.id}/steps/withdraw", data={"expected_state": "submitted"})
    assert response.status_code == 302
    assert db.session.get(Sheet, sheet.id).state == "draft"


def test_a_reviewers_comment_since_the_submission_ends_withdrawal(client, submitted):
    f, lead, sheet = submitted
    _comment(sheet, f.secretariat())
    assert not can(lead, "withdraw", sheet)
    login(client, lead)
    assert "steps/withdraw" not in client.get(f"/sheets/{sheet.id}").get_data(as_text=True)
    page = client.get(f"/sheets/{sheet.id}/steps/withdraw")
    assert page.status_code == 409
    assert REFUSED in Page(page).text
    response = client.post(f"/sheets/{sheet.id}/steps/withdraw", data={"expected_state": "submitted"})
    assert response.status_code == 409
    assert REFUSED in Page(response).text
    db.session.expire_all()
    assert db.session.get(Sheet, sheet.id).state == "submitted"


def test_an_admins_comment_counts_too(submitted):
    f, lead, sheet = submitted
    _comment(sheet, f.admin())
    assert not can(lead, "withdraw", sheet)


def test_the_coordinators_own_comment_or_an_older_review_does_not_count(submitted):
    f, lead, sheet = submitted
    _comment(sheet, lead)
    _comment(sheet, f.secretariat(), minutes_ago=60)   # on an earlier submission
    assert can(lead, "withdraw", sheet)
