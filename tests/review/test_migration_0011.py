"""Migration 0011 (the sections flagged on a return) on a database holding transitions."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests import test_migrations
from tests.test_migrations import MIGRATIONS, current_revision
from webapp.extensions import db
from webapp.models import Transition

scratch_app = test_migrations.scratch_app  # the fixture: a database of its own


def _insert_transition(conn, sheet_id: int, action: str, comment: str) -> None:
    conn.execute(sa.text(
        "INSERT INTO transitions (sheet_id, action, from_state, to_state, at, comment)"
        " VALUES (:s, :a, 'submitted', 'returned', CURRENT_TIMESTAMP, :c)"),
        {"s": sheet_id, "a": action, "c": comment})


def test_old_returns_keep_no_flags_and_flags_go_away_on_downgrade(scratch_app):
    upgrade(directory=MIGRATIONS)
    f = Factory()
    sheet = f.sheet(f.project(2, lead=("大分県",)), f.cycle(2024), state="returned")
    sheet_id = sheet.id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0010")
    with db.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("transitions")}
    assert "sections" not in columns
    with db.engine.begin() as conn:
        _insert_transition(conn, sheet_id, "return", "課題欄の記載が不足しています。")

    upgrade(directory=MIGRATIONS, revision="0011")
    assert current_revision() == "0011"
    [old] = db.session.scalars(sa.select(Transition)).all()
    assert (old.comment, old.sections) == ("課題欄の記載が不足しています。", None)
    old.sections = ["challenges"]
    db.session.commit()
    db.session.remove()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM transitions")).scalar() == 1

    downgrade(directory=MIGRATIONS, revision="0010")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, comment FROM transitions")).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("transitions")}
    assert [tuple(r) for r in rows] == [("return", "課題欄の記載が不足しています。")]
    assert "sections" not in columns
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sections FROM transitions")).scalar() is None
