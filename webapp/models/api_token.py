"""Personal API tokens: only the SHA-256 of each token is kept (webapp/api/tokens.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.dbbase import UTCDateTime
from webapp.extensions import db
from webapp.models.user import User
from webapp.timeutil import utcnow


class ApiToken(db.Model):
    """A token reads the API as its user; revoked tokens stay listed (and audited)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The rate limit's fixed window: when it began and the requests counted in it.
    window_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    window_requests: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
