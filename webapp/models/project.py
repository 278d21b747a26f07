from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.jptext import circled
from webapp.models.organisation import Organisation

# Project numbers the council may give: a municipality evaluates about 556 projects a year (#21).
NUMBER_RANGE = (1, 9999)

class ProjectOrganisation(db.Model):
    """Which organisations lead ('lead') or co-lead ('co') a project, in label order."""

    __tablename__ = "project_organisations"
    __table_args__ = (CheckConstraint("role IN ('lead','co')", name="role"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation] = relationship()


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("number >= 1", name="number_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # As printed after 幹事：, e.g. 大分県（福岡県・宮崎県）.
    lead_label: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)

    links: Mapped[list[ProjectOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by="(ProjectOrganisation.role.desc(), ProjectOrganisation.position)")

    @property
    def circled_number(self) -> str:
        return circled(self.number)

    @property
    def file_number(self) -> str:
        """The number in a download's file name, padded to the largest one so that files sort: '0002'."""
        return f"{self.number:0{len(str(NUMBER_RANGE[1]))}d}"

    @property
    def lead_organisations(self) -> list[Organisation]:
        return [link.organisation for link in self.links if link.role == "lead"]

    @property
    def co_organisations(self) -> list[Organisation]:
        return [link.organisation for link in self.links if link.role == "co"]

    def role_of(self, organisation_id: int | None) -> str | None:
        for link in self.links:
            if link.organisation_id == organisation_id:
                return link.role
        return None

    def __repr__(self) -> str:
        return f"<Project {self.number} {self.title}>"
