"""Migration 0002 (review invariants) on a database holding rows that predate it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db


def test_old_rows_are_brought_in_line_and_kept_both_ways(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    f = Factory()
    author = f.secretariat(email="jimu@example.jp")
    sheet = f.sheet(f.project(2, lead=("大分県",)), f.cycle(2023), state="returned")
    ids = {"sheet": sheet.id, "author": author.id}
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0001")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO comments (sheet_id, section, author_id, body, resolved, created_at, resolved_at)"
            " VALUES (:s, 'challenges', :a, '解決済みの古いコメント', :t, CURRENT_TIMESTAMP, NULL),"
            "        (:s, NULL, :a, '未解決なのに日時あり', :f, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"s": ids["sheet"], "a": ids["author"], "t": True, "f": False})
        conn.execute(sa.text(
            "INSERT INTO transitions (sheet_id, action, from_state, to_state, actor_id, at, comment)"
            " VALUES (:s, 'return', 'submitted', 'returned', :a, CURRENT_TIMESTAMP, '')"),
            {"s": ids["sheet"], "a": ids["author"]})

    upgrade(directory=MIGRATIONS, revision="0002")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT body, resolved, resolved_at IS NOT NULL, resolved_by_id FROM comments ORDER BY id")).all()
        assert [(r[0], bool(r[1]), bool(r[2]), r[3]) for r in rows] == [
            ("解決済みの古いコメント", True, True, ids["author"]),   # credited to its author
            ("未解決なのに日時あり", False, False, None)]
        assert conn.execute(sa.text("SELECT comment FROM transitions")).scalar() == "（理由の記録なし）"

    downgrade(directory=MIGRATIONS, revision="0001")
    assert current_revision() == "0001"
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM comments")).scalar() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM transitions")).scalar() == 1
    upgrade(directory=MIGRATIONS)
