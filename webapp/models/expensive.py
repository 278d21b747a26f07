from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.dbbase import UTCDateTime
from webapp.extensions import db
from webapp.timeutil import utcnow

EXPENSIVE_KINDS = ("preview", "import", "build")


class ExpensiveJob(db.Model):
    """An expensive piece of work (sheet preview, workbook import, report build) one
    user has under way; webapp/expensive.py counts them per user. In the database,
    so every web worker, RQ worker and thread sees the same count."""

    __tablename__ = "expensive_jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('preview','import','build')", name="kind"),
        Index("ix_expensive_jobs_kind_subject", "kind", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))   # the sheet or build id the work is about
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A job whose worker died never says it is done: its place lapses at this time.
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
