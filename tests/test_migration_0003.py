"""Migration 0003 (audit events) on a database that already holds a sheet's history."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db


def test_every_recorded_step_becomes_an_audit_row_and_survives_both_ways(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    f = Factory()
    lead = f.coordinator("大分県", email="tanto@example.jp")
    jimu = f.secretariat(email="jimu@example.jp")
    sheet = f.sheet(f.project(2, "地熱プロジェクト", lead=("大分県",)), f.cycle(2024), state="returned")
    ids = {"sheet": sheet.id, "lead": lead.id, "jimu": jimu.id}
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0002")
    with db.engine.begin() as conn:
        for action, from_state, to_state, actor, at, comment, version in (
                ("open", "not_started", "draft", None, "2024-04-01 00:00:00", "2023年度の承認済み個票から引継ぎ", None),
                ("submit", "draft", "submitted", ids["lead"], "2024-05-10 01:00:00", "", 1),
                ("return", "submitted", "returned", ids["jimu"], "2024-05-12 02:30:00", "課題欄を具体的に", None)):
            conn.execute(sa.text(
                "INSERT INTO transitions (sheet_id, action, from_state, to_state, actor_id, at, comment,"
                " version_number) VALUES (:s, :action, :f, :t, :actor, :at, :comment, :v)"),
                {"s": ids["sheet"], "action": action, "f": from_state, "t": to_state, "actor": actor,
                 "at": at, "comment": comment, "v": version})

    upgrade(directory=MIGRATIONS, revision="0003")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT actor_id, action, object_type, object_id, summary, changes FROM audit_events"
            " ORDER BY id")).all()
    got = [(r[0], r[1], r[2], r[3], r[4], r[5] if isinstance(r[5], dict) else json.loads(r[5]))
           for r in rows]
    assert got == [
        (None, "open", "sheet", ids["sheet"], "2024年度 2番「地熱プロジェクト」：年度開始（引継ぎ）",
         {"state": ["not_started", "draft"]}),
        (ids["lead"], "submit", "sheet", ids["sheet"], "2024年度 2番「地熱プロジェクト」：提出（第1版）",
         {"state": ["draft", "submitted"]}),
        (ids["jimu"], "return", "sheet", ids["sheet"],
         "2024年度 2番「地熱プロジェクト」：差戻し　理由：課題欄を具体的に",
         {"state": ["submitted", "returned"]}),
    ]
    def times(table: str) -> list:
        t = sa.table(table, sa.column("id", sa.Integer()), sa.column("at", sa.DateTime(timezone=True)))
        with db.engine.connect() as conn:
            return conn.execute(sa.select(t.c.at).order_by(t.c.id)).scalars().all()
    assert times("audit_events") == times("transitions")  # each row keeps its step's time
    assert [t.strftime("%Y-%m-%d %H:%M") for t in times("audit_events")] == [
        "2024-04-01 00:00", "2024-05-10 01:00", "2024-05-12 02:30"]

    # From now on the transitions table holds only known steps.
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO transitions (sheet_id, action, from_state, to_state, at, comment)"
                " VALUES (:s, 'teleport', 'draft', 'approved', CURRENT_TIMESTAMP, '')"),
                {"s": ids["sheet"]})

    downgrade(directory=MIGRATIONS, revision="0002")
    assert current_revision() == "0002"
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM transitions")).scalar() == 3
    assert "audit_events" not in sa.inspect(db.engine).get_table_names()
    upgrade(directory=MIGRATIONS)
