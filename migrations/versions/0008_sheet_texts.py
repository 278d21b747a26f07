"""sheet texts by section key; exact KPI figures on SQLite

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-01 22:30:00

- sheets.texts (JSON): every text section of the sheet under its key in
  webapp.sheet_schema, replacing one column per section, so that a section
  added to the schema needs no migration. The eight text columns are copied
  into it, then dropped.
- sheets.carried_plans_actions / carried_plans_outlook are dropped: last
  year's plans are read from last year's approved sheet itself.
- On SQLite the KPI figures become text: SQLite would keep only 15
  significant digits of a NUMERIC(20, 6). PostgreSQL keeps NUMERIC.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0003'
branch_labels = None
depends_on = None

TEXT_COLUMNS = ('purpose', 'results_actions', 'results_perspectives', 'results_evaluation',
                'challenges', 'target_text', 'plans_actions', 'plans_outlook')
CARRIED = ('carried_plans_actions', 'carried_plans_outlook')
FIGURES = {'kpis': ('target_value', 'baseline_value'), 'kpi_values': ('target', 'actual')}


def _sheets(*columns):
    return sa.table('sheets', sa.column('id', sa.Integer()), sa.column('texts', sa.JSON()),
                    *[sa.column(c, sa.Text()) for c in columns])


def upgrade():
    with op.batch_alter_table('sheets') as batch:
        batch.add_column(sa.Column('texts', sa.JSON(), nullable=True))
    conn = op.get_bind()
    sheets = _sheets(*TEXT_COLUMNS)
    for row in conn.execute(sa.select(sheets.c.id, *[sheets.c[c] for c in TEXT_COLUMNS])).all():
        texts = {c: getattr(row, c) or '' for c in TEXT_COLUMNS}
        conn.execute(sheets.update().where(sheets.c.id == row.id).values(texts=texts))
    with op.batch_alter_table('sheets') as batch:
        batch.alter_column('texts', existing_type=sa.JSON(), nullable=False)
        for column in TEXT_COLUMNS + CARRIED:
            batch.drop_column(column)
    if conn.dialect.name == 'sqlite':
        for table, columns in FIGURES.items():
            with op.batch_alter_table(table) as batch:
                for column in columns:
                    batch.alter_column(column, type_=sa.String(32),
                                       existing_type=sa.Numeric(20, 6))
            # A REAL copied into text reads 2134.0; the type reads that back as 2134.


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        for table, columns in FIGURES.items():
            with op.batch_alter_table(table) as batch:
                for column in columns:
                    batch.alter_column(column, type_=sa.Numeric(20, 6),
                                       existing_type=sa.String(32))
    with op.batch_alter_table('sheets') as batch:
        for column in TEXT_COLUMNS + CARRIED:
            batch.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=''))
    sheets = _sheets(*TEXT_COLUMNS)
    for row in conn.execute(sa.select(sheets.c.id, sheets.c.texts)).all():
        texts = row.texts or {}
        conn.execute(sheets.update().where(sheets.c.id == row.id)
                     .values(**{c: texts.get(c) or '' for c in TEXT_COLUMNS}))
    with op.batch_alter_table('sheets') as batch:
        batch.drop_column('texts')
