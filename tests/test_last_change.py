"""Who last changed a sheet, and when: home, the dashboard, the sheet page and the editor agree.

Stories: the secretariat opens FY2024 from the FY2023 report; nobody has touched a
sheet yet, so every one is 未着手 and reads 「前年度から引継ぎ（日時）」, not the
secretariat's name. 大分県 saves ②: it is 作成中, last changed by 大分県. The
secretariat returns it: every page names the secretariat. An admin adds a project
to the open year: nobody has saved its sheet, and the coordinator's home lists it
under FY2024 only.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import login
from tests.htmlpage import Page, text_of
from webapp.council import operations as council
from webapp.cycles import open_cycle
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.models import Sheet, Transition
from webapp.operations import transition
from webapp.sheet_content import sheet_to_dict

JST = dt.timezone(dt.timedelta(hours=9))
OPENED = dt.datetime(2025, 4, 1, 9, 0, tzinfo=JST)
SAVED = dt.datetime(2025, 4, 3, 10, 15, tzinfo=JST)


def at(sheet: Sheet, action: str, when: dt.datetime) -> None:
    """Put the sheet's `action` step at `when` (Japan time), so that pages show a known time."""
    for t in db.session.scalars(select(Transition).where(Transition.sheet_id == sheet.id,
                                                         Transition.action == action)):
        t.at = when
    db.session.commit()


@pytest.fixture
def opened(fy):
    """FY2024 opened by the secretariat at 2025-04-01 09:00; the people, named."""
    people = {"jimu": fy.secretariat(), "oita": fy.coordinator("大分県"), "admin": fy.admin()}
    people["jimu"].display_name, people["oita"].display_name = "事務局 審査担当", "大分 花子"
    db.session.commit()
    open_cycle(2024, dt.date(2025, 4, 30), people["jimu"])
    db.session.commit()
    for sheet in db.session.scalars(select(Sheet)):
        at(sheet, "open", OPENED)
    return people


def dashboard_rows(client) -> dict[str, list[str]]:
    page = Page(client.get("/dashboard/2024"))
    return {r[0]: r for r in page.table_rows(page.by_id("status-table"))}


def first_save(who, sheet: Sheet, when: dt.datetime) -> None:
    save_content(who, sheet, sheet.version, sheet_to_dict(sheet), [None] * len(sheet.figures))
    sheet.updated_at = when
    db.session.commit()
    at(sheet, "edit", when)


def test_right_after_the_opening_every_carried_sheet_is_not_started_and_carried(fy, fy_client, opened):
    login(fy_client, opened["jimu"])
    page = Page(fy_client.get("/dashboard/2024"))
    counts = {li.get("data-state"): text_of(li) for li in page.all("li") if li.get("data-state")}
    assert counts["not_started"] == "未着手 21件" and counts["draft"] == "作成中 0件"
    rows = dashboard_rows(fy_client)
    assert rows["②"][3] == "未着手"
    assert rows["②"][4] == "前年度から引継ぎ（2025年4月1日 09:00）"
    assert all(r[4] == "前年度から引継ぎ（2025年4月1日 09:00）" for r in rows.values())
    assert "事務局 審査担当" not in text_of(page.by_id("status-table"))

    # The secretariat's home and the sheet page say the same.
    home = Page(fy_client.get("/?year=2024"))
    second = next(r for r in home.table_rows() if r[0] == "②")
    assert second[3:] == ["未着手", "前年度から引継ぎ（2025年4月1日 09:00）", ""]
    sheet = fy.sheet_of(2, 2024)
    assert text_of(Page(fy_client.get(f"/sheets/{sheet.id}")).by_id("last-change")) == \
        "最終更新 前年度から引継ぎ（2025年4月1日 09:00）"

    # The coordinator finds last year's text in the editor, and no one's save.
    fy_client.post("/logout")
    login(fy_client, opened["oita"])
    editor = Page(fy_client.get(f"/sheets/{sheet.id}/edit"))
    assert editor.by_id("purpose").text == sheet.text("purpose") != ""
    assert [text_of(e) for e in editor.all("span", "js-never-saved")] == ["まだ保存されていません"] * 2
    assert all(e.get("hidden") is not None for e in editor.all("span", "js-last-saved"))
    coordinator_home = Page(fy_client.get("/"))
    section = next(e for e in coordinator_home.all("section")
                   if e.get("aria-labelledby") == "cycle-2024")
    rows = coordinator_home.table_rows(next(section.iter("{http://www.w3.org/1999/xhtml}table")))
    assert rows[0][:1] + rows[0][4:] == ["②", "未着手", "前年度から引継ぎ（2025年4月1日 09:00）"]


def test_the_first_save_by_its_organisation_starts_the_sheet_and_names_who(fy, fy_client, opened):
    sheet = fy.sheet_of(2, 2024)
    first_save(opened["oita"], sheet, SAVED)
    assert fy.sheet_of(2, 2024).state == "draft"
    login(fy_client, opened["jimu"])
    rows = dashboard_rows(fy_client)
    assert rows["②"][3:5] == ["作成中", "2025年4月3日 10:15大分 花子"]
    assert rows["⑦"][3:5] == ["未着手", "前年度から引継ぎ（2025年4月1日 09:00）"]
    home = Page(fy_client.get("/?year=2024"))
    assert next(r for r in home.table_rows() if r[0] == "②")[3:] == \
        ["作成中", "2025年4月3日 10:15", "大分 花子"]
    assert text_of(Page(fy_client.get(f"/sheets/{sheet.id}")).by_id("last-change")) == \
        "最終更新 2025年4月3日 10:15（大分 花子）"
    fy_client.post("/logout")
    login(fy_client, opened["oita"])
    editor = Page(fy_client.get(f"/sheets/{sheet.id}/edit"))
    assert not editor.all("span", "js-never-saved")
    assert [text_of(e) for e in editor.all("span", "js-last-saved")] == \
        ["最終保存 2025年4月3日 10:15（大分 花子）"] * 2


def test_after_a_return_home_and_the_dashboard_name_the_same_person(fy, fy_client, opened):
    sheet = fy.sheet_of(2, 2024)
    first_save(opened["oita"], sheet, SAVED)
    transition(opened["oita"], sheet, "submit")
    transition(opened["jimu"], sheet, "return", comment="課題を具体的に書いてください。")
    db.session.commit()
    at(sheet, "submit", dt.datetime(2025, 4, 4, 9, 0, tzinfo=JST))
    at(sheet, "return", dt.datetime(2025, 4, 5, 14, 30, tzinfo=JST))
    login(fy_client, opened["jimu"])
    assert dashboard_rows(fy_client)["②"][3:5] == ["差戻し", "2025年4月5日 14:30事務局 審査担当"]
    home = Page(fy_client.get("/?year=2024"))
    assert next(r for r in home.table_rows() if r[0] == "②")[3:] == \
        ["差戻し", "2025年4月5日 14:30", "事務局 審査担当"]
    assert text_of(Page(fy_client.get(f"/sheets/{sheet.id}")).by_id("last-change")) == \
        "最終更新 2025年4月5日 14:30（事務局 審査担当）"


def test_a_project_added_to_the_open_year_has_no_save_and_is_listed_under_that_year_only(
        fy, fy_client, opened):
    oita_org = opened["oita"].organisation
    project = council.create_project(opened["admin"], council.ProjectData(
        number=22, title="九州の温泉地再生プロジェクト", lead_label="大分県",
        lead_ids=[oita_org.id], co_ids=[]))
    db.session.commit()
    sheet = fy.sheet_of(22, 2024)
    login(fy_client, opened["oita"])
    assert text_of(Page(fy_client.get(f"/sheets/{sheet.id}")).by_id("last-change")) == \
        "まだ保存されていません"
    editor = Page(fy_client.get(f"/sheets/{sheet.id}/edit"))
    assert [text_of(e) for e in editor.all("span", "js-never-saved")] == ["まだ保存されていません"] * 2

    home = Page(fy_client.get("/"))
    listed = {}
    for year in (2024, 2023):
        section = next(e for e in home.all("section") if e.get("aria-labelledby") == f"cycle-{year}")
        table = next(section.iter("{http://www.w3.org/1999/xhtml}table"))
        listed[year] = [r[0] for r in home.table_rows(table)]
    assert listed == {2024: ["②", "⑦", "⑱", "⑲", "㉒"], 2023: ["②", "⑦", "⑱", "⑲"]}
    row = next(r for r in home.table_rows() if r[0] == "㉒")
    assert row[4:] == ["未着手", "まだ保存されていません"]
    assert project.title in home.text
