"""A section last year's template had and this year's has not: its text is shown beside
the form as 「前年度の様式にあった欄」, never silently dropped, and this year's sections
that last year's template lacked show no reference text."""
from __future__ import annotations

import pytest

from tests.editing.conftest import sheet24
from tests.htmlpage import Page, text_of
from tests.yeartemplates import FY2024, year_has_template


@pytest.fixture
def fy2024_without_perspectives():
    with year_has_template(2024, FY2024):
        yield


def test_last_year_s_text_of_a_section_this_year_lacks_is_shown_beside_the_form(
        client24, oita, f, fy2024_without_perspectives):
    last_year = f.sheet_of(2, 2023).text("results_perspectives")
    assert last_year.strip()

    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))

    panel = page.by_id("dropped-sections")
    assert panel is not None
    shown = text_of(panel)
    assert "前年度の様式にあった欄" in shown
    assert "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組" in shown
    assert "".join(last_year.split())[:30] in "".join(shown.split())
    assert page.by_id("results_perspectives") is None      # no field for it this year
    assert page.by_id("risks") is not None                 # this year's new section


def test_with_the_same_template_both_years_nothing_is_listed(client24, oita, f):
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    assert page.by_id("dropped-sections") is None
