"""One person asks for five expensive jobs at the same moment (five tabs, or five gunicorn
workers): three get a place, two are told how many are under way.

Each request is a thread with its own database session, held at a barrier and let
go together. PostgreSQL only: there the person's users row is locked while counting,
which makes the requests count one after the other; SQLite writes one at a time anyway.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import dbsetup
from tests.review.test_concurrency import run_together
from webapp import expensive
from webapp.extensions import db
from webapp.models import ExpensiveJob, User

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]


def test_five_expensive_requests_at_once_give_three_places(app, factory):
    user_id = factory.coordinator("大分県").id
    db.session.commit()
    outcome = []

    def request(subject):
        def job(barrier):
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                expensive.take(user, expensive.PREVIEW, subject)
                db.session.commit()
                outcome.append("placed")
            except expensive.TooBusy as exc:
                db.session.rollback()
                outcome.append(str(exc))
        return job

    run_together(app, *(request(n) for n in range(1, 6)))

    assert sorted(outcome) == ["placed"] * 3 + [
        "処理中の作業が 3 件あります。終わってからもう一度お試しください。"] * 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExpensiveJob)) == 3
