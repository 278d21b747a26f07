"""kpis/kpi_values/roadmap_rows/figures.extra; figures.kind no longer a CHECK

Revision ID: 0019
Revises: 0020 (written on 0017; chained after main's 0018 and 0020 when main was merged in)
Create Date: 2026-12-07 09:30:00

Every field inside a KPI, a series point, a roadmap row and a figure is
declared in the sheet template (webapp.sheet_schema.Field).  A field with a
column of its own is stored there; any other (an optional per-KPI field a
year's template adds) is stored in the row's `extra` JSON object, so adding
one needs no migration.  Existing rows get NULL (no extra fields).

The figure kinds are the template's choices now, so the CHECK listing them
goes.  The downgrade puts it back (refused if a figure has another kind) and
drops the `extra` columns with whatever they hold.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0020'
branch_labels = None
depends_on = None

TABLES = ('kpis', 'kpi_values', 'roadmap_rows', 'figures')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('extra', sa.JSON(), nullable=True))
    with op.batch_alter_table('figures') as batch:
        batch.drop_constraint(op.f('ck_figures_kind'), type_='check')


def downgrade():
    with op.batch_alter_table('figures') as batch:
        batch.create_check_constraint(op.f('ck_figures_kind'), "kind IN ('chart','photo','diagram')")
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('extra')
