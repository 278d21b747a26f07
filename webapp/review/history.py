"""A sheet's kept contents: numbered versions, the current text, last year's approved sheet."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Sheet, SheetVersion
from webapp.sheet_content import last_approved, sheet_to_dict
from webapp.timeutil import format_datetime
from webapp.workflow import EDITABLE_STATES, State, step_label

CURRENT = "current"
LAST_YEAR = "last_year"


@dataclass
class Source:
    key: str
    label: str
    content: dict
    year: int


def versions(sheet: Sheet) -> list[SheetVersion]:
    return db.session.scalars(
        select(SheetVersion).where(SheetVersion.sheet_id == sheet.id)
        .order_by(SheetVersion.number).options(selectinload(SheetVersion.created_by))).all()


def version_label(v: SheetVersion) -> str:
    return f"第{v.number}版（{step_label(v.reason)}・{format_datetime(v.created_at)}）"


def sources(sheet: Sheet) -> list[Source]:
    """Everything this sheet can be compared with, oldest first."""
    found = []
    other = last_approved(sheet)
    if other is not None:
        found.append(Source(LAST_YEAR, f"{other.cycle.year}年度の承認版", sheet_to_dict(other),
                            other.cycle.year))
    year = sheet.cycle.year
    for v in versions(sheet):
        found.append(Source(f"v{v.number}", version_label(v), v.content, year))
    found.append(Source(CURRENT, f"現在の内容（{format_datetime(sheet.updated_at)} 更新）",
                        sheet_to_dict(sheet), year))
    return found


def find(sources_: list[Source], key: str | None) -> Source | None:
    return next((s for s in sources_ if s.key == key), None)


def submissions(sheet: Sheet) -> list[SheetVersion]:
    return [v for v in versions(sheet) if v.reason == "submit"]


def previous_submission_pair(sheet: Sheet) -> tuple[str, str] | None:
    """(older, newer): the last two submissions, or the last submission and today's text.

    While the sheet is submitted or approved the newer side is the latest
    submission; while it is being reworked, it is the current text.
    """
    subs = submissions(sheet)
    if State(sheet.state) in EDITABLE_STATES:
        return (f"v{subs[-1].number}", CURRENT) if subs else None
    if len(subs) >= 2:
        return f"v{subs[-2].number}", f"v{subs[-1].number}"
    return None


def default_pair(sheet: Sheet, sources_: list[Source]) -> tuple[str, str]:
    pair = previous_submission_pair(sheet)
    if pair:
        return pair
    if find(sources_, LAST_YEAR):
        return LAST_YEAR, CURRENT
    return sources_[0].key, CURRENT

