"""audit events: one table for every operation; the transitions table knows its actions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:30:00

- audit_events: who (NULL: the system), when, which action on which object,
  a short summary and the changed fields; its action and object type are
  kept to the known lists by CHECK constraints;
- one audit row per existing transitions row, so the history already
  recorded is in the trail from the start;
- ck_transitions_known_action: the transitions table holds only the workflow's
  steps and the system's (open: carried forward when a year opens; import).

The action lists are written out here, not imported: a migration must mean
the same thing whatever the code says later.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

AUDIT_ACTIONS = (
    'edit', 'submit', 'withdraw', 'return', 'approve', 'reopen', 'open', 'import', 'save',
    'cycle_open', 'cycle_close', 'cycle_reopen', 'cycle_deadline', 'cycle_report_date',
    'cycle_kpi_appendix',
    'comment_add', 'comment_reply', 'comment_resolve', 'comment_reopen',
    'user_create', 'user_update', 'user_deactivate', 'user_password',
    'user_sessions_end', 'user_2fa_enable', 'user_2fa_disable', 'user_2fa_reset',
    'organisation_create', 'organisation_update', 'organisation_deactivate', 'organisation_delete',
    'project_create', 'project_update', 'project_deactivate',
)
OBJECT_TYPES = ('sheet', 'cycle', 'comment', 'user', 'organisation', 'project')
TRANSITION_ACTIONS = ('edit', 'submit', 'withdraw', 'return', 'approve', 'reopen', 'open', 'import')
STEP_LABELS = {
    'edit': '編集開始', 'submit': '提出', 'withdraw': '提出取消し', 'return': '差戻し',
    'approve': '承認', 'reopen': '承認取消し（再開）', 'open': '年度開始（引継ぎ）',
    'import': '取込',
}
REASON_STEPS = ('return', 'reopen')


def _in(values):
    return ",".join(f"'{v}'" for v in values)


def upgrade():
    op.create_table(
        'audit_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('object_type', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.CheckConstraint(f"action IN ({_in(AUDIT_ACTIONS)})",
                           name=op.f('ck_audit_events_known_action')),
        sa.CheckConstraint(f"object_type IN ({_in(OBJECT_TYPES)})",
                           name=op.f('ck_audit_events_known_object_type')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    )
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'])
    op.create_index('ix_audit_events_at', 'audit_events', ['at'])
    op.create_index('ix_audit_events_actor', 'audit_events', ['actor_id'])

    conn = op.get_bind()
    t = sa.table('transitions', sa.column('id', sa.Integer()), sa.column('sheet_id', sa.Integer()),
                 sa.column('action', sa.String()), sa.column('from_state', sa.String()),
                 sa.column('to_state', sa.String()), sa.column('actor_id', sa.Integer()),
                 sa.column('at', sa.DateTime(timezone=True)), sa.column('comment', sa.Text()),
                 sa.column('version_number', sa.Integer()))
    s = sa.table('sheets', sa.column('id', sa.Integer()), sa.column('cycle_id', sa.Integer()),
                 sa.column('project_id', sa.Integer()))
    c = sa.table('cycles', sa.column('id', sa.Integer()), sa.column('year', sa.Integer()))
    p = sa.table('projects', sa.column('id', sa.Integer()), sa.column('number', sa.Integer()),
                 sa.column('title', sa.String()))
    rows = conn.execute(
        sa.select(t.c.sheet_id, t.c.action, t.c.from_state, t.c.to_state, t.c.actor_id, t.c.at,
                  t.c.comment, t.c.version_number, c.c.year, p.c.number, p.c.title)
        .select_from(t.join(s, s.c.id == t.c.sheet_id).join(c, c.c.id == s.c.cycle_id)
                     .join(p, p.c.id == s.c.project_id))
        .order_by(t.c.at, t.c.id)).all()
    events = sa.table('audit_events', sa.column('at', sa.DateTime(timezone=True)),
                      sa.column('actor_id', sa.Integer()), sa.column('action', sa.String()),
                      sa.column('object_type', sa.String()), sa.column('object_id', sa.Integer()),
                      sa.column('summary', sa.Text()), sa.column('changes', sa.JSON()))
    backfill = []
    for r in rows:
        summary = f"{r.year}年度 {r.number}番「{r.title}」：{STEP_LABELS.get(r.action, r.action)}"
        if r.version_number is not None:
            summary += f"（第{r.version_number}版）"
        if r.comment and r.action in REASON_STEPS:
            summary += f"　理由：{r.comment[:200]}"
        backfill.append({"at": r.at, "actor_id": r.actor_id, "action": r.action,
                         "object_type": "sheet", "object_id": r.sheet_id, "summary": summary,
                         "changes": {"state": [r.from_state, r.to_state]}})
    if backfill:
        op.bulk_insert(events, backfill)

    with op.batch_alter_table('transitions') as batch:
        batch.create_check_constraint(op.f('ck_transitions_known_action'),
                                      f"action IN ({_in(TRANSITION_ACTIONS)})")


def downgrade():
    with op.batch_alter_table('transitions') as batch:
        batch.drop_constraint(op.f('ck_transitions_known_action'), type_='check')
    op.drop_index('ix_audit_events_actor', table_name='audit_events')
    op.drop_index('ix_audit_events_at', table_name='audit_events')
    op.drop_index('ix_audit_events_object', table_name='audit_events')
    op.drop_table('audit_events')
