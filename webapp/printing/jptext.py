"""Small Japanese typesetting helpers shared by the printed and on-screen sheet."""
from __future__ import annotations

import datetime

__all__ = ["fullwidth_digits", "circled", "jp_date", "jp_fiscal_year", "format_number"]

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth_digits(value) -> str:
    """'2023' -> '２０２３' (headings of the original print full-width digits)."""
    return str(value).translate(_FULLWIDTH)


def circled(number: int) -> str:
    """Project number as printed in the title band: 1 -> '①' ... 50 -> '㊿'.

    Unicode has circled numbers up to 50 only; beyond that a bracketed
    number keeps the title readable.
    """
    if 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if 21 <= number <= 35:
        return chr(0x3251 + number - 21)
    if 36 <= number <= 50:
        return chr(0x32B1 + number - 36)
    return f"（{fullwidth_digits(number)}）"


def jp_date(date: datetime.date) -> str:
    """Compilation date as printed on the cover: '２０２４年３月'.

    Western years in full-width digits match the headings of the sheets; the
    day is left out, as on the council's printed reports.
    """
    return f"{fullwidth_digits(date.year)}年{fullwidth_digits(date.month)}月"


def jp_fiscal_year(year: int) -> str:
    return f"{fullwidth_digits(year)}年度"


def format_number(value) -> str:
    """Table figure: thousands separators, no spurious '.0', at most 4 decimals."""
    if value is None:
        return "－"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text
