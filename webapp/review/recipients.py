"""Who is told: the secretariat, or the active coordinators of a project's lead organisations."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Project, User


def secretariat_emails() -> list[str]:
    """SECRETARIAT_EMAIL (comma-separated) when set, else every active secretariat user."""
    configured = current_app.config.get("SECRETARIAT_EMAIL") or ""
    addresses = [a.strip() for a in configured.split(",") if a.strip()]
    if addresses:
        return addresses
    return list(db.session.scalars(
        select(User.email).where(User.role == "secretariat", User.active.is_(True),
                                 User.system.is_(False)).order_by(User.email)))


def lead_coordinators(project: Project) -> list[User]:
    org_ids = [o.id for o in project.lead_organisations]
    if not org_ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.role == "coordinator", User.active.is_(True),
                           User.system.is_(False), User.organisation_id.in_(org_ids))
        .order_by(User.email)))


def lead_coordinator_emails(project: Project) -> list[str]:
    return [u.email for u in lead_coordinators(project)]


def lead_names(project: Project) -> str:
    """The lead organisations as a salutation names them: 福岡県・福岡市."""
    return "・".join(o.name for o in project.lead_organisations)
