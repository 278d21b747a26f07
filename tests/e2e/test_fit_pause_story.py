"""The editor asks whether the sheet fits one page once the typing pauses, not at every autosave (#21 item 4).

The 大分県 coordinator types into ② in bursts less than 2 s apart (FIT_PAUSE_MS in
webapp/static/js/sheet_edit.js), moving from one box to the next: leaving a box autosaves
it, the page says so, and the fit check is held while the typing goes on. Once the
typing stops for 2 s, one fit check goes out and its answer shows.

The browser's clock is Playwright's (page.clock), paused: time moves only when the test
says, so "less than 2 s apart" and "a pause of 2 s" are exact, however loaded the
machine. What the server does (the autosave, the layout) still takes real time, and
expect() waits for its answer.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import Factory
from webapp.editing import fit
from webapp.extensions import db

pytestmark = pytest.mark.e2e

BETWEEN_BURSTS_MS = 1500     # under sheet_edit.js's FIT_PAUSE_MS (2000)
PAUSE_MS = 2000              # FIT_PAUSE_MS


@pytest.fixture
def near_the_page_end(monkeypatch):
    """② as a sheet near the page's end: the text-length model leaves it to the layout
    (printing.surefit would answer the carried-forward ② at once, and the editor would
    have nothing to ask for). The live server runs in this process, so it sees this."""
    monkeypatch.setattr(fit, "estimate_function", lambda: lambda sheet, year: None)


def _sheet_2_of_2024(app) -> tuple[str, int]:
    from webapp.cycles import open_cycle
    with app.app_context():
        open_cycle(2024, None, None)
        db.session.commit()
        f = Factory()
        return f.coordinator("大分県").email, f.sheet_of(2, 2024).id


def test_the_fit_check_waits_for_a_pause_in_typing(live_app, live_server, page, near_the_page_end):
    # The e2e app runs jobs eagerly: the fit check is laid out within its request, so the
    # one request the editor sends is answered with the fit (no polls follow to count).
    email, sheet_id = _sheet_2_of_2024(live_app)
    fit_checks = []
    page.on("request", lambda request: fit_checks.append(request.url)
            if request.url.endswith(f"/sheets/{sheet_id}/fit") else None)
    page.clock.install()
    log_in(page, email)
    page.goto(f"/sheets/{sheet_id}/edit")
    page.wait_for_function("() => window.sheetEdit !== undefined")
    status, fit_status = page.locator("#save-status"), page.locator("#fit-status")
    # Opening the page lays the saved sheet out: it fits at the largest size.
    expect(fit_status).to_have_text("1ページに収まります（10.5pt）")
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)

    def burst(text: str) -> None:
        page.keyboard.type(text)
        page.clock.run_for(BETWEEN_BURSTS_MS)

    # Bursts of typing in 具体的取組, then on to 課題: leaving the box autosaves it.
    page.get_by_label("○具体的取組（２０２４年度の活動実績（主要な取組）と評価）").press("End")
    burst("\n・地熱・温泉熱エネルギー")
    burst("産業化実務者会議を開催")
    page.keyboard.press("Tab")       # the change event: an autosave 100 ms later
    page.locator("#challenges").press("End")
    page.clock.run_for(200)
    expect(status).to_have_text(re.compile(r"^自動保存しました（\d\d:\d\d）$"))
    # The saved text is not known to fit: the status says so and keeps the last answer.
    expect(fit_status).to_have_text(
        "1ページに収まるかを確認しています…（前に保存した内容では「1ページに収まります（10.5pt）」）")

    # The typing goes on in 課題, never 2 s idle: no fit check is asked for.
    burst("\n・発電事業者と温泉")
    burst("事業者の合意形成")
    burst("への支援")
    assert fit_checks == []

    # The coordinator stops typing: after the pause, one fit check, and its answer.
    page.clock.run_for(PAUSE_MS)
    expect(fit_status).to_have_text("1ページに収まります（10.5pt）")
    expect(fit_status).to_have_attribute("data-state", "ready")
    assert len(fit_checks) == 1
    page.clock.run_for(10_000)       # nothing is pending: the page asks no more
    assert len(fit_checks) == 1
