from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.dbbase import UTCDateTime
from webapp.models.cycle import ReportingCycle
from webapp.models.user import User
from webapp.timeutil import utcnow


class ReportBuild(db.Model):
    """A compiled report PDF: who asked, what went in, where it is, how far it got."""

    __tablename__ = "report_builds"
    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_label: Mapped[str] = mapped_column(String(300), default="")
    # Hash of everything that goes into the PDF: equal key, equal PDF.
    content_key: Mapped[str] = mapped_column(String(64))
    # [{"project": n, "sheet_id": id, "version": v}, ...]
    sheet_versions: Mapped[list] = mapped_column(JSON, default=list)
    file_name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column()
    error: Mapped[str] = mapped_column(Text, default="")
    # The archival PDF/A-2b copy written beside the published file.
    archive_file_name: Mapped[str | None] = mapped_column(String(200))
    # A 確認用 build: unapproved sheets included, marked, never the final report.
    draft: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    cycle: Mapped[ReportingCycle] = relationship()
    requested_by: Mapped[User | None] = relationship()
