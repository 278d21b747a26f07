"""A coordinator logs in with a real browser and finds the organisation's sheets."""
import pytest

from tests.e2e.conftest import log_in
from tests.factories import Factory

pytestmark = pytest.mark.e2e


def test_oita_coordinator_logs_in_and_opens_a_sheet(live_app, page):
    with live_app.app_context():
        email = Factory().coordinator("大分県").email
    log_in(page, email)
    page.get_by_role("link", name="地熱・温泉熱エネルギー産業拠点化推進プロジェクト").first.click()
    page.get_by_role("heading", name="目的").wait_for()
    assert "【幹事：大分県】" in page.locator("h1").inner_text()
