"""The README's section on the read API says what the API does: its curl examples answer."""
from __future__ import annotations

import pathlib
import re

from tests.api.conftest import bearer, token_for

README = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_curl_example_of_the_readme_answers(fy2023_app, fy):
    examples = re.findall(r"curl (?:-H \"Authorization: Bearer \$TOKEN\" )?http://127\.0\.0\.1:5000(\S+)",
                          README)
    assert examples == ["/api/v1/years", "/api/v1/years/2023/sheets", "/api/v1/years/2023/sheets/1",
                        "/api/v1/years/2023/kpis", "/api/v1/openapi.json"]
    client = fy2023_app.test_client()
    headers = bearer(token_for(fy.secretariat()))
    for path in examples:
        assert client.get(path, headers=headers).status_code == 200, path
    assert len(client.get("/api/v1/years/2023/sheets", headers=headers).get_json()["sheets"]) == 21
    assert "a secretariat token all\n21 FY2023 sheets" in README


def test_the_readme_names_the_token_screens_as_the_account_page_does(fy2023_app, fy):
    from tests.factories import login
    client = fy2023_app.test_client()
    login(client, fy.coordinator("大分県"))
    page = client.get("/account").get_data(as_text=True)
    for words in ("APIトークン", "トークンを発行する"):
        assert words in page
    assert "アカウント設定 → APIトークン" in README and "「失効させる」" in README
    assert "APIトークンの発行, APIトークンの失効" in README
