"""Sections a reviewer flagged when returning a sheet, and whether they have changed since.

A return (operations.transition) may name the sections that must change
(`Transition.sections`). They stay flagged from that return until the sheet
is approved, reopened or returned again; "changed" compares each flagged
section of the submission that was returned with the sheet's content now
(while it is being reworked) or with the resubmission (once resubmitted).
Sections are compared as the comparison page shows them
(content_text.section_texts), so KPIs, roadmap and figures count too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.content_text import section_texts
from webapp.extensions import db
from webapp.models import Sheet, SheetVersion, Transition
from webapp.operations import FLAGGING_STEP
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import schema
from webapp.workflow import EDITABLE_STATES, State

CURRENT = "current"   # the comparison page's key for the sheet's content now (review.history)

# Steps after which an earlier return no longer asks for anything.
_ENDS_A_RETURN = ("return", "reopen", "approve")


@dataclass
class FlagReview:
    returned: Transition                 # the return that flagged the sections
    sections: list[str]                  # flagged keys, in the schema's order
    before: str                          # comparison key of the returned submission, e.g. "v2"
    after: str                           # "v3" once resubmitted, else CURRENT
    changed: dict[str, bool] = field(default_factory=dict)

    @property
    def resubmitted(self) -> bool:
        return self.after != CURRENT

    @property
    def changed_count(self) -> int:
        return sum(1 for key in self.sections if self.changed.get(key))

    @property
    def unchanged(self) -> list[str]:
        return [key for key in self.sections if not self.changed.get(key)]


def last_return(sheet: Sheet) -> Transition | None:
    """The latest return or reopen with its reason, while the sheet is being reworked."""
    if sheet.state not in (State.RETURNED.value, State.DRAFT.value):
        return None
    for t in reversed(sheet.transitions):
        if t.action in ("return", "reopen"):
            return t
        if t.action in ("submit", "approve"):
            return None
    return None


def _latest_return(transitions: list[Transition]) -> tuple[int, Transition] | None:
    for i in range(len(transitions) - 1, -1, -1):
        if transitions[i].action in _ENDS_A_RETURN:
            return (i, transitions[i]) if transitions[i].action == FLAGGING_STEP else None
    return None


def review(sheet: Sheet) -> FlagReview | None:
    """The flagged sections of the sheet's latest return and whether each changed, or None.

    None when the latest return flagged nothing, or when the sheet has since
    been approved or reopened (the request is settled).
    """
    transitions = sorted(sheet.transitions, key=lambda t: t.id)
    found = _latest_return(transitions)
    if found is None:
        return None
    index, returned = found
    keys = [key for key in (returned.sections or []) if key in schema(sheet.cycle.year)]
    if not keys:
        return None
    before = next((t for t in reversed(transitions[:index])
                   if t.action == "submit" and t.version_number), None)
    if before is None:
        return None
    state = State(sheet.state)
    if state in EDITABLE_STATES:
        after_key, after_content = CURRENT, sheet_to_dict(sheet)
    elif state == State.SUBMITTED:
        resubmit = next((t for t in reversed(transitions[index + 1:])
                         if t.action == "submit" and t.version_number), None)
        if resubmit is None:
            return None
        after_key, after_content = f"v{resubmit.version_number}", _version(sheet, resubmit.version_number)
    else:
        return None
    template = schema(sheet.cycle.year)
    old = section_texts(_version(sheet, before.version_number), template)
    new = section_texts(after_content, template)
    return FlagReview(returned=returned, sections=keys, before=f"v{before.version_number}",
                      after=after_key,
                      changed={key: old.get(key, "") != new.get(key, "") for key in keys})


def _version(sheet: Sheet, number: int) -> dict:
    return db.session.scalar(select(SheetVersion.content)
                             .where(SheetVersion.sheet_id == sheet.id, SheetVersion.number == number))


def flagged_while_editing(sheet: Sheet) -> dict[str, bool]:
    """The sections flagged by the return now being worked on, in the schema's order, each
    with whether it has changed since: the editor and the sheet page mark them 「要修正」,
    or 「変更済み」 once changed (the same comparison as the dashboard's count)."""
    found = review(sheet)
    if found is None or found.resubmitted:
        return {}
    return {key: found.changed.get(key, False) for key in found.sections}
