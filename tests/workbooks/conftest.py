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


def rezip(data: bytes, extra: dict[str, bytes] | None = None, drop=()) -> bytes:
    """The workbook's zip with parts replaced (`extra`) or left out (`drop`)."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename not in drop and info.filename not in (extra or {}):
                dst.writestr(info.filename, src.read(info.filename))
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def hostile_sheet_xml(nested: int = 0, flat: int = 0) -> bytes:
    """A worksheet part whose one inline-string cell holds `nested` nested rich-text runs
    or `flat` runs side by side: tiny once zipped, millions of elements to a parser."""
    runs = "<r>" * nested + "</r>" * nested + "<r><t>x</t></r>" * flat
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row></sheetData>'
            '</worksheet>').encode()


def upload(client, sheet_id: int, data: bytes):
    """「Excelから取り込む」 with this file."""
    return client.post(f"/sheets/{sheet_id}/workbook/import",
                       data={"file": (io.BytesIO(data), "個票.xlsx")}, content_type="multipart/form-data")


def token_of(response) -> str:
    """The preview's hidden token, which 「この内容で保存」 posts."""
    import re
    return re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
