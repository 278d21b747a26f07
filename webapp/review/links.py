"""Absolute links for e-mails: BASE_URL, else the host of the request that sends the mail.

Mail sent during a request (a workflow step) links to the address the user
is using when BASE_URL is unset, so a server on another host or port works
without configuration. Outside a request (cron) there is no such address:
FALLBACK_BASE_URL is used and the command warns (see `base_url_warning`).
"""
from __future__ import annotations

from flask import current_app, has_request_context, request

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    configured = current_app.config.get("BASE_URL") or ""
    if configured:
        return configured
    if has_request_context():
        return request.host_url
    return FALLBACK_BASE_URL


def base_url_warning() -> str | None:
    """The warning a command without a request prints when BASE_URL is unset, else None."""
    if current_app.config.get("BASE_URL"):
        return None
    return (f"警告: BASE_URL が設定されていないため、メールのリンクは {FALLBACK_BASE_URL} を指します。"
            "利用者が開くアドレスを BASE_URL に設定してください。")


def external_url(endpoint: str, **values) -> str:
    """The base URL + the route's path, e.g. http://example.jp/council/sheets/5."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return base_url().rstrip("/") + path
