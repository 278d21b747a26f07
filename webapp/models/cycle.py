from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, String, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.dbbase import UTCDateTime
from webapp.timeutil import utcnow


class ReportingCycle(db.Model):
    """One reporting year Y: the sheets that report Y's results."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    # The compiled report's title and date, as on its cover.
    report_title: Mapped[str] = mapped_column(String(300), default="")
    report_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Print the 「ＫＰＩ達成状況一覧」 appendix after the sheets (the secretariat's choice).
    kpi_appendix: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The year's sheet template (webapp.template_json's format); None: the built-in
    # FY2023 one. Written by webapp.sheet_templates.replace_template alone.
    # Deferred: read when asked for, so the cycle pages do not load it, and earlier
    # schemas (migration tests at old revisions) still read cycles.
    sheet_template: Mapped[dict | None] = mapped_column(JSON, deferred=True)

    @property
    def label(self) -> str:
        return f"{self.year}年度"
