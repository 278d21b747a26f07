from __future__ import annotations

from sqlalchemy import CheckConstraint, String, true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db

ORG_KINDS = {
    "prefecture": "県",
    "national_agency": "国の地方支分部局",
    "business_federation": "経済団体",
    "municipality": "市",
    "association": "団体・協議会",
    "secretariat": "事務局",
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('prefecture','national_agency','business_federation',"
                        "'municipality','association','secretariat')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Organisations with users or projects are never deleted, only deactivated:
    # last years' sheets and the audit trail still name them.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"
