"""Small Japanese typesetting helpers: the one copy every part uses (pages, forms, print, mail)."""
from __future__ import annotations

import datetime
from decimal import Decimal

__all__ = ["fullwidth", "circled", "jp_date", "jp_fiscal_year", "format_number"]

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth(value) -> str:
    """'2023' -> '２０２３' (headings of the original print full-width digits)."""
    return str(value).translate(_FULLWIDTH)



def circled(number: int) -> str:
    """Project number as the council prints it: 1 -> '①' ... 50 -> '㊿', then 51 -> '51'.

    Unicode has circled numbers up to 50 only (the Kyushu council's ①–㉑ fit);
    a larger year (a municipality's ~556 projects) prints plain numbers.
    """
    if 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if 21 <= number <= 35:
        return chr(0x3251 + number - 21)
    if 36 <= number <= 50:
        return chr(0x32B1 + number - 36)
    return str(number)


def jp_date(date: datetime.date) -> str:
    """Compilation date as printed on the cover: '２０２４年３月'.

    Western years in full-width digits match the headings of the sheets; the
    day is left out, as on the council's printed reports.
    """
    return f"{fullwidth(date.year)}年{fullwidth(date.month)}月"


def jp_fiscal_year(year: int) -> str:
    return f"{fullwidth(year)}年度"


def format_number(value, empty: str = "－") -> str:
    """A figure as people read it: 2134 -> 「2,134」, 0.6568 -> 「0.6568」, None -> `empty`.

    Exact, digit for digit: a form shows what is stored, and print and pages
    show the same figure.
    """
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return str(value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return format(number.normalize(), ",f")
