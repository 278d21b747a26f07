"""The sheet workflow: one explicit table of states and transitions.

Views decide which buttons to show, operations decide what is allowed and
tests enumerate cases from this table alone; nothing else encodes the
workflow.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from webapp.roles import REVIEWER_ROLES


class State(str, Enum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def css(self) -> str:
        return STATE_CSS[self]


STATE_LABELS = {
    State.NOT_STARTED: "未着手",
    State.DRAFT: "作成中",
    State.SUBMITTED: "提出済",
    State.RETURNED: "差戻し",
    State.APPROVED: "承認済",
}

# Bootstrap contextual colours, so every list shows a state the same way.
STATE_CSS = {
    State.NOT_STARTED: "secondary",
    State.DRAFT: "info",
    State.SUBMITTED: "primary",
    State.RETURNED: "warning",
    State.APPROVED: "success",
}

# States in which the lead organisation may change the content.
EDITABLE_STATES = frozenset({State.NOT_STARTED, State.DRAFT, State.RETURNED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[State]
    target: State
    roles: frozenset[str]          # user roles allowed to perform it
    lead_only: bool                # coordinators must belong to a lead organisation
    comment_required: bool
    confirm: bool                  # UI asks for confirmation first
    needs_open_cycle: bool
    verb: str = ""                 # the confirming button: 「差し戻す」, where 「差戻しする」 reads badly
    past: str = ""                 # what the page says afterwards: 「差し戻しました」, not 「差戻ししました」

    @property
    def button(self) -> str:
        return self.verb or f"{self.label}する"

    @property
    def done(self) -> str:
        return self.past or f"{self.label}しました"


_REVIEWERS = REVIEWER_ROLES

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("edit", "編集開始", frozenset({State.NOT_STARTED}), State.DRAFT,
                   frozenset({"coordinator"}), True, False, False, True, past="編集を始めました"),
        Transition("submit", "提出", frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED,
                   frozenset({"coordinator"}), True, False, True, True),
        Transition("withdraw", "提出取消し", frozenset({State.SUBMITTED}), State.DRAFT,
                   frozenset({"coordinator"}), True, False, True, True, verb="提出を取り消す",
                   past="提出を取り消しました"),
        Transition("return", "差戻し", frozenset({State.SUBMITTED}), State.RETURNED,
                   _REVIEWERS, False, True, True, False, verb="差し戻す", past="差し戻しました"),
        Transition("approve", "承認", frozenset({State.SUBMITTED}), State.APPROVED,
                   _REVIEWERS, False, False, True, False),
        Transition("reopen", "承認取消し（再開）", frozenset({State.APPROVED}), State.DRAFT,
                   frozenset({"admin"}), False, True, True, False, verb="承認を取り消す",
                   past="承認を取り消しました"),
    )
}


# Steps the system takes, never offered to a person: `can()` knows nothing of
# them, so no role may take them through a view. They are listed here so the
# transitions table (and its CHECK constraint) knows every action it holds.
SYSTEM_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # Opening a year creates the sheet carried forward from last year's. It stays
        # 未着手 until its organisation first saves it ("edit"), so that the secretariat
        # sees who has started; the carried-forward text is there in the editor.
        Transition("open", "年度開始（引継ぎ）", frozenset({State.NOT_STARTED}), State.NOT_STARTED,
                   frozenset(), False, False, False, False),
        # An approved sheet loaded from a report file, whatever state it was in.
        Transition("import", "取込", frozenset(State), State.APPROVED,
                   frozenset(), False, False, False, False),
    )
}

# Every action a row of the transitions table may hold.
TRANSITION_ACTIONS = tuple(TRANSITIONS) + tuple(SYSTEM_TRANSITIONS)


def step_label(name: str) -> str:
    """The label of a step, a person's or the system's (also the reason of a snapshot)."""
    step = TRANSITIONS.get(name) or SYSTEM_TRANSITIONS.get(name)
    return step.label if step else name


def transitions_from(state: State | str) -> list[Transition]:
    state = State(state)
    return [t for t in TRANSITIONS.values() if state in t.sources]
