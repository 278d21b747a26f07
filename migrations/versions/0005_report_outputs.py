"""report outputs: the archival copy beside each build, and 確認用 drafts

Revision ID: 0005
Revises: 0008
Create Date: 2026-12-01 21:40:00

- report_builds.archive_file_name: the PDF/A-2b copy written with the
  published (tagged) file of a build; NULL for builds made before it and
  for drafts;
- report_builds.draft: a 確認用 build (unapproved sheets included and
  marked); existing builds are final ones.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_builds') as batch:
        batch.add_column(sa.Column('archive_file_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('draft', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('report_builds') as batch:
        batch.drop_column('draft')
        batch.drop_column('archive_file_name')
