"""Read-side queries for the home pages and lists."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Project, ProjectOrganisation, ReportingCycle, Sheet, Transition
from webapp.permissions import visible_projects
from webapp.workflow import State


def cycles_desc() -> list[ReportingCycle]:
    return db.session.scalars(select(ReportingCycle).order_by(ReportingCycle.year.desc())).all()


def sheets_for_year(cycle: ReportingCycle, projects: list[Project]) -> dict[int, Sheet]:
    """project id -> sheet of that cycle, in one query."""
    ids = [p.id for p in projects]
    if not ids:
        return {}
    rows = db.session.scalars(select(Sheet).where(Sheet.cycle_id == cycle.id,
                                                  Sheet.project_id.in_(ids))
                              .options(selectinload(Sheet.updated_by),
                                       selectinload(Sheet.transitions)
                                       .selectinload(Transition.actor))).all()
    return {s.project_id: s for s in rows}


def state_counts(cycle: ReportingCycle, projects: list[Project]) -> dict[State, int]:
    """State -> number of the projects' sheets of that cycle, every state listed, in one query."""
    found = dict(db.session.execute(
        select(Sheet.state, func.count()).where(Sheet.cycle_id == cycle.id,
                                                Sheet.project_id.in_([p.id for p in projects]))
        .group_by(Sheet.state)).all())
    return {s: found.get(s.value, 0) for s in State}


def projects_for(user) -> list[Project]:
    query = visible_projects(user).options(
        selectinload(Project.links).selectinload(ProjectOrganisation.organisation))
    return db.session.scalars(query).all()
