"""Migration 0012 (the audit action for new recovery codes) on a database holding audit rows."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from tests import test_migrations
from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision
from webapp import audit
from webapp.extensions import db

scratch_app = test_migrations.scratch_app  # the fixture: a database of its own


def _insert(conn, action: str) -> None:
    conn.execute(sa.text("INSERT INTO audit_events (at, action, object_type, object_id, summary, changes)"
                         " VALUES (CURRENT_TIMESTAMP, :a, 'user', 1, '記録', '{}')"), {"a": action})


def test_the_new_action_is_refused_before_and_kept_after_the_upgrade(scratch_app):
    upgrade(directory=MIGRATIONS, revision="0011")
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        _insert(conn, "user_2fa_recovery_codes")
    with db.engine.begin() as conn:
        _insert(conn, "user_2fa_enable")

    upgrade(directory=MIGRATIONS, revision="0012")
    assert current_revision() == "0012"
    user = Factory().admin()
    audit.record(user, "user_2fa_recovery_codes", "user", user.id, "回復コードを再発行")
    db.session.commit()
    with db.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_events ORDER BY id")).scalars().all()
    assert actions == ["user_2fa_enable", "user_2fa_recovery_codes"]


def test_the_downgrade_refuses_while_such_rows_exist_and_goes_back_without_them(scratch_app, capfd):
    upgrade(directory=MIGRATIONS, revision="0012")
    with db.engine.begin() as conn:
        _insert(conn, "user_2fa_recovery_codes")
        _insert(conn, "user_password")
    db.session.remove()
    with pytest.raises(SystemExit):           # flask db downgrade exits non-zero, saying why
        downgrade(directory=MIGRATIONS, revision="0011")
    assert ("audit_events holds 1 row(s) of user_2fa_recovery_codes, which revision 0011 cannot hold"
            in capfd.readouterr().err)
    assert current_revision() == "0012"
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE action = 'user_2fa_recovery_codes'"))
    downgrade(directory=MIGRATIONS, revision="0011")
    assert current_revision() == "0011"
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT action FROM audit_events")).scalars().all() == ["user_password"]
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        _insert(conn, "user_2fa_recovery_codes")
