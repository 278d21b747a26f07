"""review invariants: who resolved a comment; reasons for return/reopen kept by the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:10:00

- comments.resolved_by_id, and ck_comments_resolution: resolved_at and
  resolved_by_id are set exactly when a thread is resolved;
- ck_transitions_reason_given: a return or reopen always records its reason.

Existing rows are brought in line first (a resolved comment without a
resolver is credited to its author; a reason-less return gets a placeholder),
so the upgrade never fails on old data and loses nothing.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

NO_REASON = '（理由の記録なし）'


def upgrade():
    with op.batch_alter_table('comments') as batch:
        batch.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_comments_resolved_by_id_users'), 'users',
                                 ['resolved_by_id'], ['id'])

    comments = sa.table('comments', sa.column('resolved', sa.Boolean()),
                        sa.column('resolved_at', sa.DateTime(timezone=True)),
                        sa.column('resolved_by_id', sa.Integer()),
                        sa.column('created_at', sa.DateTime(timezone=True)),
                        sa.column('author_id', sa.Integer()))
    op.execute(comments.update().where(comments.c.resolved == sa.true())
               .where(comments.c.resolved_at.is_(None))
               .values(resolved_at=comments.c.created_at))
    op.execute(comments.update().where(comments.c.resolved == sa.true())
               .values(resolved_by_id=comments.c.author_id))
    op.execute(comments.update().where(comments.c.resolved == sa.false())
               .values(resolved_at=None, resolved_by_id=None))
    transitions = sa.table('transitions', sa.column('action', sa.String()),
                           sa.column('comment', sa.Text()))
    op.execute(transitions.update()
               .where(transitions.c.action.in_(['return', 'reopen']))
               .where(transitions.c.comment == '')
               .values(comment=NO_REASON))

    with op.batch_alter_table('comments') as batch:
        batch.create_check_constraint(
            op.f('ck_comments_resolution'),
            "(resolved AND resolved_at IS NOT NULL AND resolved_by_id IS NOT NULL)"
            " OR (NOT resolved AND resolved_at IS NULL AND resolved_by_id IS NULL)")
    with op.batch_alter_table('transitions') as batch:
        batch.create_check_constraint(
            op.f('ck_transitions_reason_given'), "action NOT IN ('return','reopen') OR comment <> ''")


def downgrade():
    with op.batch_alter_table('transitions') as batch:
        batch.drop_constraint(op.f('ck_transitions_reason_given'), type_='check')
    with op.batch_alter_table('comments') as batch:
        batch.drop_constraint(op.f('ck_comments_resolution'), type_='check')
        batch.drop_constraint(op.f('fk_comments_resolved_by_id_users'), type_='foreignkey')
        batch.drop_column('resolved_by_id')
