"""cycles.sheet_template: each year's sheet template, as data

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:30:00

- cycles.sheet_template (JSON, NULL): the year's template in the format of
  webapp.template_json; NULL means the built-in FY2023 template, so every
  existing year keeps printing exactly as before.
- ck_audit_events_known_action also allows 'template_change' (the
  secretariat changed a year's template: 「個票の様式」 or import-template).

The downgrade refuses while a year holds a template of its own or such audit
rows exist rather than drop them: a year's template is part of its record.
The action lists are written out here, not imported.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
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
)
ADDED = ('template_change',)


def _in(values):
    return ",".join(f"'{v}'" for v in values)


def _replace_check(actions):
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint(op.f('ck_audit_events_known_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_events_known_action'),
                                      f"action IN ({_in(actions)})")


def upgrade():
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(sa.Column('sheet_template', sa.JSON(), nullable=True))
    _replace_check(BEFORE + ADDED)


def downgrade():
    bind = op.get_bind()
    held = bind.scalar(sa.text(
        f"SELECT COUNT(*) FROM audit_events WHERE action IN ({_in(ADDED)})"))
    own = bind.scalar(sa.text("SELECT COUNT(*) FROM cycles WHERE sheet_template IS NOT NULL"))
    if held or own:
        raise RuntimeError(
            f"{own} year(s) hold a sheet template of their own and audit_events holds {held} "
            "row(s) of template_change, which revision 0017 cannot hold; export the templates "
            "(flask export-template) and the audit trail (/admin/audit.csv) and remove them by "
            "hand to go back")
    _replace_check(BEFORE)
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('sheet_template')
