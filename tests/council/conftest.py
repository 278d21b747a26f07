from collections.abc import Sequence

import pytest
from sqlalchemy import select

COUNCIL_ACTIONS = ("organisation_create", "organisation_update", "organisation_deactivate",
                   "organisation_delete", "project_create", "project_update", "project_deactivate",
                   "cycle_kpi_appendix")


class AuditCalls(Sequence):
    """The audit rows the council's operations wrote during the test (not the import's),
    read from the trail as the test goes."""

    def __init__(self):
        from sqlalchemy import func

        from webapp.extensions import db
        from webapp.models import AuditEvent
        self.after = db.session.scalar(select(func.max(AuditEvent.id))) or 0

    def _rows(self) -> list[dict]:
        from webapp.extensions import db
        from webapp.models import AuditEvent
        db.session.expire_all()
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(COUNCIL_ACTIONS),
                                                             AuditEvent.id > self.after)
                                    .order_by(AuditEvent.id))
        return [{"actor": e.actor.email if e.actor else None, "action": e.action,
                 "type": e.object_type, "id": e.object_id, "summary": e.summary,
                 "changes": e.changes} for e in events]

    def __getitem__(self, index):
        return self._rows()[index]

    def __len__(self) -> int:
        return len(self._rows())

    def __eq__(self, other) -> bool:
        return self._rows() == list(other)


@pytest.fixture
def audit_calls():
    return AuditCalls()
