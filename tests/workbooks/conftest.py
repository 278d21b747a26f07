"""Workbook fixtures: the editing ones (FY2023 imported, FY2024 opened) and helpers to read a
downloaded workbook and fill it in with openpyxl as a person would in Excel."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.editing.conftest import app24, client24, f, fy_app, oita, sheet24  # noqa: F401
from webapp.workbooks.export import META_TITLE


def cells_of(data: bytes) -> dict[str, dict[str, str]]:
    """worksheet title -> {form field: cell} from the hidden metadata worksheet."""
    wb = load_workbook(io.BytesIO(data))
    titles = {}
    out: dict[str, dict[str, str]] = {}
    for row in wb[META_TITLE].iter_rows(values_only=True):
        if row[0] == "sheet":
            titles[row[1]] = row[5]
            out[row[5]] = {}
        elif row[0] == "field":
            out[titles[row[1]]][row[2]] = row[3]
    return out


def fill(data: bytes, values: dict[str, object], worksheet: str | None = None) -> bytes:
    """The workbook with these form fields typed into their cells (openpyxl, as Excel saves it)."""
    wb = load_workbook(io.BytesIO(data))
    cells = cells_of(data)
    title = worksheet or next(iter(cells))
    ws = wb[title]
    for name, value in values.items():
        ws[cells[title][name]] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
