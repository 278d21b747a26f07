"""Workflow operations: every change of a sheet's state goes through `transition()`.

It checks permission with the one permissions function, moves the state
with a compare-and-set (so two reviewers acting at once cannot both win),
records who/when/from/to/comment, snapshots the content as a numbered
version on submit and approve, and sends the `sheet_transitioned` signal
that notifications listen to.
"""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.models import Sheet, SheetVersion, Transition, User
from webapp.permissions import can
from webapp.sheet_content import sheet_to_dict
from webapp.timeutil import utcnow
from webapp.workflow import TRANSITIONS, State

signals = Namespace()
sheet_transitioned = signals.signal("sheet-transitioned")

SNAPSHOT_ON = {"submit", "approve"}


class WorkflowError(Exception):
    """A refused transition; the message is shown to the user as is."""


class StaleStateError(WorkflowError):
    """The sheet changed state since the user loaded it."""


def transition(user: User, sheet: Sheet, name: str, comment: str = "",
               expected_state: str | None = None) -> Transition:
    """Perform transition `name`; the caller commits. Raises WorkflowError when refused."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise WorkflowError("不明な操作です。")
    comment = (comment or "").strip()
    if expected_state is not None and expected_state != sheet.state:
        raise StaleStateError(_stale_message(sheet))
    if not can(user, name, sheet):
        if State(sheet.state) not in t.sources:
            raise StaleStateError(_stale_message(sheet))
        raise WorkflowError(f"この個票を「{t.label}」する権限がありません。")
    if t.comment_required and not comment:
        raise WorkflowError(f"「{t.label}」には理由（コメント）の入力が必要です。")

    now = utcnow()
    from_state = sheet.state
    values = {"state": t.target.value}
    if t.target == State.APPROVED:
        values.update(approved_at=now, approved_by_id=user.id)
    else:
        values.update(approved_at=None, approved_by_id=None)
    # Compare-and-set: only one of two concurrent reviewers gets a row back.
    result = db.session.execute(
        update(Sheet).where(Sheet.id == sheet.id, Sheet.state == from_state).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(sheet)
        raise StaleStateError(_stale_message(sheet))
    db.session.refresh(sheet)

    version_number = None
    if name in SNAPSHOT_ON:
        version_number = snapshot(sheet, user, reason=name).number
    record = Transition(sheet_id=sheet.id, action=name, from_state=from_state,
                        to_state=t.target.value, actor_id=user.id, at=now, comment=comment,
                        version_number=version_number)
    db.session.add(record)
    db.session.flush()
    sheet_transitioned.send(sheet, transition=record, actor=user)
    return record


def snapshot(sheet: Sheet, user: User | None, reason: str) -> SheetVersion:
    last = db.session.scalar(select(func.max(SheetVersion.number))
                             .where(SheetVersion.sheet_id == sheet.id)) or 0
    version = SheetVersion(sheet_id=sheet.id, number=last + 1, content=sheet_to_dict(sheet),
                           created_by_id=user.id if user else None, reason=reason)
    db.session.add(version)
    db.session.flush()
    return version


def _stale_message(sheet: Sheet) -> str:
    return (f"この個票は他の方の操作により既に「{State(sheet.state).label}」になっています。"
            "画面を開き直して最新の状態を確認してください。")
