"""The write path: every change of a sheet's state, and where the other operations live.

**Who commits.** An operation checks permission, writes, records one audit
row (webapp.audit.record) and *flushes*; it never commits. The caller — a
view or a command-line command — calls one operation and then commits, or
rolls back when it raises. So a change and its audit row are kept or lost
together, and mail queued by an operation goes out only after that commit.

The operations, one per thing that changes:

- sheets, here: `transition()` (the workflow steps people take), `import_approved()`
  (a sheet loaded from a report file), `carried_forward()` (a draft created when a
  year opens); content saves are `editing.saving.save_content`;
- cycles: `webapp.cycles` (open, close, reopen, set_deadline, set_report_date);
- comments: `webapp.review.comments` (add_comment, which also replies, set_resolved).

Refusals come from `permissions.refusal()`, whose messages are written once
there; the exceptions below carry them to the view.
"""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import func, select, update

from webapp import audit
from webapp.extensions import db
from webapp.models import Sheet, SheetVersion, Transition, User
from webapp.permissions import (SAVED_SINCE_CHECK_MESSAGE, UNKNOWN_ACTION_MESSAGE,
                                reason_missing_message, refusal, stale_message)
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import schema
from webapp.timeutil import utcnow
from webapp.workflow import SYSTEM_TRANSITIONS, TRANSITIONS, State
from webapp.workflow import Step

signals = Namespace()
sheet_transitioned = signals.signal("sheet-transitioned")

SNAPSHOT_ON = {"submit", "approve", "import"}


class WorkflowError(Exception):
    """A refused transition; the message is shown to the user as is."""


class NotPermitted(WorkflowError):
    """The user's role can never take this step on this sheet (403)."""


class StaleStateError(WorkflowError):
    """The sheet changed state since the user loaded it (409)."""


class ContentChangedError(WorkflowError):
    """The sheet's content was saved since the version the step was checked on (409)."""

    def __init__(self, message: str = SAVED_SINCE_CHECK_MESSAGE):
        super().__init__(message)


class Refused(WorkflowError):
    """The step is not possible now, for reasons listed in `problems` (shown as a list)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class InvalidInput(Refused):
    """The request named something that does not exist (400), e.g. an unknown section."""


# The step on which a reviewer may name the sections that must change.
FLAGGING_STEP = "return"

_RAISES = {"role": NotPermitted, "state": StaleStateError, "cycle": Refused, "review": Refused}


def transition(user: User, sheet: Sheet, name: str, comment: str = "",
               expected_state: str | None = None, sections=None,
               expected_version: int | None = None) -> Transition:
    """Perform the workflow step `name`; flushes, the caller commits.

    `sections`: on a return, the keys of the sections that must change.
    `expected_version`: the content version the step was checked on (a
    submission); the step is taken only if the sheet is still at it.
    Raises NotPermitted, StaleStateError, ContentChangedError or Refused (all WorkflowError).
    """
    t = TRANSITIONS.get(name)
    if t is None:
        raise NotPermitted(UNKNOWN_ACTION_MESSAGE)
    flagged = flagged_keys(sections, sheet.cycle.year) if sections else []
    if flagged and name != FLAGGING_STEP:
        raise InvalidInput("要修正の欄を指定できるのは差戻しのときだけです。")
    comment = (comment or "").strip()
    if expected_state is not None and expected_state != sheet.state:
        raise StaleStateError(stale_message(sheet))
    found = refusal(user, name, sheet)
    if found is not None:
        raise _RAISES[found.kind](found.message)
    if t.comment_required and not comment:
        raise Refused(reason_missing_message(t.label))
    return _move(sheet, t, user, comment, sections=flagged or None,
                 expected_version=expected_version)


def flagged_keys(sections, year: int) -> list[str]:
    """The section keys as given, checked against the schema and put in its order.

    Raises InvalidInput for a key the sheet does not have (a stale or hand-made form).
    """
    sheet_schema = schema(year)
    given = {str(key) for key in sections}
    unknown = given - set(sheet_schema.keys)
    if unknown:
        raise InvalidInput("選択された欄の中に、この個票にない欄があります。"
                           "画面を開き直してから、もう一度選んでください。")
    return [key for key in sheet_schema.keys if key in given]


def import_approved(sheet: Sheet, importer: User, before: dict | None) -> Transition:
    """Mark a sheet whose content the importer has just written as approved.

    `before` is the sheet's content before the import (None for a new sheet);
    the audit row lists the parts that changed, and a snapshot keeps the new content.
    """
    db.session.flush()
    after = sheet_to_dict(sheet)
    return _move(sheet, SYSTEM_TRANSITIONS["import"], importer, "報告書ファイルから取込",
                 changes=audit.diff(before or {}, after))


def carried_forward(sheet: Sheet, source_year: int, actor: User | None) -> Transition:
    """Record that `sheet` was born a draft, carried forward from `source_year`'s approved sheet."""
    t = SYSTEM_TRANSITIONS["open"]
    db.session.flush()
    return _record(sheet, t, actor, State.NOT_STARTED.value, utcnow(),
                   f"{source_year}年度の承認済み個票から引継ぎ", None, {})


def _move(sheet: Sheet, t: Step, user: User | None, comment: str,
          changes: dict | None = None, sections: list[str] | None = None,
          expected_version: int | None = None) -> Transition:
    now = utcnow()
    from_state = sheet.state
    values = {"state": t.target.value}
    if t.target == State.APPROVED:
        values.update(approved_at=now, approved_by_id=user.id if user else None)
    else:
        values.update(approved_at=None, approved_by_id=None)
    # Compare-and-set: only one of two concurrent reviewers gets a row back; with
    # `expected_version`, a save that landed after the checks (an autosave racing a
    # submission) leaves no row either, so the version moved is the version checked.
    where = [Sheet.id == sheet.id, Sheet.state == from_state]
    if expected_version is not None:
        where.append(Sheet.version == expected_version)
    result = db.session.execute(
        update(Sheet).where(*where).values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(sheet)
        if expected_version is not None and sheet.state == from_state:
            raise ContentChangedError()
        raise StaleStateError(stale_message(sheet))
    db.session.refresh(sheet)
    version_number = snapshot(sheet, user, reason=t.name).number if t.name in SNAPSHOT_ON else None
    return _record(sheet, t, user, from_state, now, comment, version_number, changes or {},
                   sections)


def _record(sheet: Sheet, t: Step, user: User | None, from_state: str, now, comment: str,
            version_number: int | None, changes: dict,
            sections: list[str] | None = None) -> Transition:
    """The transition row, its audit row and the signal mail listens to: one place for all three."""
    record = Transition(sheet_id=sheet.id, action=t.name, from_state=from_state,
                        to_state=t.target.value, actor_id=user.id if user else None, at=now,
                        comment=comment, version_number=version_number, sections=sections)
    db.session.add(record)
    summary = f"{sheet.cycle.year}年度 {sheet.project.number}番「{sheet.project.title}」：{t.label}"
    if version_number is not None:
        summary += f"（第{version_number}版）"
    if comment and t.comment_required:
        summary += f"　理由：{comment[:200]}"
    if sections:
        changes = {**changes, "sections": (None, list(sections))}
        summary += "　要修正：" + "、".join(schema(sheet.cycle.year).label(key, sheet.cycle.year)
                                         for key in sections)
    audit.record(user, t.name, "sheet", sheet.id, summary,
                 {"state": (from_state, t.target.value), **changes})
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
