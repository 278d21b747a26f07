"""The report's optional appendix 「ＫＰＩ達成状況一覧」, printed after the sheets.

It is part of the report document (pdf_templates/_appendix.html), so it is
laid out, tagged, numbered, bookmarked and listed in the contents like the
rest. The rows come in the report meta, ``meta["appendix"] = {"rows": [...],
"rule": "..."}``; a row is a dict with the keys mark, project, kpi, unit,
baseline, latest, latest_year, target, target_year, rate, change, status,
qualitative (all text but the last), as
webapp.council.progress.appendix_rows() makes them.
"""
from __future__ import annotations

__all__ = ["TITLE", "status_class"]

TITLE = "ＫＰＩ達成状況一覧"
_STATUS_CLASS = {"達成": "achieved", "順調": "ontrack", "遅れ": "behind", "未入力": "nodata"}


def status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "nodata")
