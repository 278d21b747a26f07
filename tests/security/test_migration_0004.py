"""Migration 0004 (session tokens, second factor) on a database holding users that predate it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db


def test_existing_users_get_their_own_token_and_keep_everything_both_ways(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS, revision="0005")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (email, display_name, password_hash, role, active, system, created_at)"
            " VALUES ('a@example.jp', '甲', 'hash-a', 'admin', :t, :f, CURRENT_TIMESTAMP),"
            "        ('b@example.jp', '乙', 'hash-b', 'secretariat', :t, :f, CURRENT_TIMESTAMP)"),
            {"t": True, "f": False})

    upgrade(directory=MIGRATIONS, revision="0004")
    with db.engine.begin() as conn:
        rows = conn.execute(sa.text(
            "SELECT email, password_hash, session_token, totp_secret FROM users ORDER BY email")).all()
        assert [(r[0], r[1], r[3]) for r in rows] == [("a@example.jp", "hash-a", None),
                                                     ("b@example.jp", "hash-b", None)]
        tokens = [r[2] for r in rows]
        assert all(len(t) == 32 for t in tokens) and tokens[0] != tokens[1]
        user_id = conn.execute(sa.text("SELECT id FROM users WHERE email = 'a@example.jp'")).scalar()
        conn.execute(sa.text("INSERT INTO recovery_codes (user_id, code_hash) VALUES (:u, 'h')"),
                     {"u": user_id})

    downgrade(directory=MIGRATIONS, revision="0005")
    assert current_revision() == "0005"
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email, password_hash FROM users ORDER BY email")).all() == [
            ("a@example.jp", "hash-a"), ("b@example.jp", "hash-b")]
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM users WHERE session_token IS NULL")).scalar() == 0
