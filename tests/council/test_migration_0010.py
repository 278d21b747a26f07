"""Migration 0010 (organisation active flag, per-year KPI appendix, approved lead label)
on a database holding rows written before it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db
from webapp.sheet_content import printed_lead_label


def test_old_rows_get_the_defaults_and_keep_everything_both_ways(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    f = Factory()
    f.coordinator("大分県", email="tanto@example.jp")
    sheet = f.sheet(f.project(7, lead=("大分県",), co=("福岡県",)), f.cycle(2023), state="approved")
    sheet_id = sheet.id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0004")
    with db.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("organisations")}
    assert "active" not in columns
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO organisations (name, kind) VALUES ('九州農政局', 'national_agency')"))
        conn.execute(sa.text("INSERT INTO cycles (year, is_open, report_title, created_at)"
                             " VALUES (2024, :t, '2024年度 活動実績と評価', CURRENT_TIMESTAMP)"),
                     {"t": True})

    upgrade(directory=MIGRATIONS, revision="0010")
    assert current_revision() == "0010"
    with db.engine.connect() as conn:
        orgs = conn.execute(sa.text("SELECT name, active FROM organisations ORDER BY name")).all()
        cycles = conn.execute(sa.text("SELECT year, kpi_appendix FROM cycles ORDER BY year")).all()
        labels = conn.execute(sa.text("SELECT approved_lead_label FROM sheets")).all()
    assert [(name, bool(active)) for name, active in orgs] == [
        ("九州農政局", True), ("大分県", True), ("福岡県", True)]
    assert [(year, bool(on)) for year, on in cycles] == [(2023, False), (2024, False)]
    assert labels == [(None,)]
    migrated = Factory().sheet_of(7, 2023)
    assert migrated.id == sheet_id
    # The label alone: the whole content would read tables of later revisions (figures.alt_text).
    assert printed_lead_label(migrated) == "大分県（福岡県）"
    db.session.remove()

    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE organisations SET active = :f WHERE name = '九州農政局'"),
                     {"f": False})
        conn.execute(sa.text("UPDATE sheets SET approved_lead_label = '大分県'"))
    downgrade(directory=MIGRATIONS, revision="0004")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM organisations")).scalar() == 3
        assert conn.execute(sa.text("SELECT count(*) FROM sheets")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM cycles")).scalar() == 2
    upgrade(directory=MIGRATIONS)
