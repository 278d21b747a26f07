"""A project's progress sheet (個票) for one reporting cycle, and its parts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.dbbase import ExactDecimal, UTCDateTime
from webapp.models.cycle import ReportingCycle
from webapp.models.project import Project
from webapp.models.user import User
from webapp.timeutil import utcnow
from webapp.workflow import TRANSITION_ACTIONS, TRANSITIONS, State

Number = ExactDecimal()
_STATES = ",".join(f"'{s.value}'" for s in State)
# Transitions that need a reason (return, reopen): the trail never holds one without it.
# Changing `comment_required` in the workflow table needs a migration of this constraint.
_NEEDS_REASON = ",".join(f"'{t.name}'" for t in TRANSITIONS.values() if t.comment_required)
# People's steps and the system's (open, import); a new one needs a migration of this constraint.
_TRANSITION_ACTIONS = ",".join(f"'{name}'" for name in TRANSITION_ACTIONS)


class Sheet(db.Model):
    __tablename__ = "sheets"
    __table_args__ = (
        UniqueConstraint("project_id", "cycle_id"),
        CheckConstraint(f"state IN ({_STATES})", name="state"),
        # Approval fields are set exactly when the sheet is approved.
        CheckConstraint(
            "(state = 'approved' AND approved_at IS NOT NULL AND approved_by_id IS NOT NULL)"
            " OR (state <> 'approved' AND approved_at IS NULL AND approved_by_id IS NULL)",
            name="approval_fields"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    state: Mapped[str] = mapped_column(String(20), default=State.NOT_STARTED.value)
    # Optimistic concurrency: every content save bumps it and must name the one it started from.
    version: Mapped[int] = mapped_column(default=1)

    # The text sections, by section key (webapp.sheet_schema): a section added to
    # the schema needs no new column.
    texts: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    target_year: Mapped[int | None] = mapped_column()
    target_label: Mapped[str] = mapped_column(String(200), default="")
    roadmap_title: Mapped[str | None] = mapped_column(String(200))
    roadmap_years: Mapped[list | None] = mapped_column(JSON)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The lead label an approved sheet was printed with, kept when the
    # project's label changes later (webapp.council.operations); NULL: the
    # project's current label.
    approved_lead_label: Mapped[str | None] = mapped_column(String(300))

    project: Mapped[Project] = relationship()
    cycle: Mapped[ReportingCycle] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    kpis: Mapped[list[Kpi]] = relationship(cascade="all, delete-orphan", order_by="Kpi.position")
    roadmap_rows: Mapped[list[RoadmapRow]] = relationship(
        cascade="all, delete-orphan", order_by="RoadmapRow.position")
    figures: Mapped[list[Figure]] = relationship(cascade="all, delete-orphan",
                                                 order_by="Figure.position")
    transitions: Mapped[list[Transition]] = relationship(
        cascade="all, delete-orphan", order_by="Transition.id")

    def text(self, key: str) -> str:
        return (self.texts or {}).get(key) or ""


class Kpi(db.Model):
    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("sheet_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(50), default="")
    cumulative: Mapped[bool] = mapped_column(default=False)
    target_year: Mapped[int | None] = mapped_column()
    target_value: Mapped[Decimal | None] = mapped_column(Number)
    # Qualitative target, or how the printed sheet words a numeric one.
    target_text: Mapped[str | None] = mapped_column(Text)
    baseline_year: Mapped[int | None] = mapped_column()
    baseline_value: Mapped[Decimal | None] = mapped_column(Number)
    baseline_label: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    # "increase" / "decrease" (sheet_schema.KPI_DIRECTIONS); None: judged from the baseline.
    direction: Mapped[str | None] = mapped_column(String(10))
    # Fields of the year's template without a column of their own (webapp.sheet_schema.Field).
    extra: Mapped[dict | None] = mapped_column(JSON)

    values: Mapped[list[KpiValue]] = relationship(cascade="all, delete-orphan",
                                                  order_by="KpiValue.position")


class KpiValue(db.Model):
    """One point of a KPI's series; a year may repeat (e.g. March and December counts)."""

    __tablename__ = "kpi_values"
    __table_args__ = (UniqueConstraint("kpi_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    year: Mapped[int] = mapped_column()
    target: Mapped[Decimal | None] = mapped_column(Number)
    actual: Mapped[Decimal | None] = mapped_column(Number)
    label: Mapped[str | None] = mapped_column(String(100))
    extra: Mapped[dict | None] = mapped_column(JSON)   # see Kpi.extra


class RoadmapRow(db.Model):
    __tablename__ = "roadmap_rows"
    __table_args__ = (UniqueConstraint("sheet_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    activity: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    from_year: Mapped[str] = mapped_column(String(20))
    to_year: Mapped[str] = mapped_column(String(20))
    extra: Mapped[dict | None] = mapped_column(JSON)   # see Kpi.extra


class Figure(db.Model):
    __tablename__ = "figures"
    # The kinds are the template's choices (webapp.sheet_schema.FIGURE_FIELDS).
    __table_args__ = (UniqueConstraint("sheet_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    caption: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    # What the image shows, for readers who cannot see it (the PDF's /Alt).
    alt_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Random file name inside the uploads folder; never a path given by a user.
    image_file: Mapped[str | None] = mapped_column(String(100))
    image_width: Mapped[int | None] = mapped_column()
    image_height: Mapped[int | None] = mapped_column()
    extra: Mapped[dict | None] = mapped_column(JSON)   # see Kpi.extra


class Transition(db.Model):
    """The audit trail: every change of state, who made it and why."""

    __tablename__ = "transitions"
    __table_args__ = (
        CheckConstraint(f"action NOT IN ({_NEEDS_REASON}) OR comment <> ''", name="reason_given"),
        CheckConstraint(f"action IN ({_TRANSITION_ACTIONS})", name="known_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The content snapshot taken at this step (submissions), if any.
    version_number: Mapped[int | None] = mapped_column()
    # On a return: the section keys (webapp.sheet_schema) the reviewer asked to change;
    # NULL when the sheet was returned as a whole.
    sections: Mapped[list | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class SheetVersion(db.Model):
    """Content snapshot (export format) taken at each submission and approval."""

    __tablename__ = "sheet_versions"
    __table_args__ = (UniqueConstraint("sheet_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20), default="submit")

    created_by: Mapped[User | None] = relationship()


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # Resolution time and person are set exactly when the thread is resolved.
        CheckConstraint(
            "(resolved AND resolved_at IS NOT NULL AND resolved_by_id IS NOT NULL)"
            " OR (NOT resolved AND resolved_at IS NULL AND resolved_by_id IS NULL)",
            name="resolution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    # Section key (e.g. 'challenges'); NULL means the whole sheet.
    section: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ReminderSent(db.Model):
    """One row per (sheet, milestone), so a reminder is never sent twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("sheet_id", "milestone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    milestone: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
