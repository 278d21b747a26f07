"""expensive_jobs: the previews, workbook imports and report builds each user has under way

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:20:00

- expensive_jobs: one row per expensive job a user started and that has not
  finished yet (webapp/expensive.py limits how many one user may have); a row
  lapses at expires_at when its worker died. A new table: existing data is
  untouched, and going down loses only the jobs under way.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expensive_jobs',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('subject', sa.String(length=64), nullable=False),
                    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
                    sa.CheckConstraint("kind IN ('preview','import','build')",
                                       name=op.f('ck_expensive_jobs_kind')),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                            name=op.f('fk_expensive_jobs_user_id_users'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_expensive_jobs')))
    with op.batch_alter_table('expensive_jobs') as batch:
        batch.create_index(batch.f('ix_expensive_jobs_user_id'), ['user_id'], unique=False)
        batch.create_index('ix_expensive_jobs_kind_subject', ['kind', 'subject'], unique=False)


def downgrade():
    with op.batch_alter_table('expensive_jobs') as batch:
        batch.drop_index('ix_expensive_jobs_kind_subject')
        batch.drop_index(batch.f('ix_expensive_jobs_user_id'))
    op.drop_table('expensive_jobs')
