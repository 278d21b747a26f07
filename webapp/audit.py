"""The one writer of the audit trail, and the queries the audit page reads.

Every operation (webapp.operations and the operations it names) calls
`record()` once; nothing else adds AuditEvent rows. Like the operations,
it only flushes: the caller's commit keeps the change and its record
together, and a rollback drops both.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import AUDIT_ACTIONS, AuditEvent, User
from webapp.models.audit import OBJECT_TYPES
from webapp.timeutil import JST
from webapp.workflow import State


def _plain(value):
    """A value JSON can hold, keeping what a reader needs (dates as ISO text, Decimal exact)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def record(actor: User | None, action: str, obj_type: str, obj_id: int | None,
           summary: str = "", changes: dict | None = None) -> AuditEvent:
    """Add one audit row: `actor` (None: the system) did `action` to (obj_type, obj_id).

    `changes` is {field: (before, after)}; dates and Decimals are stored as text.
    An unknown action or object type is a programming error, refused here
    before the database's CHECK constraint would.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if obj_type not in OBJECT_TYPES:
        raise ValueError(f"unknown audit object type {obj_type!r}")
    event = AuditEvent(actor_id=actor.id if actor is not None else None, action=action,
                       object_type=obj_type, object_id=obj_id, summary=summary,
                       changes={k: [_plain(b), _plain(a)] for k, (b, a) in (changes or {}).items()})
    db.session.add(event)
    db.session.flush()
    return event


def diff(before: dict, after: dict) -> dict:
    """{field: (before, after)} for the fields whose value differs."""
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}


@dataclass
class AuditFilter:
    sheet_id: int | None = None
    actor_id: int | None = None
    date_from: dt.date | None = None   # Japan-time days, both ends included
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=JST)


def query(f: AuditFilter) -> Select:
    """Events matching the filter, newest first."""
    q = select(AuditEvent).options(selectinload(AuditEvent.actor)) \
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if f.sheet_id is not None:
        q = q.where(AuditEvent.object_type == "sheet", AuditEvent.object_id == f.sheet_id)
    if f.actor_id is not None:
        q = q.where(AuditEvent.actor_id == f.actor_id)
    if f.date_from is not None:
        q = q.where(AuditEvent.at >= _start_of(f.date_from))
    if f.date_to is not None:
        q = q.where(AuditEvent.at < _start_of(f.date_to + dt.timedelta(days=1)))
    return q


def count(f: AuditFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(query(f).order_by(None).subquery()))


# --- reading: what the audit page and its CSV show ----------------------------------------

# Field names of the changes, as the page shows them; a field not listed shows its key.
FIELD_LABELS = {
    "state": "状態", "is_open": "受付", "deadline": "提出期限", "report_date": "報告書の日付",
    "report_title": "報告書の表題", "body": "本文", "section": "欄", "resolved": "解決済み",
    "thread_resolved": "スレッドの解決", "name": "名称", "kind": "種別", "title": "名称",
    "lead_label": "幹事の表示", "organisations": "参加団体", "sections": "要修正の欄",
}
_LONG = 200


def _shown(field: str, value) -> str:
    if value is None:
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if field == "state":
        try:
            return State(value).label
        except ValueError:
            return str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if len(text) <= _LONG else text[:_LONG] + "…"


def describe_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each changed field, long values shortened."""
    return [(FIELD_LABELS.get(k, k), _shown(k, pair[0]), _shown(k, pair[1]))
            for k, pair in (event.changes or {}).items()
            if isinstance(pair, (list, tuple)) and len(pair) == 2]


def actor_name(event: AuditEvent) -> str:
    return event.actor.display_name if event.actor is not None else "システム"
