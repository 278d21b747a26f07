"""Helpers of the API stories: a token for a user, and a client that sends it."""
from __future__ import annotations

import pytest

from webapp.api.tokens import create_token
from webapp.extensions import db


def token_for(user, name: str = "テスト用") -> str:
    _, plain = create_token(user, name)
    db.session.commit()
    return plain


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(fy2023_app):
    """GET an API path with a token: api(token, "/years") -> response."""
    client = fy2023_app.test_client()

    def get(token: str | None, path: str):
        return client.get("/api/v1" + path, headers=bearer(token) if token else {})
    return get
