"""Migration 0018: years get a sheet template column, with real rows.

A database from before holds FY2023 (approved) and FY2024 (a draft). After the
upgrade both years have no template of their own (NULL: the built-in one) and
their sheets are untouched; a year's own template and its audit record stop
the downgrade rather than be dropped; without them it steps down cleanly.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests import test_migrations
from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision
from webapp.extensions import db

scratch_app = test_migrations.scratch_app  # the fixture: a database of its own


def _years(conn) -> dict[int, object]:
    return {row[0]: row[1] for row in conn.execute(sa.text(
        "SELECT year, sheet_template FROM cycles ORDER BY year"))}


def test_years_keep_the_built_in_template_and_their_own_stops_the_downgrade(scratch_app, capfd):
    upgrade(directory=MIGRATIONS, revision="0017")
    f = Factory()
    project = f.project(7, lead=("大分県",))
    f.sheet(project, f.cycle(2023, is_open=False), state="approved", purpose="二〇二三年の目的")
    f.sheet(project, f.cycle(2024), state="draft", purpose="二〇二四年の目的")
    db.session.remove()

    upgrade(directory=MIGRATIONS, revision="0018")
    assert current_revision() == "0018"
    with db.engine.begin() as conn:
        assert _years(conn) == {2023: None, 2024: None}
        texts = [json.loads(t) if isinstance(t, str) else t for (t,) in conn.execute(sa.text(
            "SELECT s.texts FROM sheets s JOIN cycles c ON c.id = s.cycle_id ORDER BY c.year"))]
        assert [t["purpose"] for t in texts] == ["二〇二三年の目的", "二〇二四年の目的"]
        conn.execute(sa.text("UPDATE cycles SET sheet_template = :t WHERE year = 2024"),
                     {"t": json.dumps({"version": 2})})
        conn.execute(sa.text(
            "INSERT INTO audit_events (action, object_type, object_id, summary, changes, at)"
            " VALUES ('template_change', 'cycle', 2024, '様式の変更', '{}', CURRENT_TIMESTAMP)"))

    with pytest.raises(SystemExit):           # flask db downgrade exits non-zero, saying why
        downgrade(directory=MIGRATIONS, revision="0017")
    assert ("1 year(s) hold a sheet template of their own and audit_events holds 1 row(s) of "
            "template_change, which revision 0017 cannot hold" in capfd.readouterr().err)
    assert current_revision() == "0018"

    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE cycles SET sheet_template = NULL"))
        conn.execute(sa.text("DELETE FROM audit_events WHERE action = 'template_change'"))
    downgrade(directory=MIGRATIONS, revision="0017")
    assert current_revision() == "0017"
    with db.engine.connect() as conn:
        assert "sheet_template" not in {c["name"] for c in sa.inspect(conn).get_columns("cycles")}
        assert [row[0] for row in conn.execute(sa.text("SELECT year FROM cycles ORDER BY year"))] \
            == [2023, 2024]
