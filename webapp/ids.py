"""Database ids and other integers taken from URLs and forms: ASCII digits, within range.

Werkzeug's <int:> converter and Python's int() accept any Unicode digit
(「５」, and str.isdigit() is true for 「²」 although int() refuses it) and
any size; an id past the database's integer column (2**31 - 1 on
PostgreSQL) then fails deep in the driver (OverflowError, DataError) as a
500. Everything that turns request text into an id goes through here.
"""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


def parse_id(text) -> int | None:
    """「12」→ 12; anything that is not a stored integer's ASCII digits → None."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 <= text <= DB_INT_MAX else None
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= DB_INT_MAX else None


class DatabaseIntConverter(IntegerConverter):
    """The app's <int:...>: an out-of-range or non-ASCII id is a 404 before any view runs."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
