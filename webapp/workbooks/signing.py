"""What an exported workbook promises its reader: the format name, the metadata
worksheet, the words beside its input cells and the signature over what the import trusts.

Kept apart from `export` so reading a workbook (and starting the app) does not
load openpyxl's writing side before a workbook is asked for.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app

# /2 adds, per input cell, a digest of its value as exported (the base of the
# three-way merge). /1 files, written before that, still import.
FORMAT = "council-sheet-workbook/2"
OLD_FORMATS = ("council-sheet-workbook/1",)
META_TITLE = "_meta"
YES, NO = "はい", "いいえ"

def cell_title(f) -> str:
    """The words beside a field's input cell (the template's label; a flag and a choice
    say what to type): the workbook prints them and the import names a cell by them."""
    if f.cell == "flag":
        return f"{f.label}（{YES}／{NO}）"
    if f.cell == "choice":
        words = "／".join(label for _, label in f.choices)
        return f"{f.label}（{words}、空欄は{f.blank}）" if f.blank else f"{f.label}（{words}）"
    return f.label


def field_digest(name: str, value: str) -> str:
    """A cell's normalised value as exported, short: enough to tell "changed" from "not"."""
    return hashlib.sha256(f"{name}\n{value}".encode()).hexdigest()[:16]


def checksum(sheet_id: int, number: int, year: int, version: int, fields: list[tuple[str, str]],
             bases: list[tuple[str, str]] | None = None) -> str:
    """Signs what the import trusts from the file: which sheet, which version, which cells
    and (format /2) what each cell held when exported."""
    text = f"{sheet_id}:{number}:{year}:{version}:" + ";".join(f"{n}={c}" for n, c in fields)
    if bases is not None:
        text += "|" + ";".join(f"{n}={d}" for n, d in bases)
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
