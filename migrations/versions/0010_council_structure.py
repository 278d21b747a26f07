"""council structure: organisations can be deactivated; per-year KPI appendix; approved lead label

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-01 22:15:00

- organisations.active (default true): an organisation with users or
  projects is deactivated, never deleted.
- cycles.kpi_appendix (default false): print the 「ＫＰＩ達成状況一覧」 after
  the sheets of that year's report.
- sheets.approved_lead_label (NULL): the lead label an approved sheet was
  printed with, kept when the project's label changes afterwards.

Existing rows get the defaults (every organisation active, no appendix, every
sheet following its project's label, which is what they printed until now).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(sa.Column('kpi_appendix', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('sheets') as batch:
        batch.add_column(sa.Column('approved_lead_label', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('sheets') as batch:
        batch.drop_column('approved_lead_label')
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('kpi_appendix')
    with op.batch_alter_table('organisations') as batch:
        batch.drop_column('active')
