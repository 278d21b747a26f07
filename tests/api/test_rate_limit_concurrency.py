"""Five requests with one token at the same moment (five gunicorn workers) against a limit
of three: three are answered, two are told to wait.

The count is one UPDATE … WHERE window_requests < limit per request, so the database
serialises them on the token's row. PostgreSQL only; SQLite writes one at a time anyway.
"""
from __future__ import annotations

import pytest

from tests import dbsetup
from tests.api.conftest import token_for
from tests.threads import run_together
from webapp.api import tokens
from webapp.extensions import db
from webapp.models import ApiToken

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]


def test_five_requests_at_once_with_a_limit_of_three(app, factory):
    token_for(factory.secretariat())
    token_id = db.session.scalar(db.select(ApiToken.id))
    outcome = []

    def request(barrier):
        token = db.session.get(ApiToken, token_id)
        barrier.wait()
        wait = tokens.count_request(token, 3, 60)
        db.session.commit()
        outcome.append("answered" if wait is None else "wait")

    run_together(app, *([request] * 5))

    assert sorted(outcome) == ["answered"] * 3 + ["wait"] * 2
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).window_requests == 3
