"""Spreadsheet cells that can never run as formulas: the one rule for every xlsx and csv we write.

Users type the text we export (KPI names, display names, titles). Excel and
LibreOffice treat a cell that starts with = + - @ (and, after an IME, their
full-width forms), or with a tab or CR before one of those, as a formula, so a
KPI named `=HYPERLINK(...)` would become a live link in the secretariat's
workbook. Text therefore always goes out as text; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    """CSV has no cell types: a leading apostrophe is what spreadsheets read as "this is text"."""
    return "'" + value if looks_like_formula(value) else value


def csv_text(header: list, rows: Iterable[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in (header, *rows):
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def text_cell(cell, text: str) -> None:
    """Put `text` in an openpyxl cell as a string, even when it looks like a formula."""
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        # Typed-over cells stay text in Excel and LibreOffice too.
        cell.quotePrefix = True


def append_row(ws, row: list):
    """ws.append, but every str is stored as a string cell, never a formula.

    openpyxl turns any str starting with "=" into a formula; the other risky
    starts are stored as text but become formulas when the user edits the cell
    in Excel, which the quote prefix (Excel's own "typed with an apostrophe")
    prevents.
    """
    ws.append(row)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            text_cell(cell, cell.value)
    return ws[ws.max_row]
