"""audit actions for the step-up (本人確認) and renewed recovery codes

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 06:30:00

- ck_audit_events_known_action also allows 'user_reauth' (a user confirmed
  their password, and code, before changing credentials) and
  'user_recovery_codes' (a user issued new recovery codes). Downgrading
  deletes those rows first, since the older constraint would refuse them.

The action lists are written out here, not imported: a migration must mean
the same thing whatever the code says later.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0011'
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
)
ADDED = ('user_recovery_codes', 'user_reauth')


def _in(values):
    return ",".join(f"'{v}'" for v in values)


def _replace_check(actions):
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint(op.f('ck_audit_events_known_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_events_known_action'),
                                      f"action IN ({_in(actions)})")


def upgrade():
    _replace_check(BEFORE + ADDED)


def downgrade():
    op.execute(sa.text(f"DELETE FROM audit_events WHERE action IN ({_in(ADDED)})"))
    _replace_check(BEFORE)
