"""Who last changed a sheet, and when: the one answer home, the dashboard, the sheet page,
the editor and the downloads give.

Two readings of one sheet:

- `last_save(sheet)`: the latest content save (the editor's 「最終保存」); its `at` is None
  (「まだ保存されていません」) when nobody has saved the sheet. A sheet is born at version 1 and every save moves it on, so
  version 1 means unsaved whoever created it (the opener of the year, the admin who
  added the project).
- `last_change(sheet)`: the latest save or step by a person (submit, return, approve…)
  or import, whichever came last. The year's opening is not a change by anyone: a
  carried-forward sheet nobody has touched reads 「前年度から引継ぎ（日時）」, a new
  empty one 「まだ保存されていません」.

The sheet's transitions (with their actors) should be loaded with the sheet for lists.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from webapp.models import Sheet, User
from webapp.timeutil import format_datetime

NEVER_SAVED = "まだ保存されていません"
CARRIED = "前年度から引継ぎ"

# The system's step that creates a year's sheet: not a change anyone made.
_OPENING = "open"


@dataclass(frozen=True)
class LastChange:
    at: dt.datetime | None             # None: nobody has changed the sheet yet
    by: User | None = None
    carried_at: dt.datetime | None = None  # when it was carried forward, while untouched since

    @property
    def by_name(self) -> str:
        return self.by.display_name if self.by is not None else ""

    @property
    def when_text(self) -> str:
        """The time, or what stands for it: 「前年度から引継ぎ（日時）」, 「まだ保存されていません」."""
        if self.at is not None:
            return format_datetime(self.at)
        if self.carried_at is not None:
            return f"{CARRIED}（{format_datetime(self.carried_at)}）"
        return NEVER_SAVED


def last_save(sheet: Sheet) -> LastChange:
    """The latest content save; `at` is None when nobody has saved the sheet."""
    if sheet.version <= 1:
        return LastChange(at=None)
    return LastChange(at=sheet.updated_at, by=sheet.updated_by)


def last_change(sheet: Sheet) -> LastChange:
    """The latest save or step by a person (or import); see the module's note."""
    latest = last_save(sheet) if sheet.version > 1 else None
    carried_at = None
    for t in sheet.transitions:
        if t.action == _OPENING:
            carried_at = t.at
        elif latest is None or t.at >= latest.at:
            # On a tie the step wins: a first save and its 「編集開始」 name the same person.
            latest = LastChange(at=t.at, by=t.actor)
    return latest if latest is not None else LastChange(at=None, carried_at=carried_at)
