"""End-to-end fixtures: the app served on a free loopback port, driven by Debian's chromium.

No browser is downloaded: Playwright launches /usr/bin/chromium (CHROMIUM to override).
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import _make_app
from tests.factories import PASSWORD

# The live server runs fit checks in threads of its own process, and the first one
# loads WeasyPrint and the fonts: on a loaded CI machine a save and its redirect can
# take longer than Playwright's default 5 s of waiting for what follows. Wait as
# long as an action may take (the context's 15 s), never by sleeping.
expect.set_options(timeout=15000)

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(databases, tmp_path):
    """The FY2023 app with CSRF on, as users get it."""
    app = _make_app(databases, tmp_path, "fy2023", WTF_CSRF_ENABLED=True)
    return app


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server
    with live_app.app_context():
        from webapp.extensions import db
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                  base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15000)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if is_csp_violation(msg.text) else None)
    yield page
    context.close()
    assert violations == [], "Content-Security-Policy violations in the console:\n" + "\n".join(violations)


def is_csp_violation(text: str) -> bool:
    """Chromium reports every refusal by the CSP as a console error naming the policy."""
    return "Content Security Policy" in text or "Content-Security-Policy" in text


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/")


def end_session(page, app, email: str) -> None:
    """The user's session ends, as when it expires or is ended elsewhere.

    Clearing the browser's cookies alone is not enough: a fit-status poll already on
    its way comes back with the session cookie and sets it again. The server stops
    honouring every session of the user, so whatever the browser holds is refused.
    """
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).end_all_sessions()
        db.session.commit()
        db.session.remove()
    page.context.clear_cookies()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The screens axe checked in this run and their violations per impact (tests/e2e/axe.py)."""
    from tests.e2e import axe
    written = axe.write_report(str(config.rootpath))
    if written:
        terminalreporter.section("accessibility (axe-core)")
        for line in axe.report_lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"written to {written}")
