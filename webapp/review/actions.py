"""Workflow steps as users take them: what a person is told before operations.transition().

`perform()` is what the views call; like every operation it flushes and the
view commits. The state change, its record, the version snapshot, the audit
row and the `sheet_transitioned` signal (mail) are operations.transition()'s;
refusals and their wording are permissions.refusal()'s. This module adds
what only submission needs: empty required sections and a sheet that cannot
fit one page, in words naming the sections; and what the submit confirmation
points out (`submit_warnings`): sections flagged at the return and still
unchanged, which must be confirmed, and text still as last year's.
"""
from __future__ import annotations

from dataclasses import dataclass

from forms.sheet import roadmap_problems
from webapp.editing import fit
from webapp.editing.carried import Carried, unchanged_from_last_year
from webapp.models import Sheet, User
from webapp.operations import (FLAGGING_STEP, ContentChangedError, InvalidInput, NotPermitted,
                               Refused, StaleStateError, WorkflowError, transition)
from webapp.permissions import UNKNOWN_ACTION_MESSAGE, refusal
from webapp.review.flags import review as flag_review
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_anchors import editor_anchor
from webapp.sheet_schema import FIGURES, KPIS, ROADMAP, schema
from webapp.models import Transition as TransitionRecord
from webapp.workflow import TRANSITIONS
from webapp.workflow import Step

__all__ = ["FLAGGING_STEP", "ContentChangedError", "InvalidInput", "NotPermitted", "Refused",
           "StaleStateError", "Unconfirmed", "WorkflowError", "perform"]

# The steps this package offers as buttons; 'edit' (not started -> draft) is the
# editing form's, taken when a coordinator first saves.
REVIEW_STEPS = tuple(name for name in TRANSITIONS if name != "edit")

# Button colour per step (presentation only; who may do what is the workflow table's).
STEP_CSS = {"submit": "primary", "withdraw": "outline-secondary", "return": "warning",
            "approve": "success", "reopen": "outline-danger"}


@dataclass
class Outcome:
    sheet: Sheet
    step: Step
    record: TransitionRecord


def step(name: str) -> Step:
    return TRANSITIONS[name]


def check_role(user: User, sheet: Sheet, name: str) -> None:
    found = refusal(user, name, sheet)
    if found is not None and found.forbidden:
        raise NotPermitted(found.message)


def state_problem(user: User, sheet: Sheet, name: str) -> str | None:
    """A message when the step is not possible in the sheet's current state or cycle."""
    found = refusal(user, name, sheet)
    return found.message if found is not None and not found.forbidden else None


class Problem(str):
    """A reason not to submit yet, with `links`: (section label, anchor in the editor) to fix it."""

    links: tuple[tuple[str, str], ...]

    def __new__(cls, text: str, links=()):
        problem = super().__new__(cls, text)
        problem.links = tuple(links)
        return problem


def submit_problems(sheet: Sheet) -> list[str]:
    """Why the sheet cannot be submitted yet, naming the sections; empty when it can."""
    year = sheet.cycle.year
    problems = []
    sheet_schema = schema(year)
    empty = [s for s in sheet_schema.text_sections if s.required and not sheet.text(s.key).strip()]
    if empty:
        names = "、".join(f"『{sheet_schema.label(s.key, year)}』" for s in empty)
        problems.append(Problem(f"必須の欄が未記入です：{names}",
                                [(sheet_schema.label(s.key, year), editor_anchor(s.key, year)) for s in empty]))
    problems += _missing_fields(sheet_schema, sheet_to_dict(sheet), year)
    roadmap = [(sheet_schema.label("roadmap", year), editor_anchor("roadmap", year))]
    problems += [Problem(p.message, roadmap) for p in roadmap_problems(sheet_to_dict(sheet)["roadmap"])]
    verdict = fit.check(sheet)
    if verdict.state != "ready":
        problems.append("1ページに収まるかを確認できませんでした。しばらくしてからもう一度お試しください。"
                        "続く場合は事務局にご連絡ください。")
    elif not verdict.fits:
        names = "、".join(f"『{h}』" for h in verdict.overflow) or "本文"
        by_label = {sheet_schema.label(s.key, year): s.key for s in sheet_schema.sections}
        problems.append(Problem(f"最小の文字サイズでも1ページに収まりません。次の欄を短くしてください：{names}",
                                [(h, editor_anchor(by_label[h], year)) for h in verdict.overflow if h in by_label]))
    return problems


_ENTRY_NAMES = {KPIS: ("KPI", lambda c: (c.get("targets") or {}).get("kpis")),
                FIGURES: ("図表", lambda c: c.get("figures")),
                ROADMAP: ("行", lambda c: (c.get("roadmap") or {}).get("rows"))}


def _missing_fields(sheet_schema, content: dict, year: int) -> list[Problem]:
    """Entries (a KPI, a figure, a roadmap row) whose required fields (the template's) are empty."""
    problems = []
    for section in sheet_schema.sections:
        if section.kind not in _ENTRY_NAMES:
            continue
        what, entries = _ENTRY_NAMES[section.kind]
        required = [f for f in section.entry_fields if f.required]
        for i, entry in enumerate(entries(content) or [], 1):
            # a field of a sub-part that is not there (a KPI without a baseline) is not missing
            there = [f for f in required if f.where[0] not in section.nullable
                     or entry.get(f.where[0]) is not None]
            empty = [f.label for f in there if f.is_empty(f.get(entry))
                     or (isinstance(f.get(entry), str) and not f.get(entry).strip())]
            if empty:
                problems.append(Problem(
                    f"{sheet_schema.label(section.key, year)}の{what} {i} に未記入の欄があります："
                    + "、".join(f"『{label}』" for label in empty),
                    [(sheet_schema.label(section.key, year), editor_anchor(section.key, year))]))
    return problems


@dataclass
class SubmitWarnings:
    """What the submit confirmation points out without refusing."""
    unchanged_flagged: list[str]   # keys flagged 「要修正」 at the return, unchanged since
    carried: list[Carried]         # text sections still as last year's approved sheet

    def __bool__(self) -> bool:
        return bool(self.unchanged_flagged or self.carried)


def submit_warnings(sheet: Sheet) -> SubmitWarnings:
    found = flag_review(sheet)
    unchanged = found.unchanged if found is not None and not found.resubmitted else []
    return SubmitWarnings(unchanged_flagged=unchanged, carried=unchanged_from_last_year(sheet))


def step_warnings(sheet: Sheet, name: str) -> SubmitWarnings | None:
    """What the confirmation of step `name` points out: the submit's warnings, and on the
    approval the same text still as last year's, so that the reviewer sees what the
    coordinator was warned about and submitted anyway."""
    if name == "submit":
        return submit_warnings(sheet)
    if name == "approve":
        return SubmitWarnings(unchanged_flagged=[], carried=unchanged_from_last_year(sheet))
    return None


class Unconfirmed(Refused):
    """A submission leaving 「要修正」 sections unchanged, not confirmed (the page asks again)."""


UNCHANGED_REFUSED = ("事務局が「要修正」とした欄が変更されていません。このまま提出する場合は、"
                     "「要修正の欄を変更せずに提出する」にチェックを入れてください。")


def perform(user: User, sheet: Sheet, name: str, comment: str = "",
            expected_state: str | None = None, sections=None,
            confirm_unchanged: bool = False, expected_version: int | None = None) -> Outcome:
    """Take step `name`; the caller commits.

    Raises NotPermitted, Refused, StaleStateError or ContentChangedError.
    `sections`: on a return, the keys of the sections that must change. A
    submission that leaves such a section unchanged needs `confirm_unchanged`.
    `expected_version`: on a submission, the version the confirmation page
    was shown for. A submission moves exactly the version whose content the
    checks below read; a save in between (an autosave) refuses it.
    """
    if name not in REVIEW_STEPS:
        raise NotPermitted(UNKNOWN_ACTION_MESSAGE)
    check_role(user, sheet, name)
    checked_version = None
    if name == "submit" and refusal(user, name, sheet) is None and (
            expected_state is None or expected_state == sheet.state):
        checked_version = sheet.version
        if expected_version is not None and expected_version != checked_version:
            raise ContentChangedError()
        problems = submit_problems(sheet)
        if problems:
            raise Refused("提出できません。次の点を直してから提出してください。", problems)
        unchanged = submit_warnings(sheet).unchanged_flagged
        if unchanged and not confirm_unchanged:
            year = sheet.cycle.year
            raise Unconfirmed(UNCHANGED_REFUSED,
                              [f"変更されていない「要修正」の欄：『{schema(year).label(key, year)}』"
                               for key in unchanged])
    record = transition(user, sheet, name, comment, expected_state=expected_state,
                        sections=sections, expected_version=checked_version)
    return Outcome(sheet=sheet, step=step(name), record=record)
