"""Text sections still word for word as last year's approved sheet had them.

Opening a year fills this year's sections from last year's approved sheet
(the schema's carry rules: the same section, or last year's plans as this
year's results). Text left that way is easy to miss: last year's
「今後の目標、達成見込み」 printed as this year's 評価 is how it goes wrong.
The editor marks such sections and the submit confirmation lists them.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.models import Sheet
from webapp.sheet_content import last_approved
from webapp.sheet_schema import schema


@dataclass(frozen=True)
class Carried:
    key: str          # this year's section
    source: str       # last year's section holding the same text
    year: int         # last year's approved sheet's year
    source_heading: str  # how that year headed the source section


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def unchanged_from_last_year(sheet: Sheet, previous: Sheet | None = None,
                             texts: dict[str, str] | None = None) -> list[Carried]:
    """Text sections (schema order) whose text equals last year's, in the same section or
    in the section it was carried from. `previous`: last year's approved sheet when the
    caller has it; `texts`: this year's texts when they are not the stored ones."""
    previous = previous if previous is not None else last_approved(sheet)
    if previous is None:
        return []
    year = previous.cycle.year
    sheet_schema, then = schema(sheet.cycle.year), schema(year)
    found = []
    for section in sheet_schema.text_sections:
        text = texts.get(section.key, "") if texts is not None else sheet.text(section.key)
        if not text.strip():
            continue
        source = section.carry.removeprefix("from:") if section.carry.startswith("from:") else None
        for candidate in (source, section.key):
            if candidate and candidate in then and _same(text, previous.text(candidate)):
                found.append(Carried(section.key, candidate, year, then.heading(candidate, year)))
                break
    return found
