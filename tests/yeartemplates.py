"""A FY2024 template other than FY2023's, for the stories of years whose sheets differ:
○SDGs… (results_perspectives) dropped, ○リスクと対応 (risks) added to the 課題 box."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager

from webapp import sheet_schema as ss
from webapp.sheet_schema import COUNCIL_SHEET, Section

RISKS = Section("risks", "challenges", heading="○リスクと対応", path=("risks",), rows=3)
FY2024 = dataclasses.replace(
    COUNCIL_SHEET, version=2,
    sections=tuple(s for s in COUNCIL_SHEET.sections if s.key != "results_perspectives") + (RISKS,))


@contextmanager
def year_has_template(year: int, template):
    """`schema(year)` answers `template` (other years: the lookup registered before)."""
    saved = list(ss._year_lookup)
    before = saved[-1] if saved else (lambda y: None)
    ss.register_year_lookup(lambda y: template if y == year else before(y))
    try:
        yield template
    finally:
        ss._year_lookup[:] = saved
