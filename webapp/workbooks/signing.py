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

# The words beside each input cell, by list ("" for the sheet's own fields): the
# workbook prints them and the import names a cell by them.
CELL_TITLES = {
    "": {"target_year": "目標年", "target_label": "見出し（空欄なら目標年から）",
         "roadmap_title": "見出し", "roadmap_years": "年度の列（読点区切り）"},
    "kpis": {"name": "指標名", "unit": "単位", "cumulative": "累計値（はい／いいえ）",
             "target_year": "目標年", "target_value": "目標値", "target_text": "目標（文章）",
             "baseline_year": "基準年", "baseline_value": "基準値", "baseline_label": "基準の表記",
             "direction": "目標の向き（増やす／減らす、空欄は基準値から判断）", "note": "注記"},
    "series": {"year": "年度", "label": "表記", "target": "目標", "actual": "実績"},
    "roadmap_rows": {"activity": "取組", "detail": "内容", "from_year": "開始", "to_year": "終了"},
    "figures": {"kind": "種類", "caption": "キャプション", "note": "説明"},
}


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
