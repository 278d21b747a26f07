"""audit action for new recovery codes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:30:00

- ck_audit_events_known_action also allows 'user_2fa_recovery_codes' (a user
  replaced their recovery codes with new ones).

The downgrade refuses while such rows exist rather than delete or relabel
them: the audit trail is a record, and the older schema cannot hold them.

The action lists are written out here, not imported: a migration must mean
the same thing whatever the code says later.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
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
ADDED = ('user_2fa_recovery_codes',)


def _in(values):
    return ",".join(f"'{v}'" for v in values)


def _allow(actions):
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint(op.f('ck_audit_events_known_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_events_known_action'),
                                      f"action IN ({_in(actions)})")


def upgrade():
    _allow(BEFORE + ADDED)


def downgrade():
    held = op.get_bind().scalar(sa.text(
        f"SELECT COUNT(*) FROM audit_events WHERE action IN ({_in(ADDED)})"))
    if held:
        raise RuntimeError(
            f"audit_events holds {held} row(s) of {', '.join(ADDED)}, which revision 0011 cannot "
            "hold; export the audit trail (/admin/audit.csv) and remove them by hand to go back")
    _allow(BEFORE)
