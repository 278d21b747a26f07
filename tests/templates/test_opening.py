"""Opening a year starts it with the previous year's template; each year keeps its own after."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from webapp.cycles import get_cycle, open_cycle
from webapp.extensions import db
from webapp.models import ReportingCycle
from webapp.sheet_schema import COUNCIL_SHEET, schema
from webapp.sheet_templates import replace_template

DEADLINE = dt.date(2026, 4, 30)


def stored(year):
    return db.session.scalar(select(ReportingCycle.sheet_template).where(ReportingCycle.year == year))


def renamed(year: int, heading: str):
    """Year `year`'s template as it stands, with ○具体的取組 of the results box renamed."""
    template = schema(year)
    sections = tuple(dataclasses.replace(s, heading=heading) if s.key == "results_actions" else s
                     for s in template.sections)
    return dataclasses.replace(template, sections=sections)


def test_a_year_opened_after_one_with_the_built_in_template_has_it_too(app24):
    open_cycle(2025, DEADLINE, None)
    db.session.commit()
    assert stored(2025) is None
    assert schema(2025) is COUNCIL_SHEET


def test_a_year_opened_after_a_changed_one_starts_with_its_template(app24, f):
    secretariat = f.secretariat()
    replace_template(secretariat, get_cycle(2024), renamed(2024, "○主な取組"))
    db.session.commit()
    open_cycle(2025, DEADLINE, None)
    db.session.commit()
    assert stored(2025) == stored(2024)
    assert (schema(2025)["results_actions"].heading, schema(2025).version) == ("○主な取組", 2)

    # from now on each year changes alone
    replace_template(secretariat, get_cycle(2025), renamed(2025, "○2025年度の主な取組"))
    db.session.commit()
    assert [schema(y)["results_actions"].heading for y in (2023, 2024, 2025)] == [
        "○具体的取組", "○主な取組", "○2025年度の主な取組"]
    assert [schema(y).version for y in (2023, 2024, 2025)] == [1, 2, 3]
