"""carried-forward sheets stay not started until their organisation saves them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 07:00:00

Data only. The year's opening ("open" in webapp.workflow.SYSTEM_TRANSITIONS)
used to put every carried-forward sheet in 'draft'; it now leaves them
'not_started' until the lead organisation's first save ("edit"). Sheets
opened before this change and never saved since (version 1, the opening
their only step) are moved to 'not_started' as if opened today, their
opening step says so, and they lose the opener as "last saved by" (nobody
saved them). Sheets anyone has saved, submitted or returned are left alone.
The downgrade puts such sheets back to 'draft', as the old opening left them.
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# Sheets whose only step is the year's opening and that nobody has saved.
_UNTOUCHED = ("version = 1 AND id IN (SELECT sheet_id FROM transitions GROUP BY sheet_id"
              " HAVING COUNT(*) = 1 AND MIN(action) = 'open')")


def _move(from_state: str, to_state: str, forget_saver: bool) -> None:
    untouched = f"state = '{from_state}' AND {_UNTOUCHED}"
    op.execute(f"UPDATE transitions SET to_state = '{to_state}' WHERE action = 'open'"
               f" AND sheet_id IN (SELECT id FROM sheets WHERE {untouched})")
    saver = ", updated_by_id = NULL" if forget_saver else ""
    op.execute(f"UPDATE sheets SET state = '{to_state}'{saver} WHERE {untouched}")


def upgrade():
    _move("draft", "not_started", forget_saver=True)


def downgrade():
    _move("not_started", "draft", forget_saver=False)
