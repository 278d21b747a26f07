"""kpis.direction: which way a KPI's goal lies

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:20:00

A goal below the first actual was read as one to reduce, so a KPI already
past its target (㉑ 2,222 against 2,000) read 順調.  The way is now stated
("increase" / "decrease") or, when NULL, judged from the baseline alone.
Existing KPIs get NULL, which is what their files say.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('kpis') as batch:
        batch.add_column(sa.Column('direction', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('kpis') as batch:
        batch.drop_column('direction')
