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

from forms import form_labels
from forms.admin import UserForm
from forms.council import ORGANISATION_LABELS, PROJECT_LABELS
from forms.cycle import DeadlineForm, OpenCycleForm
from forms.review import CommentForm
from webapp.extensions import db
from webapp.models import (AUDIT_ACTIONS, ORG_KINDS, AuditEvent, Comment, Organisation, Sheet,
                           User)
from webapp.models.audit import OBJECT_TYPES
from webapp.roles import ROLES
from webapp.sheet_schema import schema
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

# Fields no form names; every other field is named as the screen that changes it names it.
_OTHER_LABELS = {
    "sheet": {"state": "状態", "sections": "要修正の欄"},
    "cycle": {"is_open": "受付", "report_date": "報告書の日付",
              "kpi_appendix": "付録「ＫＰＩ達成状況一覧」"},
    "comment": {"section": "欄", "resolved": "解決済み", "thread_resolved": "スレッドの解決"},
    "user": {"api_token": "APIトークン"},
}
_LONG = 200


def _labels(object_type: str) -> dict[str, str]:
    """The labels of the forms that change this kind of object."""
    if object_type == "comment":
        return {**form_labels(CommentForm), **_OTHER_LABELS["comment"]}
    if object_type == "user":
        return {**form_labels(UserForm), **_OTHER_LABELS["user"]}
    if object_type == "organisation":
        return ORGANISATION_LABELS
    if object_type == "project":
        return PROJECT_LABELS
    if object_type == "cycle":
        return {**form_labels(OpenCycleForm), **form_labels(DeadlineForm),
                **_OTHER_LABELS["cycle"]}
    if object_type == "sheet":
        # An import's changes name the report file's top-level keys: the project's fields.
        return {**{k: PROJECT_LABELS[k] for k in ("number", "title", "lead_label")},
                "lead_organizations": PROJECT_LABELS["lead"],
                "co_organizations": PROJECT_LABELS["co"], **_OTHER_LABELS["sheet"]}
    return _OTHER_LABELS.get(object_type, {})


def _year_of(event: AuditEvent) -> int | None:
    """The year of the sheet a sheet's or a comment's event is about (None once deleted)."""
    if event.object_id is None:
        return None
    if event.object_type == "sheet":
        sheet = db.session.get(Sheet, event.object_id)
    elif event.object_type == "comment":
        comment = db.session.get(Comment, event.object_id)
        sheet = db.session.get(Sheet, comment.sheet_id) if comment is not None else None
    else:
        return None
    return sheet.cycle.year if sheet is not None else None


def _section_label(key, year: int | None) -> str:
    """A section as the sheet's pages name it (its year's wording when the sheet still exists)."""
    sheet_schema = schema(year)
    if not isinstance(key, str) or key not in sheet_schema:
        return str(key)
    return _worded(lambda y: sheet_schema.label(key, y), year)


def _worded(wording, year: int | None) -> str:
    """A heading for `year`; without one (the sheet is gone), 「当年度」/「翌年度」 for the years."""
    if year is None:
        return wording(0).replace("０年度", "当年度").replace("１年度", "翌年度")
    return wording(year)


def field_label(event: AuditEvent, field: str) -> str:
    """How the page names a changed field: the label of the form or sheet section it came from."""
    labels = _labels(event.object_type)
    if field in labels:
        return labels[field]
    if event.object_type == "sheet":
        year = _year_of(event)
        sheet_schema = schema(year)
        if field in sheet_schema:
            return _section_label(field, year)
        if any(b.key == field for b in sheet_schema.boxes):
            # An import's changes name the report file's boxes (「目的」, 「…の活動実績…」).
            return _worded(lambda y: sheet_schema.box_title(field, y), year)
    return field


def _shown(event: AuditEvent, field: str, value) -> str:
    if value is None:
        return "（なし）"
    if value == "":
        return "（空欄）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if field == "state":
        try:
            return State(value).label
        except ValueError:
            return str(value)
    if event.object_type == "organisation" and field == "kind":
        return ORG_KINDS.get(value, str(value))
    if event.object_type == "user" and field == "role":
        return ROLES.get(value, str(value))
    if event.object_type == "user" and field == "organisation_id":
        org = db.session.get(Organisation, value) if isinstance(value, int) else None
        return org.name if org is not None else str(value)
    if field in ("section", "sections") and event.object_type in ("comment", "sheet"):
        year = _year_of(event)
        keys = value if isinstance(value, list) else [value]
        return "、".join(_section_label(k, year) if k else "個票全体" for k in keys) or "（なし）"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "、".join(value) or "（なし）"
    elif isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if len(text) <= _LONG else text[:_LONG] + "…"


def describe_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each changed field, long values shortened."""
    return [(field_label(event, k), _shown(event, k, pair[0]), _shown(event, k, pair[1]))
            for k, pair in (event.changes or {}).items()
            if isinstance(pair, (list, tuple)) and len(pair) == 2]


def actor_name(event: AuditEvent) -> str:
    return event.actor.display_name if event.actor is not None else "システム"
