"""The step pages: buttons say the step as a verb, and a refused submission links to what to fix."""
from __future__ import annotations

import pytest

from tests.htmlpage import NS, Page, text_of
from tests.review.conftest import log_in_as


def submit_button(page: Page) -> str:
    form = next(f for f in page.all("form") if "/steps/" in (f.get("action") or ""))
    return next(text_of(b) for b in form.iter(NS + "button") if b.get("type") == "submit")


@pytest.mark.parametrize("name,state,role,button", [
    ("submit", "draft", "lead", "提出する"),
    ("withdraw", "submitted", "lead", "提出を取り消す"),
    ("return", "submitted", "secretariat", "差し戻す"),
    ("approve", "submitted", "secretariat", "承認する"),
    ("reopen", "approved", "admin", "承認を取り消す"),
])
def test_each_step_button_says_what_it_does(world, client, name, state, role, button):
    sheet = world.sheet_in(state)
    log_in_as(client, world, role)
    assert submit_button(Page(client.get(f"/sheets/{sheet.id}/steps/{name}"))) == button


def test_each_reason_not_to_submit_links_to_the_section_in_the_editor(world, client):
    sheet = world.sheet_in("draft", challenges="", results_evaluation="  \n")
    log_in_as(client, world, "lead")
    page = Page(client.get(f"/sheets/{sheet.id}/steps/submit"))
    links = [(a.get("href"), text_of(a)) for a in page.by_id("step-error").iter(NS + "a")]
    assert links == [
        (f"/sheets/{sheet.id}/edit#block-results_evaluation", "『２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価』を直す"),
        (f"/sheets/{sheet.id}/edit#block-challenges", "『プロジェクトを推進する上での課題』を直す"),
    ]
