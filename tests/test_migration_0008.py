"""Migration 0008 (texts by section key) on a database holding sheets written before it."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, current_revision, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db


def test_text_columns_move_into_texts_and_back(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    f = Factory()
    sheet = f.sheet(f.project(2, lead=("大分県",)), f.cycle(2023))
    sheet_id = sheet.id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0003")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "UPDATE sheets SET purpose = '地熱を活かす', results_actions = '・会議を開催',"
            " challenges = '・人材不足', plans_outlook = '・２０３０年度に５００件',"
            " carried_plans_actions = '・前年度の計画' WHERE id = :s"), {"s": sheet_id})
        conn.execute(sa.text(
            "INSERT INTO kpis (sheet_id, position, name, unit, cumulative, target_value, note)"
            " VALUES (:s, 0, '件数', '件', :f, 500, '')"), {"s": sheet_id, "f": False})
        kpi_id = conn.execute(sa.text("SELECT id FROM kpis")).scalar()
        conn.execute(sa.text(
            "INSERT INTO kpi_values (kpi_id, position, year, target, actual)"
            " VALUES (:k, 0, 2023, NULL, 0.6568)"), {"k": kpi_id})

    upgrade(directory=MIGRATIONS, revision="0008")
    with db.engine.connect() as conn:
        texts = conn.execute(sa.select(sa.column("texts", sa.JSON())).select_from(sa.table("sheets"))).scalar()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("sheets")}
    assert texts == {"purpose": "地熱を活かす", "results_actions": "・会議を開催",
                     "results_perspectives": "", "results_evaluation": "・評価",
                     "challenges": "・人材不足", "target_text": "", "plans_actions": "",
                     "plans_outlook": "・２０３０年度に５００件"}
    assert "purpose" not in columns and "carried_plans_actions" not in columns
    upgrade(directory=MIGRATIONS)  # the models also map the columns of later revisions
    migrated = Factory().sheet_of(2, 2023)
    assert migrated.text("challenges") == "・人材不足"
    assert migrated.kpis[0].values[0].actual == Decimal("0.6568")
    assert migrated.kpis[0].target_value == 500
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0003")
    assert current_revision() == "0003"
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT purpose, challenges, plans_outlook FROM sheets")).one()
        actual = conn.execute(sa.text("SELECT actual FROM kpi_values")).scalar()
    assert tuple(row) == ("地熱を活かす", "・人材不足", "・２０３０年度に５００件")
    assert Decimal(str(actual)) == Decimal("0.6568")
    upgrade(directory=MIGRATIONS)


def test_a_figure_with_fourteen_digits_and_six_decimals_stays_exact(app):
    f = Factory()
    sheet = f.sheet(f.project(2, lead=("大分県",)), f.cycle(2023))
    from webapp.models import Kpi, KpiValue
    sheet.kpis = [Kpi(position=0, name="事業費", unit="円", values=[
        KpiValue(position=0, year=2023, actual=Decimal("12345678901234.123456"))])]
    db.session.commit()
    db.session.remove()
    value = Factory().sheet_of(2, 2023).kpis[0].values[0].actual
    assert value == Decimal("12345678901234.123456")
    assert str(value) == "12345678901234.123456"
