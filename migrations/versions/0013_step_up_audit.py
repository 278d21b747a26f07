"""audit action for the step-up (本人確認)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:30:00

- ck_audit_events_known_action also allows 'user_reauth' (a user confirmed
  their password, and code, before changing credentials).

The downgrade refuses while such rows exist rather than delete them, as
0012's does: the audit trail is a record.

The action lists are written out here, not imported: a migration must mean
the same thing whatever the code says later.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
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
    'user_2fa_recovery_codes',
)
ADDED = ('user_reauth',)


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
    held = op.get_bind().scalar(sa.text(
        f"SELECT COUNT(*) FROM audit_events WHERE action IN ({_in(ADDED)})"))
    if held:
        raise RuntimeError(
            f"audit_events holds {held} row(s) of {', '.join(ADDED)}, which revision 0012 cannot "
            "hold; export the audit trail (/admin/audit.csv) and remove them by hand to go back")
    _replace_check(BEFORE)
