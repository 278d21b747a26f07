"""The screens, read as their users read them, on the FY2023 report."""
from __future__ import annotations

import json
import logging
import os
import re
import stat

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.conftest import FY2023
from tests.factories import login
from tests.htmlpage import NS, Page, text_of
from webapp.extensions import db
from webapp.models import User

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑"

with open(FY2023, encoding="utf-8") as _fh:
    REPORT = json.load(_fh)
PROJECTS = {p["number"]: p for p in REPORT["projects"]}


def fmt(value) -> str:
    """A figure as the sheet prints it: 1,234 / 0.6568 / － for none."""
    if value is None:
        return "－"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def collapse(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# Home pages
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_reviewers_see_all_21_projects_of_2023_with_their_state(fy, fy_client, role):
    login(fy_client, fy.user(role))
    page = Page(fy_client.get("/"))
    assert "2023年度の個票一覧" in page.texts("h1")
    rows = page.table_rows()
    assert [r[0] for r in rows] == list(CIRCLED)
    for row in rows:
        project = PROJECTS[CIRCLED.index(row[0]) + 1]
        assert row[1:4] == [project["title"], project["lead_label"], "承認済"]
    assert "承認済 21件" in page.text
    assert len([a for a in page.all("a") if re.fullmatch(r"/sheets/\d+", a.get("href") or "")]) == 21


def test_a_reviewer_asking_for_a_year_without_data_gets_404(fy, fy_client):
    login(fy_client, fy.secretariat())
    assert fy_client.get("/?year=2023").status_code == 200
    assert fy_client.get("/?year=1999").status_code == 404


def test_the_coordinator_of_oita_sees_its_four_projects_and_not_fukuoka(fy, fy_client):
    login(fy_client, fy.coordinator("大分県"))
    page = Page(fy_client.get("/"))
    assert "大分県 のプロジェクト" in page.texts("h1")
    rows = page.table_rows()
    assert [r[0] for r in rows] == ["②", "⑦", "⑱", "⑲"]
    # 大分県 leads all four, ⑦ together with 福岡県 and 宮崎県 as co-organisations.
    assert [r[2] for r in rows] == ["大分県", "大分県（福岡県・宮崎県）", "大分県", "大分県"]
    assert [r[3] for r in rows] == ["幹事"] * 4
    assert [r[4] for r in rows] == ["承認済"] * 4
    for number in (2, 7, 18, 19):
        assert fy_client.get(f"/sheets/{fy.sheet_of(number).id}").status_code == 200
    assert fy_client.get(f"/sheets/{fy.sheet_of(1).id}").status_code == 404


def test_a_co_organisation_sees_the_project_as_read_only(fy, fy_client):
    login(fy_client, fy.coordinator("宮崎県"))
    rows = Page(fy_client.get("/")).table_rows()
    assert {r[0]: r[3] for r in rows} == {"⑦": "共同（閲覧のみ）", "⑫": "幹事"}


def test_a_coordinator_whose_organisation_has_no_project_is_told_so(fy, fy_client):
    login(fy_client, fy.coordinator("新しい協議会"))
    assert "担当するプロジェクトはありません。" in Page(fy_client.get("/")).text


# ---------------------------------------------------------------------------
# The sheet page
# ---------------------------------------------------------------------------

PRINTED_HEADINGS = [
    "目的",
    "２０２３年度の活動実績（主要な取組）と評価",
    "○具体的取組",
    "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組",
    "○２０２３年度の評価",
    "プロジェクトを推進する上での課題",
    None,  # 設定目標（…）, as the sheet words it
    "２０２４年度以降の取組（計画）",
    "○具体的取組",
    "○今後の目標、達成見込み",
]


def sheet_headings(page: Page) -> list[str]:
    """The box headings and sub-headings of the sheet, in document order."""
    out = []
    for e in page.root.iter():
        tag = e.tag.rsplit("}", 1)[-1]
        if (tag == "h2" and (e.get("id") or "").startswith("h-") and e.get("id") != "h-history") or \
                (tag == "h3" and "sheet-sub" in (e.get("class") or "")):
            out.append(text_of(e))
    return out


def expected_headings(project: dict) -> list[str]:
    headings = [h if h is not None else project["targets"]["label"] for h in PRINTED_HEADINGS]
    if project["roadmap"]:
        headings.append("ロードマップ")
    if project["figures"]:
        headings.append("図表・写真")
    return headings


def kpi_table_expectation(kpi: dict) -> tuple[list[str], list[str], list[str]]:
    base = kpi["baseline"]
    head = ["区分", f"目標（{kpi['target']['year']}年）"]
    head += [(base.get("label") or f"{base['year']}年度") + "（基準）"] if base else []
    head += [f"{s['year']}年度（{s['label']}）" if s.get("label") else f"{s['year']}年度"
             for s in kpi["series"]]
    target = ["目標", kpi["target"].get("text") or fmt(kpi["target"]["value"])]
    target += ([""] if base else []) + [fmt(s["target"]) for s in kpi["series"]]
    actual = ["実績", ""] + ([fmt(base["value"])] if base else []) + [fmt(s["actual"]) for s in kpi["series"]]
    return head, target, actual


def text_fields(project: dict) -> dict[str, str]:
    return {"purpose": project["purpose"], **{f"results.{k}": v for k, v in project["results"].items()},
            "challenges": project["challenges"], "targets.text": project["targets"]["text"],
            **{f"plans.{k}": v for k, v in project["plans"].items()}}


def test_the_sheet_page_shows_the_printed_title_and_headings_in_printed_order(fy, fy_client):
    login(fy_client, fy.coordinator("福岡県"))
    page = Page(fy_client.get(f"/sheets/{fy.sheet_of(1).id}"))
    assert page.texts("h1") == ["① 九州水素エネルギー社会実現プロジェクト【幹事：福岡県】"]
    assert sheet_headings(page) == [
        "目的", "２０２３年度の活動実績（主要な取組）と評価", "○具体的取組",
        "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組", "○２０２３年度の評価",
        "プロジェクトを推進する上での課題", "設定目標（２０３０年）", "２０２４年度以降の取組（計画）",
        "○具体的取組", "○今後の目標、達成見込み"]
    assert page.root.get("lang") == "ja"


def test_every_sheet_shows_every_text_line_and_every_kpi_figure(fy, fy_client):
    login(fy_client, fy.secretariat())
    for number, project in PROJECTS.items():
        page = Page(fy_client.get(f"/sheets/{fy.sheet_of(number).id}"))
        where = f"sheet {CIRCLED[number - 1]}"
        assert page.texts("h1") == [f"{CIRCLED[number - 1]} {project['title']}【幹事：{project['lead_label']}】"]
        assert sheet_headings(page) == expected_headings(project), where
        text = page.text
        solid = "".join(text.split())  # a list marker may be set apart from its text
        for field, value in text_fields(project).items():
            for line in filter(None, map(collapse, value.split("\n"))):
                assert "".join(line.split()) in solid, f"{where}, {field}: line missing: {line}"
        tables = page.all("table", cls="kpi-table")
        kpis = project["targets"]["kpis"]
        assert len(tables) == len(kpis), where
        for k, (kpi, table) in enumerate(zip(kpis, tables)):
            head, target, actual = kpi_table_expectation(kpi)
            assert page.table_rows(table, "thead") == [head], f"{where}, KPI {k + 1}"
            assert page.table_rows(table) == [target, actual], f"{where}, KPI {k + 1}"
            assert kpi["name"] in text
        if project["roadmap"]:
            rows = page.table_rows(next(page.by_id("sec-roadmap").iter(NS + "table")))
            assert [r[:2] for r in rows] == [[r["activity"], r["detail"]] for r in project["roadmap"]["rows"]]
        for figure in project["figures"]:
            assert figure["caption"] in text, where


def test_a_kpi_without_a_target_year_shows_no_placeholder(fy, fy_client):
    sheet = fy.sheet_of(1)
    sheet.kpis[0].target_year = None
    db.session.commit()
    login(fy_client, fy.secretariat())
    page = Page(fy_client.get(f"/sheets/{sheet.id}"))
    head = page.table_rows(page.all("table", cls="kpi-table")[0], "thead")[0]
    assert head[1] == "目標" and "None" not in page.text


def test_another_year_of_the_same_project_is_offered_on_the_sheet(fy, fy_client):
    cycle = fy.cycle(2024)
    draft = fy.sheet(fy.sheet_of(2).project, cycle, state="draft", purpose="新しい目的")
    login(fy_client, fy.coordinator("大分県"))
    page = Page(fy_client.get(f"/sheets/{draft.id}"))
    assert "２０２４年度の活動実績（主要な取組）と評価" in sheet_headings(page)
    assert "２０２５年度以降の取組（計画）" in sheet_headings(page)
    options = [text_of(o) for o in page.by_id("other-year")]
    assert options == ["2024年度", "2023年度"]


# ---------------------------------------------------------------------------
# Error pages
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("who, path, method, status, title", [
    (None, "/no/such/page", "GET", 404, "ページが見つかりません"),
    ("coordinator", "/no/such/page", "GET", 404, "ページが見つかりません"),
    ("coordinator", "/admin/users", "GET", 403, "この操作は許可されていません"),
    ("coordinator", "/logout", "GET", 405, "この操作はできません"),
], ids=["404 anonymous", "404 logged in", "403", "405"])
def test_error_pages_are_in_japanese(fy, fy_client, who, path, method, status, title):
    if who:
        login(fy_client, fy.coordinator("大分県"))
    response = fy_client.open(path, method=method)
    assert response.status_code == status
    page = Page(response)
    assert page.root.get("lang") == "ja"
    assert page.texts("h1") == [title]
    assert f"エラーコード: {status}" in page.text
    assert "Not Found" not in page.text and "Forbidden" not in page.text


def test_a_crash_in_a_view_shows_the_japanese_500_page_without_a_traceback(fy, fy_client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals at /work/main/webapp/listing.py")
    monkeypatch.setattr("webapp.views_main.listing.cycles_desc", broken)
    login(fy_client, fy.secretariat())
    with caplog.at_level(logging.ERROR):
        response = fy_client.get("/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "システムエラーが発生しました" in Page(response).texts("h1")
    for leak in ("Traceback", "RuntimeError", "secret internals", "listing.py", 'File "'):
        assert leak not in html
    assert "secret internals" in caplog.text  # ... but the log has it, for whoever fixes it


def test_after_a_database_error_the_next_request_works(fy, fy_client, monkeypatch):
    login(fy_client, fy.secretariat())

    def database_gone(*args, **kwargs):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
    monkeypatch.setattr("webapp.views_main.listing.cycles_desc", database_gone)
    assert fy_client.get("/").status_code == 500
    monkeypatch.undo()
    assert fy_client.get("/").status_code == 200


# ---------------------------------------------------------------------------
# seed-demo
# ---------------------------------------------------------------------------

ACCOUNT_LINE = re.compile(r"^\s+(\S+@demo\.example\.jp)\s+(\S+)\s+(coordinator|secretariat|admin)\s+(.+)$")


def dump() -> dict:
    db.session.expire_all()
    return {t.name: [dict(r) for r in db.session.execute(select(t).order_by(*t.primary_key.columns)).mappings()]
            for t in db.metadata.sorted_tables}


def test_seed_demo_loads_the_report_creates_accounts_once_and_keeps_data_when_run_again(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "FY2023 の報告書データ: 取り込みました" in first.output
    accounts = [m.groups() for m in map(ACCOUNT_LINE.match, first.output.splitlines()) if m]
    assert len(accounts) == 2 + 13  # admin, secretariat, one coordinator per organisation
    assert {role for _, _, role, _ in accounts} == {"admin", "secretariat", "coordinator"}
    assert ("oita@demo.example.jp", "coordinator", "大分県") in {(e, r, o) for e, _, r, o in accounts}

    path = os.path.join(app.instance_path, "demo-accounts.txt")
    with open(path, encoding="utf-8") as fh:
        saved = [tuple(line.rstrip("\n").split("\t")) for line in fh]
    assert saved == [(e, p, r, o.strip()) for e, p, r, o in accounts]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    before = dump()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "取込済み（変更なし）" in second.output and "デモ用アカウントは作成済みです" in second.output
    assert not any(password in second.output for _, password, _, _ in accounts)
    assert dump() == before
    with open(path, encoding="utf-8") as fh:
        assert len(fh.readlines()) == len(accounts)

    # Every demo account logs in with the password printed once.
    for email, password, role, org in accounts:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200, email
    oita = app.test_client()
    oita.post("/login", data={"email": "oita@demo.example.jp",
                              "password": next(p for e, p, _, _ in accounts if e == "oita@demo.example.jp")})
    assert [r[0] for r in Page(oita.get("/")).table_rows()] == ["②", "⑦", "⑱", "⑲"]


def test_seed_demo_after_a_user_was_removed_recreates_only_that_account(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    removed = db.session.scalar(select(User).where(User.email == "saga@demo.example.jp"))
    kept = {u.email: u.password_hash for u in db.session.scalars(select(User))}
    db.session.delete(removed)
    db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert "saga@demo.example.jp" in result.output
    assert sum(1 for line in result.output.splitlines() if ACCOUNT_LINE.match(line)) == 1
    db.session.expire_all()
    for user in db.session.scalars(select(User)):
        if user.email != "saga@demo.example.jp":
            assert user.password_hash == kept[user.email]
