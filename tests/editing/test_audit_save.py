"""A content save leaves one audit row naming the coordinator and the fields that changed."""
from __future__ import annotations

from sqlalchemy import select

from tests.editing.conftest import form_fields, sheet24
from webapp.extensions import db
from webapp.models import AuditEvent


def saves() -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "save")
                              .order_by(AuditEvent.id)).all()


def test_a_save_records_who_changed_which_text(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "・人材の確保"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303

    [event] = saves()
    assert (event.actor_id, event.object_type, event.object_id, event.changes) == (
        oita.id, "sheet", sheet.id, {"challenges": ["", "・人材の確保"]})
    assert event.summary == "2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：内容の保存"

    # Saving the same content again is no change, and records nothing.
    fields = form_fields(client24, sheet.id)
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    assert len(saves()) == 1
