from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.roles import REVIEWER_ROLES, ROLES
from webapp.dbbase import UTCDateTime
from webapp.models.organisation import Organisation
from webapp.timeutil import utcnow



class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('coordinator','secretariat','admin')", name="role"),
        # A coordinator acts for exactly one organisation.
        CheckConstraint("role <> 'coordinator' OR organisation_id IS NOT NULL",
                        name="coordinator_has_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Accounts such as the importer exist for the audit trail, not for logging in.
    system: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember-me cookie: changing it ends them all.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # TOTP second factor: the secret (base32) once enrolled, and the last time step
    # accepted, so that one code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and not self.system

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_all_sessions(self) -> None:
        self.session_token = secrets.token_hex(16)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_reviewer(self) -> bool:
        return self.role in REVIEWER_ROLES

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
