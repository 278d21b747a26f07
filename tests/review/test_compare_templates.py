"""Comparing two years whose templates differ: sections are paired by key, and a section
that only one year's sheet has is shown beside nothing, saying so."""
from __future__ import annotations

import pytest

from tests.editing.conftest import app24, client24, f, oita, sheet24  # noqa: F401
from tests.htmlpage import Page, text_of
from tests.yeartemplates import FY2024, year_has_template
from webapp.review.compare import compare


@pytest.fixture
def fy2024_has_its_own_template():
    with year_has_template(2024, FY2024):
        yield


def content(**texts) -> dict:
    return {"purpose": texts.get("purpose", "・目的"),
            "results": {"actions": "・取組", "perspectives": texts.get("perspectives", ""),
                        "evaluation": "・評価"},
            "challenges": "・課題", "risks": texts.get("risks", ""),
            "targets": {"target_year": None, "label": "", "text": "", "kpis": []},
            "plans": {"actions": "", "outlook": ""}, "roadmap": None, "figures": []}


def test_last_year_and_this_year_compare_by_key_across_templates(fy2024_has_its_own_template):
    last = content(perspectives="・DXの推進")
    this = content(risks="・人材確保が難しい")

    result = compare(last, this, 2024, left_year=2023)
    by_key = {f.key: f for f in result.fields}

    assert by_key["risks"].only == "right"
    assert by_key["risks"].label == "プロジェクトを推進する上での課題／○リスクと対応"
    assert "人材確保が難しい" in str(by_key["risks"].right) and by_key["risks"].changed
    assert by_key["results_perspectives"].only == "left"
    assert "DXの推進" in str(by_key["results_perspectives"].left)
    # the older side's own section comes last, sections of both sides keep their order
    assert [f.key for f in result.fields][-1] == "results_perspectives"
    assert by_key["purpose"].only == "" and not by_key["purpose"].changed


def test_the_same_template_on_both_sides_has_no_one_sided_sections():
    result = compare(content(), content(purpose="・新しい目的"), 2023, left_year=2023)
    assert {f.only for f in result.fields} == {""}
    assert [f.key for f in result.fields if f.changed] == ["purpose"]


def test_the_compare_page_says_which_year_s_template_lacks_a_section(
        app24, client24, oita, f, fy2024_has_its_own_template):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/compare?a=last_year&b=current&all=1"))
    rows = {row.get("data-field"): text_of(row) for row in page.all("tr") if row.get("data-field")}
    assert "2023年度の承認版の様式にはない欄です" in rows["risks"]
    assert "の様式にはない欄です" in rows["results_perspectives"]
    assert "の様式にはない欄です" not in rows["purpose"]
