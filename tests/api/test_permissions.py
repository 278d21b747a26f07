"""Who may reach the read API and the token screens: the route × actor matrix of this area.

The API knows tokens only: no token (even with a logged-in session) is 401 everywhere
but the OpenAPI document. The token screens are the account page's: log-in needed.
"""
from __future__ import annotations

import pytest

from tests.api.conftest import bearer, token_for
from tests.factories import login

COVERED_ENDPOINTS = {
    "api.openapi", "api.years", "api.sheets", "api.sheet", "api.kpis",
    "api_tokens.create", "api_tokens.revoke",
}

API_PATHS = ["/years", "/years/2023/sheets", "/years/2023/sheets/7", "/years/2023/kpis"]
# What each actor's token gets: ⑦ is 大分県's (lead) and 宮崎県's (co); 長崎県 has no part in it.
EXPECTED = {
    "no token": {p: 401 for p in API_PATHS},
    "session only": {p: 401 for p in API_PATHS},
    "lead": {p: 200 for p in API_PATHS},
    "co": {p: 200 for p in API_PATHS},
    "other": {**{p: 200 for p in API_PATHS}, "/years/2023/sheets/7": 404},
    "secretariat": {p: 200 for p in API_PATHS},
    "admin": {p: 200 for p in API_PATHS},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_api_matrix(fy2023_app, fy, who):
    users = {"lead": lambda: fy.coordinator("大分県"), "co": lambda: fy.coordinator("宮崎県"),
             "other": lambda: fy.coordinator("長崎県"), "secretariat": fy.secretariat,
             "admin": fy.admin, "session only": fy.secretariat}
    client = fy2023_app.test_client()
    headers = {}
    if who == "session only":
        login(client, users[who]())
    elif who != "no token":
        headers = bearer(token_for(users[who]()))
    for path, status in EXPECTED[who].items():
        assert client.get("/api/v1" + path, headers=headers).status_code == status, path
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_token_screens_need_a_log_in(fy2023_app, fy):
    client = fy2023_app.test_client()
    for url in ["/account/api-tokens", "/account/api-tokens/1/revoke"]:
        answer = client.post(url, data={"name": "x"})
        assert answer.status_code == 302 and "/login" in answer.location, url
