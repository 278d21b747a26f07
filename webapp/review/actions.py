"""Workflow steps as users take them: checks that come before operations.transition().

`perform()` is what the views call. The state change itself, its record,
the version snapshot and the `sheet_transitioned` signal (mail) are
operations.transition()'s; this module adds what a person needs to be told
before that: why a step is not possible now (closed cycle, empty required
sections, a sheet that cannot fit one page), in words naming the sections.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.extensions import db
from webapp.models import Sheet, User
from webapp.operations import StaleStateError, WorkflowError, transition
from webapp.permissions import WITHDRAW_REFUSED, transition_refusal
from webapp.review import fit_gate
from webapp.sections import SECTIONS, section_label
from webapp.models import Transition as TransitionRecord
from webapp.workflow import TRANSITIONS, State
from webapp.workflow import Transition as Step

# The steps this package offers as buttons; 'edit' (not started -> draft) is the
# editing form's, taken when a coordinator first saves.
REVIEW_STEPS = tuple(name for name in TRANSITIONS if name != "edit")

# Button colour per step (presentation only; who may do what is the workflow table's).
STEP_CSS = {"submit": "primary", "withdraw": "outline-secondary", "return": "warning",
            "approve": "success", "reopen": "outline-danger"}


class NotPermitted(WorkflowError):
    """The user's role can never take this step on this sheet (403)."""


class Refused(WorkflowError):
    """The step is not possible now, for reasons listed in `problems` (shown as a list)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class Outcome:
    sheet: Sheet
    step: Step
    record: TransitionRecord


def step(name: str) -> Step:
    return TRANSITIONS[name]


def check_role(user: User, sheet: Sheet, name: str) -> None:
    if transition_refusal(user, name, sheet) == "role":
        raise NotPermitted(f"この個票を「{step(name).label}」する権限がありません。")


def state_problem(user: User, sheet: Sheet, name: str) -> str | None:
    """A message when the step is not possible in the sheet's current state or cycle."""
    reason = transition_refusal(user, name, sheet)
    t = step(name)
    if reason == "state":
        return (f"この個票は現在「{State(sheet.state).label}」のため、「{t.label}」はできません。"
                "画面を開き直して最新の状態を確認してください。")
    if reason == "cycle":
        return f"{sheet.cycle.year}年度の受付は締め切られているため、「{t.label}」はできません。"
    if reason == "review":
        return WITHDRAW_REFUSED
    return None


def submit_problems(sheet: Sheet) -> list[str]:
    """Why the sheet cannot be submitted yet, naming the sections; empty when it can."""
    year = sheet.cycle.year
    problems = []
    empty = [s for s in SECTIONS if s.required and s.text
             and not (getattr(sheet, s.key) or "").strip()]
    if empty:
        names = "、".join(f"『{section_label(s.key, year)}』" for s in empty)
        problems.append(f"必須の欄が未記入です：{names}")
    verdict = fit_gate.check(sheet)
    if verdict.failed:
        problems.append("1ページに収まるかを確認できませんでした。しばらくしてからもう一度お試しください。"
                        "続く場合は事務局にご連絡ください。")
    elif not verdict.fits:
        names = "、".join(f"『{h}』" for h in verdict.shorten) or "本文"
        problems.append(f"最小の文字サイズでも1ページに収まりません。次の欄を短くしてください：{names}")
    return problems


def perform(user: User, sheet: Sheet, name: str, comment: str = "",
            expected_state: str | None = None) -> Outcome:
    """Take step `name` and commit; raises NotPermitted, Refused or StaleStateError."""
    if name not in REVIEW_STEPS:
        raise NotPermitted("不明な操作です。")
    t = step(name)
    check_role(user, sheet, name)
    if expected_state is not None and expected_state != sheet.state:
        raise StaleStateError(_stale(sheet))
    problem = state_problem(user, sheet, name)
    if problem:
        if transition_refusal(user, name, sheet) == "state":
            raise StaleStateError(problem)
        raise Refused(problem)
    if t.comment_required and not (comment or "").strip():
        raise Refused(f"「{t.label}」には理由の入力が必要です。")
    if name == "submit":
        problems = submit_problems(sheet)
        if problems:
            raise Refused("提出できません。次の点を直してから提出してください。", problems)
    try:
        record = transition(user, sheet, name, comment, expected_state=expected_state)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Outcome(sheet=sheet, step=t, record=record)


def _stale(sheet: Sheet) -> str:
    db.session.refresh(sheet)
    return (f"この個票は他の方の操作により既に「{State(sheet.state).label}」になっています。"
            "画面を開き直して最新の状態を確認してください。")
