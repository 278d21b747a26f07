"""Who may do what, and why not: the one place that decides.

`can(user, action, obj)` answers every access question. Views call it (or
the `*_or_404` helpers) and never test roles or organisations themselves.
`refusal(user, action, obj)` answers the other half: why not, as a
`Refusal` whose Japanese message is written here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Comment, Project, ProjectOrganisation, Sheet, Transition, User
from webapp.roles import REVIEWER_ROLES
from webapp.workflow import EDITABLE_STATES, TRANSITIONS, State

REVIEWER_ACTIONS = frozenset({
    "view_dashboard", "build_report", "view_builds", "export_xlsx", "manage_cycles",
    "view_all", "edit_template",
})
ADMIN_ACTIONS = frozenset({"manage_users", "view_mail", "manage_projects", "manage_organisations",
                           "view_audit"})

# Withdrawing is for second thoughts before the secretariat starts on a submission.
# "Started" is what the database records: a reviewer's comment on the sheet made
# since its latest submission. The screen and the refusal say it in these words.
WITHDRAW_RULE = "提出の取消しは、事務局が確認を始める（この提出にコメントを付ける）までできます。"
WITHDRAW_REFUSED = ("事務局がこの提出の確認を始めた（コメントを付けた）ため、提出を取り消せません。"
                    "直す必要があるときは、事務局に差戻しを依頼してください。")


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def project_role(user: User, project: Project) -> str | None:
    """'lead', 'co' or None: how the user's organisation takes part in the project."""
    if user.organisation_id is None:
        return None
    return project.role_of(user.organisation_id)


def can(user, action: str, obj=None) -> bool:
    if not _authenticated(user):
        return False
    if action in ADMIN_ACTIONS:
        return user.role == "admin"
    if action in REVIEWER_ACTIONS:
        return user.is_reviewer
    if action == "change_password":
        return True

    if action == "view_kpi_progress":
        # Reviewers see every project; a coordinator the projects their
        # organisation leads or co-leads (the page lists only those).
        if user.is_reviewer:
            return True
        if obj is None:
            return user.organisation_id is not None
        project = obj.project if isinstance(obj, Sheet) else obj
        return project_role(user, project) is not None

    project = obj.project if isinstance(obj, Sheet) else obj
    if action in ("view_project", "view_sheet"):
        return user.is_reviewer or project_role(user, project) is not None
    if action == "comment":
        return user.is_reviewer or project_role(user, project) == "lead"
    if action == "edit_sheet":
        return (user.role == "coordinator" and project_role(user, project) == "lead"
                and State(obj.state) in EDITABLE_STATES and obj.cycle.is_open)
    if action in TRANSITIONS:
        return _transition_refusal(user, action, obj) is None
    raise ValueError(f"unknown action {action!r}")


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible.

    kind: 'role' — never this user's to do (403); 'state' — not in the object's
    current state (409; the page was probably stale); 'cycle' — the year's
    cycle is closed (409). `message` is shown to the user as is.
    'review' — a withdrawal after the secretariat started reviewing (WITHDRAW_RULE; 409).
    """
    kind: str
    message: str

    @property
    def forbidden(self) -> bool:
        return self.kind == "role"


def stale_message(sheet: Sheet) -> str:
    """The sheet changed state since the user loaded the page."""
    return (f"この個票は他の方の操作により既に「{State(sheet.state).label}」になっています。"
            "画面を開き直して最新の状態を確認してください。")


# A submission is of the content its checks were made on; an autosave or a save in
# another tab in between means the user must look again.
SAVED_SINCE_CHECK_MESSAGE = ("提出の確認中に内容が保存されました（自動保存を含みます）。提出はまだ行われていません。"
                             "保存された最新の内容で確認し直しましたので、もう一度確認してから提出してください。")

UNKNOWN_ACTION_MESSAGE = "不明な操作です。"


def reason_missing_message(label: str) -> str:
    return f"「{label}」には理由の入力が必要です。"


def refusal(user, action: str, obj=None) -> Refusal | None:
    """Why `user` may not do `action` on `obj` now, or None when they may."""
    if action in TRANSITIONS:
        return _transition_refusal(user, action, obj)
    if action == "edit_sheet":
        return _edit_refusal(user, obj)
    if can(user, action, obj):
        return None
    if action == "comment":
        return Refusal("role", "この個票にコメントする権限がありません。")
    return Refusal("role", "この操作をする権限がありません。")


def _transition_refusal(user, name: str, sheet: Sheet) -> Refusal | None:
    t = TRANSITIONS[name]
    role = Refusal("role", f"この個票を「{t.label}」する権限がありません。")
    if not _authenticated(user) or user.role not in t.roles:
        return role
    if t.lead_only and project_role(user, sheet.project) != "lead":
        return role
    if State(sheet.state) not in t.sources:
        return Refusal("state", f"この個票は現在「{State(sheet.state).label}」のため、「{t.label}」はできません。"
                                "画面を開き直して最新の状態を確認してください。")
    if t.needs_open_cycle and not sheet.cycle.is_open:
        return _closed(sheet, f"「{t.label}」はできません")
    if name == "withdraw" and review_started(sheet):
        return Refusal("review", WITHDRAW_REFUSED)
    return None


def _closed(sheet: Sheet, what: str) -> Refusal:
    return Refusal("cycle", f"{sheet.cycle.year}年度の受付は締め切られているため、{what}。")


def _edit_refusal(user, sheet: Sheet) -> Refusal | None:
    if can(user, "edit_sheet", sheet):
        return None
    # The lead organisation's coordinators are told what stops them; others only that they may not.
    lead = _authenticated(user) and project_role(user, sheet.project) == "lead"
    if lead and not sheet.cycle.is_open:
        return _closed(sheet, "この個票は編集できません")
    state = State(sheet.state)
    if lead and state not in EDITABLE_STATES:
        text = f"この個票は「{state.label}」のため編集できません。"
        if state == State.SUBMITTED:
            text += "修正が必要な場合は提出を取り消してください。" + WITHDRAW_RULE
        return Refusal("state", text)
    return Refusal("role", "この個票を編集する権限がありません。")


def review_started(sheet: Sheet) -> bool:
    """A secretariat member or admin has commented on the sheet since its latest submission."""
    if sheet.id is None:  # not stored yet: nothing can have been recorded about it
        return False
    submitted_at = db.session.scalar(
        select(func.max(Transition.at)).where(Transition.sheet_id == sheet.id,
                                              Transition.action == "submit"))
    if submitted_at is None:
        return False
    return db.session.scalar(
        select(Comment.id).join(User, User.id == Comment.author_id)
        .where(Comment.sheet_id == sheet.id, Comment.created_at >= submitted_at,
               User.role.in_(REVIEWER_ROLES)).limit(1)) is not None


def visible_projects(user: User):
    """A select() of the projects the user may read, in number order."""
    query = select(Project).order_by(Project.number)
    if not user.is_reviewer:
        query = query.where(Project.id.in_(
            select(ProjectOrganisation.project_id)
            .where(ProjectOrganisation.organisation_id == user.organisation_id)))
    return query


def require(user, action: str, obj=None) -> None:
    """403 for a missing role, used for pages whose existence is no secret."""
    if not can(user, action, obj):
        abort(403)


def sheet_or_404(user, sheet_id: int, action: str = "view_sheet") -> Sheet:
    """The sheet, or 404 when it does not exist or the user may not read it.

    Another organisation's sheet answers 404, not 403, so that its existence
    is not revealed. When the user may read it but not perform `action`,
    the answer is 403.
    """
    sheet = db.session.get(Sheet, sheet_id)
    if sheet is None or not can(user, "view_sheet", sheet):
        abort(404)
    if action != "view_sheet" and not can(user, action, sheet):
        abort(403)
    return sheet
