"""What an exported workbook promises its reader: the format name, the metadata
worksheet and the signature over the cells the import trusts.

Kept apart from `export` so reading a workbook (and starting the app) does not
load openpyxl's writing side before a workbook is asked for.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app

FORMAT = "council-sheet-workbook/1"
META_TITLE = "_meta"
YES, NO = "はい", "いいえ"


def checksum(sheet_id: int, number: int, year: int, version: int, fields: list[tuple[str, str]]) -> str:
    """Signs what the import trusts from the file: which sheet, which version, which cells."""
    text = f"{sheet_id}:{number}:{year}:{version}:" + ";".join(f"{n}={c}" for n, c in fields)
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
