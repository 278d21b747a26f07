"""Finding 5: security headers on every response, a CSP without inline script or style.

The browser side (a violation is reported, framing is refused) is in tests/e2e/test_csp.py.
"""
from __future__ import annotations

import os
import re

from tests.factories import login

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "..", "webapp", "templates")


def assert_security_headers(response):
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_headers(app, factory, client):
    for path in ("/login", "/static/app.css", "/no-such-page"):
        assert_security_headers(client.get(path))
    login(client, factory.admin())
    for path in ("/", "/admin/users", "/account", "/account/two-factor"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
    assert_security_headers(client.post("/logout"))


def test_hsts_only_under_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_downloads_say_what_they_are(app, factory, client):
    from webapp.extensions import db
    from webapp.models import Figure
    cycle = factory.cycle(2023)
    sheet = factory.sheet(factory.project(7, lead=("大分県",)), cycle)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    with open(os.path.join(app.config["UPLOAD_FOLDER"], "fig-x.png"), "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    figure = Figure(sheet_id=sheet.id, position=0, kind="photo", caption="c", image_file="fig-x.png",
                    image_width=10, image_height=10)
    db.session.add(figure)
    db.session.commit()
    login(client, factory.admin())
    image = client.get(f"/sheets/{sheet.id}/figures/{figure.id}")
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    workbook = client.get("/reports/2023/kpis.xlsx")
    assert workbook.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert workbook.headers["Content-Disposition"].startswith("attachment;")
    for fmt, kind in (("csv", "text/csv; charset=utf-8"),
                      ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        status = client.get(f"/dashboard/2023/status.{fmt}")
        assert status.headers["Content-Type"] == kind
        assert status.headers["Content-Disposition"].startswith("attachment;")
        assert_security_headers(status)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_holds_inline_script_or_style():
    found = []
    for folder, _, names in os.walk(TEMPLATES):
        for name in names:
            if not name.endswith(".html"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            found += [f"{os.path.relpath(path, TEMPLATES)}: {what}"
                      for pattern, what in INLINE if pattern.search(text)]
    assert found == []
