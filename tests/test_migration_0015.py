"""Migration 0015: sheets opened as drafts and never touched become 未着手, with real rows.

A database from before the change holds FY2024 opened the old way: ② carried
forward and never saved (a draft whose only step is the opening), ⑦ carried
forward and saved once by 大分県, ⑱ carried forward, saved and submitted. After
the upgrade only ② is 未着手, as if opened today; the downgrade puts it back.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests import test_migrations
from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision
from webapp.extensions import db

scratch_app = test_migrations.scratch_app  # the fixture: a database of its own


def _step(conn, sheet_id: int, action: str, from_state: str, to_state: str) -> None:
    conn.execute(sa.text(
        "INSERT INTO transitions (sheet_id, action, from_state, to_state, at, comment)"
        " VALUES (:s, :a, :f, :t, CURRENT_TIMESTAMP, '')"),
        {"s": sheet_id, "a": action, "f": from_state, "t": to_state})


def _states(conn) -> dict[int, tuple]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(sa.text(
        "SELECT p.number, s.state, s.updated_by_id,"
        " (SELECT t.to_state FROM transitions t WHERE t.sheet_id = s.id AND t.action = 'open')"
        " FROM sheets s JOIN projects p ON p.id = s.project_id"))}


def test_only_sheets_nobody_touched_since_the_opening_become_not_started(scratch_app):
    upgrade(directory=MIGRATIONS, revision="0011")
    f = Factory()
    opener = f.secretariat()
    cycle = f.cycle(2024)
    ids = {n: f.sheet(f.project(n, lead=("大分県",)), cycle, state=state).id
           for n, state in ((2, "draft"), (7, "draft"), (18, "submitted"))}
    opener_id = opener.id
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE sheets SET updated_by_id = :u"), {"u": opener_id})
        conn.execute(sa.text("UPDATE sheets SET version = 2 WHERE id IN (:a, :b)"),
                     {"a": ids[7], "b": ids[18]})
        for n in (2, 7, 18):
            _step(conn, ids[n], "open", "not_started", "draft")
        _step(conn, ids[18], "submit", "draft", "submitted")

    upgrade(directory=MIGRATIONS, revision="0015")
    assert current_revision() == "0015"
    with db.engine.connect() as conn:
        assert _states(conn) == {2: ("not_started", None, "not_started"),
                                 7: ("draft", opener_id, "draft"),
                                 18: ("submitted", opener_id, "draft")}

    downgrade(directory=MIGRATIONS, revision="0011")
    with db.engine.connect() as conn:
        assert _states(conn) == {2: ("draft", None, "draft"),
                                 7: ("draft", opener_id, "draft"),
                                 18: ("submitted", opener_id, "draft")}
