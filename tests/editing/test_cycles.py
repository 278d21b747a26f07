"""Opening a year carries every approved sheet forward; a year opens once; closing stops editing."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from tests.editing.conftest import form_fields, png_bytes, sheet24
from tests.factories import login
from tests.htmlpage import Page
from webapp.cycles import CycleError, close_cycle, open_cycle, reopen_cycle
from webapp.timeutil import days_left_text
from webapp.extensions import db
from webapp.models import ReportingCycle, Sheet, Transition
from webapp.permissions import can
from webapp.sheet_content import sheet_to_dict


def test_fy2024_draft_of_2_holds_fy2023_approved_purpose_targets_and_kpis(fy_app, f):
    before = sheet_to_dict(f.sheet_of(2, 2023))
    summary = open_cycle(2024, dt.date(2025, 4, 30), f.secretariat())
    db.session.commit()
    assert len(summary.carried) == 21 and summary.not_started == []

    draft = f.sheet_of(2, 2024)
    after = sheet_to_dict(draft)
    # 未着手 until 大分県 first saves it, though it holds last year's text already
    assert draft.state == "not_started" and draft.version == 1
    assert after["purpose"] == before["purpose"]
    assert after["targets"]["target_year"] == 2030
    assert after["targets"]["label"] == before["targets"]["label"] == "設定目標（２０３０年）"
    assert after["targets"]["text"] == before["targets"]["text"]
    old_kpi, new_kpi = before["targets"]["kpis"][0], after["targets"]["kpis"][0]
    assert new_kpi["name"] == old_kpi["name"] == "九州内における地熱・温泉熱活用プロジェクト組成件数"
    assert new_kpi["target"] == {"year": 2030, "value": 500}
    assert new_kpi["note"] == old_kpi["note"] and new_kpi["cumulative"] is True
    # the whole history, then an empty row for this year's figure
    assert new_kpi["series"][:-1] == old_kpi["series"]
    assert new_kpi["series"][-1] == {"year": 2024, "target": None, "actual": None}
    # figures kept (② has a diagram without an image)
    assert after["figures"] == before["figures"]
    # last year's plans: the starting text of this year's results (and read from last
    # year's sheet itself to be shown beside the form)
    assert after["results"]["evaluation"] == before["plans"]["outlook"]
    assert after["results"]["actions"] == before["plans"]["actions"]
    # what is written anew each year starts empty
    assert after["challenges"] == "" and after["plans"] == {"actions": "", "outlook": ""}
    # last year's sheet is untouched
    assert sheet_to_dict(f.sheet_of(2, 2023)) == before
    assert f.sheet_of(2, 2023).state == "approved"


def test_a_kpi_s_direction_is_carried_forward(fy_app, f):
    f.sheet_of(17, 2023).kpis[0].direction = "decrease"
    db.session.commit()
    open_cycle(2024, None, f.secretariat())
    db.session.commit()
    kpis = sheet_to_dict(f.sheet_of(17, 2024))["targets"]["kpis"]
    assert kpis[0]["direction"] == "decrease"
    assert "direction" not in sheet_to_dict(f.sheet_of(21, 2024))["targets"]["kpis"][0]


def test_roadmaps_are_carried_forward(fy_app, f):
    before = sheet_to_dict(f.sheet_of(5, 2023))["roadmap"]
    open_cycle(2024, None, None)
    db.session.commit()
    assert before and sheet_to_dict(f.sheet_of(5, 2024))["roadmap"] == before


def test_opening_is_recorded_in_each_sheets_history(fy_app, f):
    secretariat = f.secretariat()
    open_cycle(2024, None, secretariat)
    db.session.commit()
    record = db.session.scalar(select(Transition).where(Transition.sheet_id == f.sheet_of(2, 2024).id))
    assert (record.action, record.from_state, record.to_state, record.actor_id) == \
        ("open", "not_started", "not_started", secretariat.id)
    assert record.comment == "2023年度の承認済み個票から引継ぎ"


def test_uploaded_images_are_copied_not_shared(fy_app, f):
    folder = fy_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    old = f.sheet_of(12, 2023)
    name = "ab" * 16 + ".png"
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(png_bytes())
    old.figures[1].image_file, old.figures[1].image_width, old.figures[1].image_height = name, 40, 30
    db.session.commit()
    open_cycle(2024, None, None)
    db.session.commit()
    new = f.sheet_of(12, 2024).figures[1]
    assert new.caption == "ピーマン自動収穫ロボット"
    assert new.image_file and new.image_file != name
    assert (new.image_width, new.image_height) == (40, 30)
    with open(os.path.join(folder, new.image_file), "rb") as a, open(os.path.join(folder, name), "rb") as b:
        assert a.read() == b.read()


def test_projects_without_an_approved_sheet_start_empty_and_inactive_ones_are_skipped(fy_app, f):
    f.project(22, "新規プロジェクト", lead=("大分県",))
    f.project(23, "終了したプロジェクト", lead=("大分県",)).active = False
    db.session.commit()
    summary = open_cycle(2024, None, None)
    db.session.commit()
    assert len(summary.carried) == 21 and len(summary.not_started) == 1
    new = f.sheet_of(22, 2024)
    assert new.state == "not_started" and new.text("purpose") == "" and new.kpis == []
    assert f.sheet_of(23, 2024) is None
    assert "白紙の個票 1件（承認済みの前年度個票なし）" in summary.message


def test_carry_forward_takes_the_latest_approved_year(fy_app, f):
    open_cycle(2024, None, None)
    db.session.commit()
    sheet = f.sheet_of(2, 2024)
    sheet.texts = {**sheet.texts, "purpose": "2024年度に改めた目的"}
    sheet.state, sheet.approved_at, sheet.approved_by_id = "approved", sheet.created_at, f.admin().id
    draft3 = f.sheet_of(3, 2024)  # left unsaved: 2025 must fall back to 2023 for ③
    db.session.commit()
    open_cycle(2025, None, None)
    db.session.commit()
    assert f.sheet_of(2, 2025).text("purpose") == "2024年度に改めた目的"
    assert f.sheet_of(3, 2025).text("purpose") == f.sheet_of(3, 2023).text("purpose")
    assert draft3.state == "not_started"


def test_opening_a_year_twice_is_refused(fy_app, f):
    open_cycle(2024, None, None)
    db.session.commit()
    with pytest.raises(CycleError) as exc:
        open_cycle(2024, None, None)
    assert str(exc.value) == "2024年度は既に開始されています（受付中）。同じ年度を二度開始することはできません。"
    db.session.rollback()
    assert db.session.query(Sheet).join(ReportingCycle).filter(ReportingCycle.year == 2024).count() == 21


def test_report_title_follows_last_year(fy_app):
    summary = open_cycle(2024, None, None)
    assert summary.cycle.report_title == "成長産業戦略プロジェクト 2024年度 活動実績と評価"


def test_closing_stops_editing_and_reopening_allows_it(app24, f):
    oita = f.coordinator("大分県")
    sheet = sheet24(f)
    assert can(oita, "edit_sheet", sheet)
    close_cycle(2024)
    db.session.commit()
    assert not can(oita, "edit_sheet", sheet)
    with pytest.raises(CycleError, match="既に締め切られています"):
        close_cycle(2024)
    reopen_cycle(2024)
    db.session.commit()
    assert can(oita, "edit_sheet", sheet)
    with pytest.raises(CycleError, match="既に受付中です"):
        reopen_cycle(2024)
    with pytest.raises(CycleError, match="2030年度はまだ開始されていません"):
        close_cycle(2030)


def test_days_left_in_japanese():
    today = dt.date(2025, 4, 18)
    assert days_left_text(dt.date(2025, 4, 30), today) == "あと12日"
    assert days_left_text(today, today) == "本日が期限"
    assert days_left_text(dt.date(2025, 4, 15), today) == "3日超過"


# ---------------------------------------------------------------- in the app

def test_secretariat_opens_a_year_in_the_app(fy_app, f):
    client = fy_app.test_client()
    login(client, f.secretariat())
    page = Page(client.get("/cycles"))
    assert page.input_value("year") == "2024"
    response = client.post("/cycles/open", data={"year": "２０２４", "deadline": "2025-04-30"})
    assert response.status_code == 303
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024))
    assert cycle.is_open and cycle.deadline == dt.date(2025, 4, 30)
    page = Page(client.get("/cycles"))
    assert ("2024年度の受付を開始しました。前年度から引き継いだ個票 21件。"
            "どの個票も、幹事が最初に保存するまで「未着手」です。") in page.text
    again = client.post("/cycles/open", data={"year": "2024"})
    assert again.status_code == 409
    assert "2024年度は既に開始されています（受付中）。同じ年度を二度開始することはできません。" in Page(again).text


@pytest.mark.parametrize("data,message", [
    ({"year": ""}, "報告年度を入力してください。"),
    ({"year": "来年"}, "年度は西暦の数字で入力してください（\"来年\"）。"),
    ({"year": "1899"}, "報告年度は 1900～2200 の西暦で入力してください。"),
    ({"year": "2024", "deadline": "4月30日"}, "提出期限は 2025-03-31 の形式（年-月-日）で入力してください。"),
])
def test_open_form_messages(fy_app, f, data, message):
    client = fy_app.test_client()
    login(client, f.secretariat())
    response = client.post("/cycles/open", data=data)
    assert response.status_code == 422
    assert message in Page(response).text
    assert db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024)) is None


def test_closing_needs_confirmation_then_coordinators_cannot_save(app24, f):
    sheet = sheet24(f)
    coordinator = app24.test_client()
    login(coordinator, f.coordinator("大分県"))
    fields = form_fields(coordinator, sheet.id)

    secretariat = app24.test_client()
    login(secretariat, f.secretariat())
    confirm = Page(secretariat.get("/cycles/2024/close"))
    assert "2024年度の受付を締め切りますか？" in confirm.text
    refused = secretariat.post("/cycles/2024/close", data={})
    assert refused.status_code == 422 and "確認のチェックを入れてください。" in Page(refused).text
    assert db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024)).is_open
    assert secretariat.post("/cycles/2024/close", data={"confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert not db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024)).is_open

    fields["challenges"] = "締切後に書いた課題"
    response = coordinator.post(f"/sheets/{sheet.id}/edit", data=fields)
    assert response.status_code == 409
    page = Page(response)
    assert "2024年度の受付は締め切られているため、この個票は編集できません。" in page.text
    assert "締切後に書いた課題" in page.html  # still on the screen
    db.session.expire_all()
    assert sheet24(f).text("challenges") == ""
    # the edit link is gone and the edit page sends the coordinator back to the sheet
    assert coordinator.get(f"/sheets/{sheet.id}/edit").status_code == 302
    assert "edit-link" not in coordinator.get(f"/sheets/{sheet.id}").get_data(as_text=True)

    assert secretariat.post("/cycles/2024/reopen").status_code == 303
    assert coordinator.get(f"/sheets/{sheet.id}/edit").status_code == 200


def test_deadline_can_be_changed(app24, f):
    client = app24.test_client()
    login(client, f.secretariat())
    assert client.post("/cycles/2024/deadline", data={"deadline": "2025-05-15"}).status_code == 303
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == 2024))
    assert cycle.deadline == dt.date(2025, 5, 15)


def test_coordinator_home_shows_its_sheets_with_deadline_and_days_left(app24, f):
    from webapp.timeutil import today_jst
    client = app24.test_client()
    login(client, f.coordinator("大分県"))
    page = Page(client.get("/"))
    days = (dt.date(2025, 4, 30) - today_jst()).days
    expected = f"あと{days}日" if days > 0 else ("本日が期限" if days == 0 else f"{-days}日超過")
    assert "提出期限 2025年4月30日（水）（" + expected + "）" in page.text
    section = next(e for e in page.all("section") if e.get("aria-labelledby") == "cycle-2024")
    table = next(section.iter("{http://www.w3.org/1999/xhtml}table"))
    rows = page.table_rows(table)
    assert [r[0] for r in rows] == ["②", "⑦", "⑱", "⑲"]
    # Carried forward and not yet saved by 大分県: 未着手, and no one's last update.
    assert all(r[4] == "未着手" for r in rows)
    assert all(r[5].startswith("前年度から引継ぎ（") for r in rows)


# ---------------------------------------------------------------- the command

def test_open_cycle_command(fy_app):
    runner = fy_app.test_cli_runner()
    result = runner.invoke(args=["open-cycle", "--year", "2024", "--deadline", "2025-04-30"])
    assert result.exit_code == 0, result.output
    assert ("2024年度の受付を開始しました。前年度から引き継いだ個票 21件。"
            "どの個票も、幹事が最初に保存するまで「未着手」です。") in result.output
    again = runner.invoke(args=["open-cycle", "--year", "2024"])
    assert again.exit_code == 1
    assert "エラー: 2024年度は既に開始されています（受付中）。" in again.output
    bad = runner.invoke(args=["open-cycle", "--year", "2025", "--deadline", "30/4/2025"])
    assert bad.exit_code == 1 and "--deadline は YYYY-MM-DD の形式で指定してください" in bad.output
    closed = runner.invoke(args=["close-cycle", "--year", "2024"])
    assert closed.exit_code == 0 and "2024年度の受付を締め切りました。" in closed.output
    assert runner.invoke(args=["close-cycle", "--year", "2024"]).exit_code == 1
    assert runner.invoke(args=["reopen-cycle", "--year", "2024"]).exit_code == 0
    assert runner.invoke(args=["reopen-cycle", "--year", "2099"]).exit_code == 1
