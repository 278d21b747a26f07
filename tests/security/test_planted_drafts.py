"""Finding 2: a post from another site cannot plant a draft in the user's browser.

The expired-session answer used to write every posted field into the page
(and from there into localStorage as the user's unsaved copy). Now nothing
posted comes back; the copy in the browser is only ever written by the
editor's own script (tests/e2e/test_editing_story.py drives that part).
"""
from __future__ import annotations

import pytest

from tests.factories import Factory
from tests.htmlpage import csrf_token
from webapp import cycles
from webapp.extensions import db

PLANTED = "攻撃者が書いた文章PLANTED"


@pytest.fixture
def csrf_app(make_app):
    app = make_app("fy2023", WTF_CSRF_ENABLED=True, EDITING_FIT_JOBS=False)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _logged_in(app):
    f = Factory()
    cycles.open_cycle(2024, None, None)
    db.session.commit()
    user = f.coordinator("大分県")
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                           "csrf_token": token})
    assert response.status_code == 302
    return client, f.sheet_of(2, 2024)


def test_a_cross_site_post_to_the_editor_echoes_nothing_it_posted(csrf_app):
    client, sheet = _logged_in(csrf_app)
    response = client.post(f"/sheets/{sheet.id}/edit", headers={"Origin": "http://evil.example"},
                           data={"purpose": PLANTED, "challenges": PLANTED, "version": "1",
                                 "kpis-0-name": PLANTED, "op": "remove-kpis-0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert PLANTED not in page
    assert "rescue" not in page and "localStorage" not in page
    assert "ログインし直してください" in page
    assert "このブラウザに保存してあります" in page
    db.session.expire_all()
    assert Factory().sheet_of(2, 2024).text("purpose") != PLANTED


def test_a_cross_site_autosave_echoes_nothing_it_posted(csrf_app):
    client, sheet = _logged_in(csrf_app)
    response = client.post(f"/sheets/{sheet.id}/autosave", data={"purpose": PLANTED, "version": "1"})
    assert response.status_code == 401
    assert PLANTED not in response.get_data(as_text=True)


def test_the_editor_script_never_reads_a_copy_from_the_server_page():
    """The old expired page carried the posted fields in #rescue-data for the script to store."""
    import os
    from tests.conftest import ROOT
    with open(os.path.join(ROOT, "webapp", "static", "js", "sheet_edit.js"), encoding="utf-8") as fh:
        script = fh.read()
    assert "rescue-data" not in script
    with open(os.path.join(ROOT, "webapp", "templates", "editing", "expired.html"), encoding="utf-8") as fh:
        template = fh.read()
    assert "rescue" not in template and "request.form" not in template and "<script" not in template
