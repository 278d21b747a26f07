"""Workflow steps as users take them: what a person is told before operations.transition().

`perform()` is what the views call; like every operation it flushes and the
view commits. The state change, its record, the version snapshot, the audit
row and the `sheet_transitioned` signal (mail) are operations.transition()'s;
refusals and their wording are permissions.refusal()'s. This module adds
what only submission needs: empty required sections and a sheet that cannot
fit one page, in words naming the sections.
"""
from __future__ import annotations

from dataclasses import dataclass

from forms.sheet import roadmap_problems
from webapp.editing import fit
from webapp.models import Sheet, User
from webapp.operations import NotPermitted, Refused, StaleStateError, WorkflowError, transition
from webapp.permissions import UNKNOWN_ACTION_MESSAGE, refusal
from webapp.sheet_content import sheet_to_dict
from webapp.sheet_schema import schema
from webapp.models import Transition as TransitionRecord
from webapp.workflow import TRANSITIONS
from webapp.workflow import Transition as Step

__all__ = ["NotPermitted", "Refused", "StaleStateError", "WorkflowError", "perform"]

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


def editor_anchor(key: str) -> str:
    """Where the editor shows section `key`: a text's own block, else its box."""
    section = schema()[key]
    return f"block-{key}" if section.is_text else f"sec-{section.box}"


def submit_problems(sheet: Sheet) -> list[str]:
    """Why the sheet cannot be submitted yet, naming the sections; empty when it can."""
    year = sheet.cycle.year
    problems = []
    sheet_schema = schema()
    empty = [s for s in sheet_schema.text_sections if s.required and not sheet.text(s.key).strip()]
    if empty:
        names = "、".join(f"『{sheet_schema.label(s.key, year)}』" for s in empty)
        problems.append(Problem(f"必須の欄が未記入です：{names}",
                                [(sheet_schema.label(s.key, year), editor_anchor(s.key)) for s in empty]))
    roadmap = [(sheet_schema.label("roadmap", year), editor_anchor("roadmap"))]
    problems += [Problem(p.message, roadmap) for p in roadmap_problems(sheet_to_dict(sheet)["roadmap"])]
    verdict = fit.check(sheet)
    if verdict.state != "ready":
        problems.append("1ページに収まるかを確認できませんでした。しばらくしてからもう一度お試しください。"
                        "続く場合は事務局にご連絡ください。")
    elif not verdict.fits:
        names = "、".join(f"『{h}』" for h in verdict.overflow) or "本文"
        by_label = {sheet_schema.label(s.key, year): s.key for s in sheet_schema.sections}
        problems.append(Problem(f"最小の文字サイズでも1ページに収まりません。次の欄を短くしてください：{names}",
                                [(h, editor_anchor(by_label[h])) for h in verdict.overflow if h in by_label]))
    return problems


def perform(user: User, sheet: Sheet, name: str, comment: str = "",
            expected_state: str | None = None) -> Outcome:
    """Take step `name`; the caller commits. Raises NotPermitted, Refused or StaleStateError."""
    if name not in REVIEW_STEPS:
        raise NotPermitted(UNKNOWN_ACTION_MESSAGE)
    check_role(user, sheet, name)
    if name == "submit" and refusal(user, name, sheet) is None and (
            expected_state is None or expected_state == sheet.state):
        problems = submit_problems(sheet)
        if problems:
            raise Refused("提出できません。次の点を直してから提出してください。", problems)
    record = transition(user, sheet, name, comment, expected_state=expected_state)
    return Outcome(sheet=sheet, step=step(name), record=record)
