"""Who may download the web edition: as for the report's downloads (the secretariat, admins)."""
from __future__ import annotations

import pytest

from tests.factories import login

COVERED_ENDPOINTS = {"publishing.web_edition"}

EXPECTED = {"anonymous": 302, "lead": 403, "other": 403, "secretariat": 200, "admin": 200}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_web_edition_download(fy2023_app, fy, who):
    users = {"lead": lambda: fy.coordinator("大分県"), "other": lambda: fy.coordinator("長崎県"),
             "secretariat": fy.secretariat, "admin": fy.admin}
    client = fy2023_app.test_client()
    if who != "anonymous":
        login(client, users[who]())
    answer = client.get("/reports/2023/web-edition.zip")
    assert answer.status_code == EXPECTED[who]
    if who == "anonymous":
        assert "/login" in answer.location
    if EXPECTED[who] == 200:
        assert client.get("/reports/1999/web-edition.zip").status_code == 404
