"""Finding 5 in the browser: a CSP violation shows in the console (which fails every story,
see the `page` fixture), and the app refuses to be framed."""
import pytest

from tests.e2e.conftest import is_csp_violation

pytestmark = pytest.mark.e2e


def test_the_browser_reports_a_violation_which_the_story_fixture_would_catch(browser, live_server):
    """The e2e `page` fixture fails a story on these console messages: check that they come."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    seen = []
    page.on("console", lambda msg: seen.append(msg.text))
    page.goto("/login")
    page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.planted = 1';
        document.body.appendChild(s); }""")
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.planted") is None
    context.close()
    assert any(is_csp_violation(text) for text in seen), seen


def test_the_app_cannot_be_framed(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f'<iframe id="f" src="{live_server.url}/login"></iframe>')
    page.wait_for_load_state("load")
    framed = [f for f in page.frames if f is not page.main_frame]
    assert len(framed) == 1
    assert "ログイン" not in framed[0].content()
    context.close()
