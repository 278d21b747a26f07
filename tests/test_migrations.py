"""The schema comes from Alembic migrations: up from nothing, down with data in it, and up again.

These tests use a database of their own (a temporary SQLite file, or a
PostgreSQL schema created and dropped here) so the shared fixtures are not
disturbed; the invariant tests at the end use the ordinary per-test database.
"""
from __future__ import annotations

import os
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from tests import dbsetup
from tests.conftest import ROOT, base_config
from tests.factories import Factory
from webapp import create_app
from webapp.extensions import db
from webapp.models import Kpi, KpiValue, LoginAttempt, Sheet, Transition, User
from webapp.timeutil import utcnow

MIGRATIONS = os.path.join(ROOT, "migrations")


@pytest.fixture
def scratch_app(tmp_path):
    """An app on a database nobody else uses, with no tables at all."""
    pg = None
    if dbsetup.backend() == "postgres":
        pg = dbsetup.PostgresDatabases()  # a fresh schema of its own
        url = pg.url
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app(base_config(str(tmp_path / "instance"), url))
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if pg is not None:
            pg.close()


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _config():
    from alembic.config import Config
    config = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def add_rows() -> None:
    """An organisation, its coordinator, a project, a cycle and an approved sheet with a KPI."""
    f = Factory()
    user = f.coordinator("大分県", email="tanto@example.jp")
    project = f.project(2, "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", lead=("大分県",))
    cycle = f.cycle(2023, is_open=False)
    sheet = f.sheet(project, cycle, state="approved")
    sheet.kpis = [Kpi(position=0, name="地熱発電の導入量", unit="MW", cumulative=True, target_year=2030,
                      target_value=Decimal("500"), note="",
                      values=[KpiValue(position=0, year=2023, target=None, actual=Decimal("127.5"))])]
    sheet.transitions.append(Transition(action="approve", from_state="submitted", to_state="approved",
                                        actor=user, at=utcnow(), comment=""))
    db.session.add(LoginAttempt(email="tanto@example.jp", ip="192.0.2.1"))
    db.session.commit()


def test_upgrade_from_nothing_down_with_rows_present_and_up_again(scratch_app):
    model_tables = set(db.metadata.tables)
    assert table_names() - {"alembic_version"} == set()

    upgrade(directory=MIGRATIONS)
    assert current_revision() == head_revision()
    assert table_names() == model_tables | {"alembic_version"}

    add_rows()
    sheet = db.session.scalar(sa.select(Sheet))
    assert sheet.kpis[0].values[0].actual == Decimal("127.5")
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="base")
    assert current_revision() is None
    assert table_names() - {"alembic_version"} == set()

    upgrade(directory=MIGRATIONS)
    assert current_revision() == head_revision()
    assert table_names() == model_tables | {"alembic_version"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    add_rows()  # the re-created schema takes the same rows again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sheet)) == 1


def test_each_migration_steps_down_and_up_with_rows_present(scratch_app):
    upgrade(directory=MIGRATIONS)
    add_rows()
    db.session.remove()
    revisions = [r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions()]
    for expected_after in revisions[1:] + [None]:
        downgrade(directory=MIGRATIONS, revision="-1")
        assert current_revision() == expected_after
    upgrade(directory=MIGRATIONS)
    assert current_revision() == revisions[0]


def test_the_models_and_the_migrated_schema_are_the_same(scratch_app):
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, db.metadata)
    assert diffs == [], "models differ from the migrations; add a migration:\n" + \
        "\n".join(map(str, diffs))


# ---------------------------------------------------------------------------
# The database keeps the invariants true, whatever the code does
# ---------------------------------------------------------------------------

def _refused(action) -> bool:
    try:
        action()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return True
    return False


@pytest.fixture
def one_sheet(app, factory):
    project = factory.project(2, lead=("大分県",))
    cycle = factory.cycle(2023)
    return factory.sheet(project, cycle, state="draft")


def test_project_numbers_are_unique(app, factory, one_sheet):
    assert _refused(lambda: factory.project(2, "別のプロジェクト", lead=("福岡県",)))


def test_one_sheet_per_project_per_cycle(app, factory, one_sheet):
    assert _refused(lambda: factory.sheet(one_sheet.project, one_sheet.cycle))


def test_an_approved_sheet_names_who_approved_and_when(app, factory, one_sheet):
    def approve_without_approver():
        one_sheet.state = "approved"
    assert _refused(approve_without_approver)


def test_a_sheet_not_approved_carries_no_approval(app, factory, one_sheet):
    def stray_approval_date():
        one_sheet.approved_at = utcnow()
        one_sheet.approved_by = factory.admin()
    assert _refused(stray_approval_date)


def test_positions_are_unique_within_a_sheet(app, factory, one_sheet):
    def two_kpis_at_one_position():
        db.session.add_all([Kpi(sheet_id=one_sheet.id, position=0, name="A", unit="", note=""),
                            Kpi(sheet_id=one_sheet.id, position=0, name="B", unit="", note="")])
    assert _refused(two_kpis_at_one_position)


def test_a_coordinator_belongs_to_an_organisation(app):
    assert _refused(lambda: db.session.add(User(email="x@example.jp", display_name="x",
                                                password_hash="!", role="coordinator")))


def test_a_state_outside_the_workflow_is_refused(app, one_sheet):
    def unknown_state():
        one_sheet.state = "archived"
    assert _refused(unknown_state)
