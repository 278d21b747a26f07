"""Who may do what: the one place that decides.

`can(user, action, obj)` answers every access question. Views call it (or
the `*_or_404` helpers) and never test roles or organisations themselves.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Project, ProjectOrganisation, Sheet, User
from webapp.workflow import EDITABLE_STATES, TRANSITIONS, State

REVIEWER_ACTIONS = frozenset({
    "view_dashboard", "build_report", "view_builds", "export_xlsx", "manage_cycles",
    "view_all",
})
ADMIN_ACTIONS = frozenset({"manage_users", "view_mail", "manage_projects",
                           "manage_organisations"})


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
        return transition_refusal(user, action, obj) is None
    raise ValueError(f"unknown action {action!r}")


def transition_refusal(user, name: str, sheet: Sheet) -> str | None:
    """Why `user` may not perform transition `name` on `sheet` now, or None when they may.

    'role': never, whatever the state (wrong role or not a lead organisation);
    'state': not in the sheet's current state; 'cycle': the year's cycle is closed.
    Views use it to answer 403 for the first and a clear message for the others.
    """
    t = TRANSITIONS[name]
    if not _authenticated(user) or user.role not in t.roles:
        return "role"
    if t.lead_only and project_role(user, sheet.project) != "lead":
        return "role"
    if State(sheet.state) not in t.sources:
        return "state"
    if t.needs_open_cycle and not sheet.cycle.is_open:
        return "cycle"
    return None


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
