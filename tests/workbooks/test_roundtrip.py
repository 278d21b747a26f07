"""The round trip: export, fill in as a person would, read back field by field."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.workbooks.conftest import cells_of, fill
from webapp.extensions import db
from webapp.models import Sheet
from webapp.workbooks import export
from webapp.workbooks.reading import prepare, read_file


def test_every_fy2023_sheet_comes_back_unchanged(fy_app, f):
    reader = f.secretariat()
    sheets = db.session.query(Sheet).all()
    assert len(sheets) == 21
    for sheet in sheets:
        entries = read_file(export.workbook([sheet]), "x.xlsx")
        assert [e.sheet_id for e in entries] == [sheet.id]
        item = prepare(reader, entries[0])
        assert item.changes == [], (sheet.project.number, item.changes)
        assert item.unchanged, sheet.project.number
