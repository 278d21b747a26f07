"""figures.alt_text: what an uploaded image shows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 07:00:00

The published PDF read the caption twice (as the image's /Alt and as the
printed caption); a figure now has its own alternative text.  Existing
figures get '' (the print then falls back to the figure's kind).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('figures') as batch:
        batch.add_column(sa.Column('alt_text', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('figures') as batch:
        batch.drop_column('alt_text')
