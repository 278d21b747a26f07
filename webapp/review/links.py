"""Absolute links for e-mails, built from BASE_URL (no request needed, e.g. in cron)."""
from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """BASE_URL + the route's path, e.g. http://example.jp/council/sheets/5."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"].rstrip("/") + path
