"""The read API, as someone with a personal token uses it."""
from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import bearer, token_for
from tests.factories import PASSWORD
from webapp import exactjson
from webapp.extensions import db
from webapp.cycles import open_cycle
from webapp.editing.saving import save_content
from webapp.sheet_content import sheet_to_dict


def test_a_secretariat_token_lists_fy2023s_21_sheets(fy, api):
    token = token_for(fy.secretariat())
    answer = api(token, "/years/2023/sheets")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    sheets = answer.get_json()["sheets"]
    assert len(sheets) == 21
    assert sheets[0] == {"number": 1, "title": "九州水素エネルギー社会実現プロジェクト",
                         "lead": "福岡県", "state": "approved", "state_label": "承認済",
                         "version": 1, "updated": sheets[0]["updated"]}
    assert [s["number"] for s in sheets] == list(range(1, 22))


def test_without_a_token_the_api_answers_401_in_japanese(fy, api):
    answer = api(None, "/years")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "APIトークンが必要です" in answer.get_json()["message"]
    assert api("kcr_not-a-token", "/years").status_code == 401


def test_a_logged_in_browser_without_a_token_gets_401(fy2023_app, fy):
    client = fy2023_app.test_client()
    user = fy.secretariat()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get("/").status_code == 200        # the session (and remember-me) works for pages
    answer = client.get("/api/v1/years/2023/sheets")
    assert answer.status_code == 401 and answer.mimetype == "application/json"
    assert "Set-Cookie" not in answer.headers                # the session is not even refreshed
    with_token = client.get("/api/v1/years", headers=bearer(token_for(fy.coordinator("長崎県"))))
    assert with_token.status_code == 200 and "Set-Cookie" not in with_token.headers
    assert client.get("/").status_code == 200                # and the browser is still logged in


def test_a_coordinators_token_lists_its_own_fy2024_drafts_and_no_other_organisations(fy, api):
    open_cycle(2024, None, fy.secretariat())
    oita = fy.coordinator("大分県")                  # leads ②⑦⑱⑲, co-leads others
    seventh = fy.sheet_of(7, 2024)
    save_content(oita, seventh, seventh.version, sheet_to_dict(seventh), [])
    db.session.commit()
    token = token_for(oita)
    sheets = api(token, "/years/2024/sheets").get_json()["sheets"]
    assert [(s["number"], s["state"]) for s in sheets if s["number"] in (2, 7, 18, 19)] == [
        (2, "not_started"), (7, "draft"), (18, "not_started"), (19, "not_started")]
    assert 1 not in [s["number"] for s in sheets]
    assert api(token, "/years/2024/sheets/7").status_code == 200
    other = api(token, "/years/2024/sheets/1")      # 福岡県's
    assert other.status_code == 404
    assert "閲覧する権限がありません" in other.get_json()["message"]
    names = {row["kpi"] for row in api(token, "/years/2024/kpis").get_json()["kpis"]}
    assert "エネルギーの地産地消につながる水素利活用プロジェクト件数" not in names


def test_a_sheet_is_the_report_files_shape_with_exact_figures(fy, api):
    sheet = fy.sheet_of(1)
    sheet.kpis[0].values[0].actual = Decimal("12345678901234.123456")
    db.session.commit()
    answer = api(token_for(fy.secretariat()), "/years/2023/sheets/1")
    content = exactjson.loads(answer.get_data())
    assert content["title"] == "九州水素エネルギー社会実現プロジェクト"
    assert content["targets"]["kpis"][0]["series"][0] == {
        "year": 2023, "target": None, "actual": Decimal("12345678901234.123456")}
    assert b"12345678901234.123456" in answer.get_data()


def test_the_years_and_a_years_kpis(fy, api):
    token = token_for(fy.secretariat())
    assert api(token, "/years").get_json() == {
        "years": [{"year": 2023, "title": "成長産業戦略プロジェクト 2023年度 活動実績と評価", "open": False}]}
    rows = api(token, "/years/2023/kpis").get_json()["kpis"]
    assert rows[0] == {"number": 1, "project_title": "九州水素エネルギー社会実現プロジェクト",
                       "lead": "福岡県", "kpi": "エネルギーの地産地消につながる水素利活用プロジェクト件数",
                       "unit": "件", "cumulative": True, "year": 2023, "label": None,
                       "target": None, "actual": 28, "status": "判定できません（実績1点）"}
    assert api(token, "/years/1999/kpis").status_code == 404
    assert api(token, "/years/1999/kpis").get_json() == {"message": "1999年度のデータはありません。"}


def test_unknown_paths_and_methods_answer_json(fy, api, fy2023_app):
    token = token_for(fy.secretariat())
    missing = api(token, "/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == "application/json"
    posted = fy2023_app.test_client().post("/api/v1/years", headers=bearer(token))
    assert posted.status_code == 405 and "message" in posted.get_json()


def test_the_openapi_document_is_served_without_a_token(api):
    answer = api(None, "/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/openapi.json", "/years", "/years/{year}/sheets",
                                      "/years/{year}/sheets/{number}", "/years/{year}/kpis"}
