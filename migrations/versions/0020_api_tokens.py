"""api_tokens: personal tokens for the read API, and their audit actions

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 09:30:00

- api_tokens: a user's named tokens, only the SHA-256 of each kept, with the
  time of creation, of last use and of revocation, and the rate limit's window.
- ck_audit_events_known_action also allows 'api_token_create' and
  'api_token_revoke'.

The downgrade refuses while audit rows of those actions exist rather than
delete them (the audit trail is a record), as 0013's does. The action lists are
written out here, not imported: a migration must mean the same thing whatever
the code says later.
"""
from alembic import op
import sqlalchemy as sa



revision = '0020'
down_revision = '0018'
branch_labels = None
depends_on = None

BEFORE = (
    'edit', 'submit', 'withdraw', 'return', 'approve', 'reopen', 'open', 'import', 'save',
    'cycle_open', 'cycle_close', 'cycle_reopen', 'cycle_deadline', 'cycle_report_date',
    'cycle_kpi_appendix',
    'comment_add', 'comment_reply', 'comment_resolve', 'comment_reopen',
    'user_create', 'user_update', 'user_deactivate', 'user_password',
    'user_sessions_end', 'user_2fa_enable', 'user_2fa_disable', 'user_2fa_reset',
    'organisation_create', 'organisation_update', 'organisation_deactivate', 'organisation_delete',
    'project_create', 'project_update', 'project_deactivate',
    'user_2fa_recovery_codes', 'user_reauth',
    'template_change',
)
ADDED = ('api_token_create', 'api_token_revoke')


def _in(values):
    return ",".join(f"'{v}'" for v in values)


def _replace_check(actions):
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint(op.f('ck_audit_events_known_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_events_known_action'),
                                      f"action IN ({_in(actions)})")


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_requests', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_api_tokens_token_sha256')),
    )
    with op.batch_alter_table('api_tokens') as batch:
        batch.create_index(batch.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
    _replace_check(BEFORE + ADDED)


def downgrade():
    held = op.get_bind().scalar(sa.text(
        f"SELECT COUNT(*) FROM audit_events WHERE action IN ({_in(ADDED)})"))
    if held:
        raise RuntimeError(
            f"audit_events holds {held} row(s) of {', '.join(ADDED)}, which revision 0018 cannot "
            "hold; export the audit trail (/admin/audit.csv) and remove them by hand to go back")
    _replace_check(BEFORE)
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_index(batch.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
