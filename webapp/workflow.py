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


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of the workflow (the database's record of a step taken is
    webapp.models.Transition)."""
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

TRANSITIONS: dict[str, Step] = {
    t.name: t
    for t in (
        Step(name="edit", label="編集開始", sources=frozenset({State.NOT_STARTED}), target=State.DRAFT,
             roles=frozenset({"coordinator"}), lead_only=True, comment_required=False,
             confirm=False, needs_open_cycle=True, past="編集を始めました"),
        Step(name="submit", label="提出", sources=frozenset({State.DRAFT, State.RETURNED}),
             target=State.SUBMITTED, roles=frozenset({"coordinator"}), lead_only=True,
             comment_required=False, confirm=True, needs_open_cycle=True),
        Step(name="withdraw", label="提出取消し", sources=frozenset({State.SUBMITTED}),
             target=State.DRAFT, roles=frozenset({"coordinator"}), lead_only=True,
             comment_required=False, confirm=True, needs_open_cycle=True,
             verb="提出を取り消す", past="提出を取り消しました"),
        Step(name="return", label="差戻し", sources=frozenset({State.SUBMITTED}),
             target=State.RETURNED, roles=_REVIEWERS, lead_only=False, comment_required=True,
             confirm=True, needs_open_cycle=False, verb="差し戻す", past="差し戻しました"),
        Step(name="approve", label="承認", sources=frozenset({State.SUBMITTED}),
             target=State.APPROVED, roles=_REVIEWERS, lead_only=False, comment_required=False,
             confirm=True, needs_open_cycle=False),
        Step(name="reopen", label="承認取消し（再開）", sources=frozenset({State.APPROVED}),
             target=State.DRAFT, roles=frozenset({"admin"}), lead_only=False,
             comment_required=True, confirm=True, needs_open_cycle=False,
             verb="承認を取り消す", past="承認を取り消しました"),
    )
}


# Steps the system takes, never offered to a person: `can()` knows nothing of
# them, so no role may take them through a view. They are listed here so the
# transitions table (and its CHECK constraint) knows every action it holds.
SYSTEM_TRANSITIONS: dict[str, Step] = {
    t.name: t
    for t in (
        # Opening a year creates the sheet carried forward from last year's. It stays
        # 未着手 until its organisation first saves it ("edit"), so that the secretariat
        # sees who has started; the carried-forward text is there in the editor.
        Step(name="open", label="年度開始（引継ぎ）", sources=frozenset({State.NOT_STARTED}),
             target=State.NOT_STARTED, roles=frozenset(), lead_only=False,
             comment_required=False, confirm=False, needs_open_cycle=False),
        # An approved sheet loaded from a report file, whatever state it was in.
        Step(name="import", label="取込", sources=frozenset(State), target=State.APPROVED,
             roles=frozenset(), lead_only=False, comment_required=False, confirm=False,
             needs_open_cycle=False),
    )
}

# Every action a row of the transitions table may hold.
TRANSITION_ACTIONS = tuple(TRANSITIONS) + tuple(SYSTEM_TRANSITIONS)


def step_label(name: str) -> str:
    """The label of a step, a person's or the system's (also the reason of a snapshot)."""
    step = TRANSITIONS.get(name) or SYSTEM_TRANSITIONS.get(name)
    return step.label if step else name


def transitions_from(state: State | str) -> list[Step]:
    state = State(state)
    return [t for t in TRANSITIONS.values() if state in t.sources]
