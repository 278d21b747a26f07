"""Migration 0020 (api_tokens, and their audit actions), with real rows.

Users and their audit trail from before stay as they were; a token issued after the
upgrade is audited; the downgrade refuses while such audit rows exist (the trail is a
record), and goes back once they are gone, leaving the users' rows alone.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests import test_migrations
from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision
from webapp.extensions import db

scratch_app = test_migrations.scratch_app  # the fixture: a database of its own


def _audit(conn, actor_id: int, action: str) -> None:
    conn.execute(sa.text("INSERT INTO audit_events (at, actor_id, action, object_type, object_id,"
                         " summary, changes) VALUES (CURRENT_TIMESTAMP, :a, :act, 'user', :a, '', '{}')"),
                 {"a": actor_id, "act": action})


def test_tokens_arrive_and_leave_without_touching_users_or_their_trail(scratch_app):
    upgrade(directory=MIGRATIONS, revision="0018")
    user_id = Factory().secretariat(email="jimu@example.jp").id
    db.session.remove()
    with db.engine.begin() as conn:
        _audit(conn, user_id, "user_reauth")

    upgrade(directory=MIGRATIONS, revision="0020")
    assert current_revision() == "0020"
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO api_tokens (user_id, name, token_sha256, created_at,"
                             " window_requests) VALUES (:u, '集計用', :h, CURRENT_TIMESTAMP, 0)"),
                     {"u": user_id, "h": "ab" * 32})
        _audit(conn, user_id, "api_token_create")
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                conn.execute(sa.text("INSERT INTO api_tokens (user_id, name, token_sha256, created_at,"
                                     " window_requests) VALUES (:u, 'copy', :h, CURRENT_TIMESTAMP, 0)"),
                             {"u": user_id, "h": "ab" * 32})

    with pytest.raises(SystemExit):           # flask db downgrade exits non-zero, saying why
        downgrade(directory=MIGRATIONS, revision="0018")
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE action = 'api_token_create'"))
    downgrade(directory=MIGRATIONS, revision="0018")
    assert current_revision() == "0018"
    assert "api_tokens" not in test_migrations.table_names()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM users")).scalars().all() == ["jimu@example.jp"]
        assert conn.execute(sa.text("SELECT action FROM audit_events")).scalars().all() == ["user_reauth"]
