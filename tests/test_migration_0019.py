"""Migration 0019 (extra fields of KPIs, points, roadmap rows and figures; figure kinds no
longer a CHECK) on a database holding a sheet with a KPI, a year of it, a roadmap row and a
figure written before it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db
from webapp.sheet_content import sheet_to_dict

TABLES = ("kpis", "kpi_values", "roadmap_rows", "figures")


def _columns(conn, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _fill(conn, sheet_id: int) -> None:
    conn.execute(sa.text(
        "INSERT INTO kpis (sheet_id, position, name, unit, cumulative, target_year, target_value, note)"
        " VALUES (:s, 0, '地熱活用プロジェクト件数', '件', :f, 2030, 500, '')"), {"s": sheet_id, "f": False})
    kpi_id = conn.execute(sa.text("SELECT id FROM kpis")).scalar()
    conn.execute(sa.text("INSERT INTO kpi_values (kpi_id, position, year, target, actual)"
                         " VALUES (:k, 0, 2023, NULL, 28)"), {"k": kpi_id})
    conn.execute(sa.text("INSERT INTO roadmap_rows (sheet_id, position, activity, detail, from_year, to_year)"
                         " VALUES (:s, 0, '実務者会議', '', '2024', '2026')"), {"s": sheet_id})
    conn.execute(sa.text("INSERT INTO figures (sheet_id, position, kind, caption, note, alt_text)"
                         " VALUES (:s, 0, 'photo', '地熱発電所', '', '')"), {"s": sheet_id})


def test_extra_columns_come_empty_and_go_with_the_rows_kept(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS, revision="0017")
    f = Factory()
    cycle_id, project_id = f.cycle(2023).id, f.project(2, lead=("大分県",)).id
    db.session.remove()
    with db.engine.begin() as conn:   # a sheet as 0017 stores it (the models map 0019's columns)
        conn.execute(sa.text(
            "INSERT INTO sheets (project_id, cycle_id, state, version, texts, target_label,"
            " created_at, updated_at) VALUES (:p, :c, 'draft', 1, '{}', '', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP)"), {"p": project_id, "c": cycle_id})
        sheet_id = conn.execute(sa.text("SELECT id FROM sheets")).scalar()
        _fill(conn, sheet_id)

    upgrade(directory=MIGRATIONS, revision="0019")
    assert current_revision() == "0019"
    with db.engine.begin() as conn:
        for table in TABLES:
            assert "extra" in _columns(conn, table)
            assert conn.execute(sa.text(f"SELECT extra FROM {table}")).scalars().all() == [None]
        # The kinds are the template's now: the database takes another one.
        conn.execute(sa.text("UPDATE figures SET kind = 'map'"))
        conn.execute(sa.text("UPDATE figures SET kind = 'photo'"))
    content = sheet_to_dict(Factory().sheet_of(2, 2023))
    assert content["targets"]["kpis"] == [{
        "name": "地熱活用プロジェクト件数", "unit": "件", "cumulative": False,
        "target": {"year": 2030, "value": 500}, "baseline": None,
        "series": [{"year": 2023, "target": None, "actual": 28}], "note": ""}]
    assert content["roadmap"] == {"title": "", "years": [], "rows": [
        {"activity": "実務者会議", "detail": "", "from": "2024", "to": "2026"}]}
    assert content["figures"] == [{"kind": "photo", "caption": "地熱発電所", "note": ""}]
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0017")
    with db.engine.connect() as conn:
        for table in TABLES:
            assert "extra" not in _columns(conn, table)
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 1
        assert conn.execute(sa.text("SELECT kind, caption FROM figures")).one() == ("photo", "地熱発電所")
