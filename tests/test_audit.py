"""The audit trail: every operation leaves exactly one row naming who did what to which object.

Stories: a coordinator submits and a reviewer returns; the secretariat closes,
re-opens and re-dates a year; an admin opens the next year; last year's report
file is imported; comments are written and resolved. Then an admin reads the
trail on /admin/audit, filters it, and downloads it as CSV.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import FY2023
from tests.factories import login
from webapp import audit, cycles
from webapp.extensions import db
from webapp.models import AuditEvent, Sheet, SheetVersion, Transition
from webapp.operations import NotPermitted, WorkflowError, transition
from webapp.permissions import can
from webapp.report_io import import_report
from webapp.report_io.system_user import system_user
from webapp.review import comments
from webapp.timeutil import utcnow
from webapp.workflow import SYSTEM_TRANSITIONS, State


def events() -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def row(e: AuditEvent) -> tuple:
    return (e.actor_id, e.action, e.object_type, e.object_id, e.changes)


@pytest.fixture
def oita(factory):
    """Project ② led by 大分県 in an open FY2024, a draft sheet, and the people around it."""
    f = factory
    project = f.project(2, "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", lead=("大分県",))
    cycle = f.cycle(2024, deadline=dt.date(2025, 3, 31))
    sheet = f.sheet(project, cycle, state="draft")
    return {"sheet": sheet, "lead": f.coordinator("大分県", email="oita@example.jp"),
            "jimu": f.secretariat(email="jimu@example.jp"), "admin": f.admin(email="kanri@example.jp")}


# --- sheets -------------------------------------------------------------------------------

def test_submit_and_return_each_write_one_row_with_the_state_change(app, oita):
    sheet, lead, jimu = oita["sheet"], oita["lead"], oita["jimu"]
    transition(lead, sheet, "submit")
    db.session.commit()
    transition(jimu, sheet, "return", comment="課題欄を具体的にしてください")
    db.session.commit()

    assert [row(e) for e in events()] == [
        (lead.id, "submit", "sheet", sheet.id, {"state": ["draft", "submitted"]}),
        (jimu.id, "return", "sheet", sheet.id, {"state": ["submitted", "returned"]}),
    ]
    first, second = events()
    assert first.summary == "2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：提出（第1版）"
    assert second.summary == ("2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：差戻し"
                              "　理由：課題欄を具体的にしてください")


def test_a_refused_step_writes_no_row(app, oita):
    with pytest.raises(NotPermitted):
        transition(oita["jimu"], oita["sheet"], "submit")
    db.session.rollback()
    assert events() == []


def test_nobody_takes_a_system_step_by_hand(app, oita):
    for name in SYSTEM_TRANSITIONS:
        for person in ("lead", "jimu", "admin"):
            with pytest.raises(WorkflowError):
                transition(oita[person], oita["sheet"], name)
            with pytest.raises(ValueError):
                can(oita[person], name, oita["sheet"])
    assert events() == []


# --- cycles -------------------------------------------------------------------------------

def test_closing_reopening_and_redating_a_year_record_who(app, oita):
    jimu, admin = oita["jimu"], oita["admin"]
    cycles.close_cycle(2024, jimu)
    db.session.commit()
    cycles.reopen_cycle(2024, admin)
    db.session.commit()
    cycles.set_deadline(2024, dt.date(2025, 4, 15), jimu)
    db.session.commit()
    cycles.set_report_date(2024, dt.date(2025, 6, 1), admin)
    db.session.commit()

    assert [row(e) for e in events()] == [
        (jimu.id, "cycle_close", "cycle", 2024, {"is_open": [True, False]}),
        (admin.id, "cycle_reopen", "cycle", 2024, {"is_open": [False, True]}),
        (jimu.id, "cycle_deadline", "cycle", 2024, {"deadline": ["2025-03-31", "2025-04-15"]}),
        (admin.id, "cycle_report_date", "cycle", 2024, {"report_date": [None, "2025-06-01"]}),
    ]
    assert [e.summary for e in events()] == [
        "2024年度の受付を締切", "2024年度の受付を再開", "2024年度の提出期限を変更",
        "2024年度の報告書の日付を変更"]


def test_closing_a_year_from_the_page_records_the_reviewer(app, oita, client):
    login(client, oita["jimu"])
    response = client.post("/cycles/2024/close", data={"confirm": "y"})
    assert response.status_code == 303
    assert [(e.actor_id, e.action) for e in events()] == [(oita["jimu"].id, "cycle_close")]


def test_opening_a_year_records_the_opener_and_each_carried_sheet(app, oita):
    sheet, admin = oita["sheet"], oita["admin"]
    admin_id = admin.id
    sheet.state = State.APPROVED.value
    sheet.approved_at, sheet.approved_by_id = utcnow(), admin_id
    db.session.commit()
    summary = cycles.open_cycle(2025, dt.date(2026, 3, 31), admin)
    db.session.commit()
    [carried] = summary.carried

    assert [row(e) for e in events()] == [
        (admin.id, "open", "sheet", carried.id, {"state": ["not_started", "not_started"]}),
        (admin.id, "cycle_open", "cycle", 2025,
         {"is_open": [None, True], "deadline": [None, "2026-03-31"],
          "report_title": [None, "2025年度 活動実績と評価"]}),
    ]
    [record] = db.session.scalars(select(Transition).where(Transition.sheet_id == carried.id)).all()
    assert (record.action, record.from_state, record.to_state, record.actor_id, record.comment) == (
        "open", "not_started", "not_started", admin.id, "2024年度の承認済み個票から引継ぎ")


# --- import -------------------------------------------------------------------------------

def _one_project_file() -> dict:
    with open(FY2023, encoding="utf-8") as fh:
        data = json.load(fh)
    data["projects"] = [p for p in data["projects"] if p["number"] == 2]
    return data


def test_import_records_the_system_account_and_keeps_a_snapshot(app):
    import_report(_one_project_file())
    db.session.commit()
    importer = system_user()
    sheet = db.session.scalar(select(Sheet))

    imported = [e for e in events() if e.object_type == "sheet"]
    assert [(e.actor_id, e.action, e.object_id) for e in imported] == [(importer.id, "import", sheet.id)]
    assert imported[0].changes["state"] == ["not_started", "approved"]
    assert imported[0].changes["challenges"] == [None, sheet.text("challenges")]
    assert imported[0].summary.endswith("：取込（第1版）")
    [version] = db.session.scalars(select(SheetVersion)).all()
    assert (version.sheet_id, version.number, version.reason, version.created_by_id) == (
        sheet.id, 1, "import", importer.id)
    assert version.content["challenges"] == sheet.text("challenges")
    [record] = db.session.scalars(select(Transition)).all()
    assert (record.action, record.from_state, record.to_state, record.actor_id, record.version_number) == (
        "import", "not_started", "approved", importer.id, 1)
    assert (sheet.state, sheet.approved_by_id) == ("approved", importer.id)
    assert {e.action for e in events()} == {"organisation_create", "project_create", "import"}

    before = len(events())
    import_report(_one_project_file())   # the same file again changes nothing, records nothing
    db.session.commit()
    assert len(events()) == before


# --- comments -----------------------------------------------------------------------------

def test_comment_reply_resolve_and_reopen_each_write_one_row(app, oita):
    sheet, lead, jimu = oita["sheet"], oita["lead"], oita["jimu"]
    root = comments.add_comment(jimu, sheet, "数値の出典を書いてください", section="challenges")
    db.session.commit()
    comments.set_resolved(jimu, root, True)
    db.session.commit()
    reply = comments.add_comment(lead, sheet, "追記しました", parent=root)
    db.session.commit()
    comments.set_resolved(lead, root, False)
    db.session.commit()

    assert [row(e) for e in events()] == [
        (jimu.id, "comment_add", "comment", root.id,
         {"body": [None, "数値の出典を書いてください"], "section": [None, "challenges"]}),
        (jimu.id, "comment_resolve", "comment", root.id, {"resolved": [False, True]}),
        (lead.id, "comment_reply", "comment", reply.id,
         {"body": [None, "追記しました"], "section": [None, "challenges"],
          "thread_resolved": [True, False]}),
        (lead.id, "comment_reopen", "comment", root.id, {"resolved": [False, False]}),
    ]


# --- the database keeps the lists ---------------------------------------------------------

def test_the_database_refuses_an_unknown_audit_action(app):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO audit_events (at, action, object_type, summary, changes)"
                " VALUES (CURRENT_TIMESTAMP, 'delete_everything', 'sheet', '', '{}')"))
    assert events() == []


def test_the_database_refuses_an_unknown_transition_action(app, oita):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO transitions (sheet_id, action, from_state, to_state, at, comment)"
                " VALUES (:s, 'teleport', 'draft', 'approved', CURRENT_TIMESTAMP, '')"),
                {"s": oita["sheet"].id})


def test_record_refuses_an_unknown_action_before_the_database_does(app):
    with pytest.raises(ValueError):
        audit.record(None, "delete_everything", "sheet", 1)
    with pytest.raises(ValueError):
        audit.record(None, "save", "planet", 1)


def _migration(name: str):
    import importlib.util
    import os
    from tests.conftest import ROOT
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(ROOT, "migrations", "versions", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_list_the_same_actions_as_the_model():
    """0003 created the CHECK list; 0012 added new recovery codes to it, 0013 the step-up,
    0018 the change of a year's sheet template, 0020 the API tokens."""
    from webapp.models import AUDIT_ACTIONS
    from webapp.workflow import TRANSITION_ACTIONS
    created = _migration("0003_audit_events")
    renewed, stepped = _migration("0012_recovery_codes_audit"), _migration("0013_step_up_audit")
    assert created.AUDIT_ACTIONS == renewed.BEFORE
    assert renewed.BEFORE + renewed.ADDED == stepped.BEFORE
    templated = _migration("0018_sheet_templates")
    assert stepped.BEFORE + stepped.ADDED == templated.BEFORE
    tokens = _migration("0020_api_tokens")
    assert templated.BEFORE + templated.ADDED == tokens.BEFORE
    assert sorted(tokens.BEFORE + tokens.ADDED) == sorted(AUDIT_ACTIONS)
    assert created.TRANSITION_ACTIONS == TRANSITION_ACTIONS


# --- the audit page -----------------------------------------------------------------------

JST_NOON = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def trail(app, oita, factory):
    """Three recorded steps on two days (Japan time) by two people, and a second sheet."""
    other = factory.sheet(factory.project(5, "観光プロジェクト", lead=("福岡県",)), factory.cycle(2024))
    sheet, lead, jimu = oita["sheet"], oita["lead"], oita["jimu"]
    transition(lead, sheet, "submit")
    transition(jimu, sheet, "return", comment="=HYPERLINK(\"http://example.com\")")
    cycles.set_deadline(2024, dt.date(2025, 4, 15), jimu)
    db.session.commit()
    submit, ret, deadline = events()
    # 2025-04-01 23:30 and 2025-04-02 00:30 in Japan: different days there, the same day in UTC.
    submit.at = dt.datetime(2025, 4, 1, 23, 30, tzinfo=JST_NOON)
    ret.at = dt.datetime(2025, 4, 2, 0, 30, tzinfo=JST_NOON)
    deadline.at = dt.datetime(2025, 4, 3, 9, 0, tzinfo=JST_NOON)
    db.session.commit()
    return {**oita, "other": other}


def test_an_admin_reads_the_trail_newest_first_in_japan_time(trail, client):
    login(client, trail["admin"])
    response = client.get("/admin/audit")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "3件" in text
    assert text.index("2025年4月3日 09:00") < text.index("2025年4月2日 00:30") < text.index("2025年4月1日 23:30")
    assert "提出期限の変更" in text and "差戻し" in text and "提出" in text
    assert "作成中 → 提出済" in text
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)  # in the admin's menu


def test_the_trail_filters_by_sheet_user_and_japan_days(trail, client):
    login(client, trail["admin"])
    sheet, lead, jimu = trail["sheet"], trail["lead"], trail["jimu"]

    def count(query: str) -> str:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        text = response.get_data(as_text=True)
        return text[text.index('id="audit-count"'):].split(">", 1)[1].split("<", 1)[0]

    assert count(f"sheet={sheet.id}") == "2件"
    assert count(f"sheet={trail['other'].id}") == "0件"
    assert count(f"user={lead.id}") == "1件"
    assert count(f"user={jimu.id}") == "2件"
    assert count("date_from=2025-04-02&date_to=2025-04-02") == "1件"
    assert count("date_from=2025-04-01&date_to=2025-04-01") == "1件"
    assert count("date_from=2025-04-02") == "2件"
    assert count(f"sheet={sheet.id}&user={jimu.id}&date_to=2025-04-02") == "1件"


def test_a_bad_filter_is_told_in_japanese_not_a_500(trail, client):
    login(client, trail["admin"])
    response = client.get("/admin/audit?date_from=2025-04-05&date_to=2025-04-01")
    assert response.status_code == 400
    assert "終了日は開始日以降の日付にしてください。" in response.get_data(as_text=True)
    response = client.get("/admin/audit?user=99999&date_from=yesterday")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "操作者の指定が正しくありません。" in text
    assert "開始日は 2025-03-31 の形式（年-月-日）で入力してください。" in text
    assert client.get("/admin/audit.csv?sheet=abc").status_code == 400


def test_the_trail_is_paginated(app, oita, client):
    for n in range(51):
        cycles.set_deadline(2024, dt.date(2025, 1, 1) + dt.timedelta(days=n), oita["jimu"])
    db.session.commit()
    login(client, oita["admin"])
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "51件（1／2ページ）" in first and 'rel="next"' in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "51件（2／2ページ）" in second and 'rel="prev"' in second
    assert second.count("提出期限の変更") == 1
    assert client.get("/admin/audit?page=99").status_code == 200


def test_the_csv_opens_in_excel_and_keeps_formulas_as_text(trail, client):
    login(client, trail["admin"])
    response = client.get(f"/admin/audit.csv?sheet={trail['sheet'].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["日時（日本時間）", "操作者", "操作者のメールアドレス", "操作", "対象", "対象ID",
                       "概要", "変更内容"]
    sheet_id = str(trail["sheet"].id)
    jimu, lead = trail["jimu"], trail["lead"]
    assert rows[1] == [
        "2025年4月2日 00:30", jimu.display_name, "jimu@example.jp", "差戻し", "個票", sheet_id,
        "2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：差戻し"
        "　理由：=HYPERLINK(\"http://example.com\")",
        "状態: 提出済 → 差戻し"]
    assert rows[2] == [
        "2025年4月1日 23:30", lead.display_name, "oita@example.jp", "提出", "個票", sheet_id,
        "2024年度 2番「地熱・温泉熱エネルギー産業拠点化推進プロジェクト」：提出（第1版）",
        "状態: 作成中 → 提出済"]
    assert len(rows) == 3


def test_a_cell_that_starts_like_a_formula_is_written_as_text(trail, client):
    audit.record(trail["jimu"], "cycle_deadline", "cycle", 2024, "=1+2", {"deadline": ["-1", "@x"]})
    db.session.commit()
    login(client, trail["admin"])
    body = client.get(f"/admin/audit.csv?user={trail['jimu'].id}").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][6:] == ["'=1+2", "提出期限: -1 → @x"]


# --- how the trail names what changed -----------------------------------------------------

def _changes_shown(client) -> list[tuple[str, list[str]]]:
    """(操作, its changes as listed) for each row of the audit page, newest first."""
    from tests.htmlpage import Page, text_of
    page = Page(client.get("/admin/audit"))
    rows = []
    for tr in page.all("tr"):
        cells = [c for c in tr if c.tag.endswith("}td")]
        if len(cells) == 6:
            rows.append((text_of(cells[2]), [text_of(li) for li in cells[5].iter()
                                              if li.tag.endswith("}li")]))
    return rows


def test_the_trail_names_changed_fields_as_their_forms_do_and_says_organisation(app, oita, client):
    from webapp.council import operations as council
    admin, jimu = oita["admin"], oita["jimu"]
    oita_org = oita["lead"].organisation
    org = council.create_organisation(admin, "九州観光機構", "association")
    project = oita["sheet"].project
    council.update_project(admin, project, council.ProjectData(
        number=2, title=project.title, lead_label="大分県（九州観光機構）",
        lead_ids=[oita_org.id], co_ids=[org.id], active=True))
    council.update_organisation(admin, org, "一般社団法人九州観光機構", "business_federation",
                                active=False)
    from webapp import accounts
    accounts.update_user(admin, jimu, email=jimu.email, display_name=jimu.display_name,
                         role="coordinator", organisation_id=oita_org.id, active=True)
    db.session.commit()

    login(client, admin)
    shown = _changes_shown(client)
    assert shown[0] == ("ユーザー変更", ["所属組織：（なし） → 大分県", "役割：事務局 → 幹事担当者"])
    assert shown[1] == ("組織の変更", ["組織名：九州観光機構 → 一般社団法人九州観光機構",
                                   "種類：団体・協議会 → 経済団体", "有効：はい → いいえ"])
    assert shown[2] == ("プロジェクトの変更", ["印刷する幹事の表記：大分県 → 大分県（九州観光機構）",
                                        "共同幹事：（なし） → 九州観光機構"])
    assert shown[3] == ("組織の登録", ["組織名：（なし） → 九州観光機構",
                                   "種類：（なし） → 団体・協議会"])
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "団体の" not in text

    rows = list(csv.reader(io.StringIO(
        client.get("/admin/audit.csv").get_data().decode("utf-8-sig"))))
    assert rows[2][3:5] == ["組織の変更", "組織"]
    assert rows[2][7] == ("組織名: 九州観光機構 → 一般社団法人九州観光機構\n"
                          "種類: 団体・協議会 → 経済団体\n有効: はい → いいえ")


def test_the_trail_names_a_sheets_sections_and_flags_by_their_headings(app, oita, client):
    sheet, lead, jimu = oita["sheet"], oita["lead"], oita["jimu"]
    audit.record(lead, "save", "sheet", sheet.id, "内容の保存",
                 {"challenges": ("", "・人材の確保"), "results_evaluation": ("", "・順調")})
    transition(lead, sheet, "submit")
    transition(jimu, sheet, "return", comment="課題を具体的に", sections=["challenges"])
    db.session.commit()
    login(client, oita["admin"])
    shown = _changes_shown(client)
    assert shown[0] == ("差戻し", ["状態：提出済 → 差戻し",
                                 "要修正の欄：（なし） → プロジェクトを推進する上での課題"])
    assert shown[2] == ("内容の保存", [
        "プロジェクトを推進する上での課題：（空欄） → ・人材の確保",
        "２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価：（空欄） → ・順調"])
