"""sections flagged when a sheet is returned

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:00:00

- transitions.sections (JSON, NULL): on a `return` row, the keys
  (webapp.sheet_schema) of the sections the reviewer asked to change.
  Existing rows keep NULL: they were returned as a whole.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transitions') as batch:
        batch.add_column(sa.Column('sections', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('transitions') as batch:
        batch.drop_column('sections')
