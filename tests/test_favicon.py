"""Every page names its icon: a small SVG served from our own static folder (CSP: 'self')."""
from __future__ import annotations

from tests.htmlpage import Page


def test_pages_link_the_favicon_and_it_is_served(app, client):
    page = Page(client.get("/login"))
    [icon] = [e for e in page.all("link") if e.get("rel") == "icon"]
    assert icon.get("href") == "/static/favicon.svg" and icon.get("type") == "image/svg+xml"
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")
