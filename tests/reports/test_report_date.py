"""The cover date (#20 item 6): an import is not an approval day; the secretariat sets
the date on the reports page, from the command line or in the report file."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.conftest import FY2023
from tests.factories import login
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.jptext import jp_date
from webapp.models import AuditEvent
from webapp.report_io import ReportFileError, import_report, load_report_file, validate_report
from webapp.reports import inputs


def _cover(year: int = 2023) -> tuple[dt.date, str]:
    date = inputs.collect(get_cycle(year)).meta["date"]
    return date, jp_date(date)


def _date_events() -> list[tuple[str | None, dict]]:
    return [(e.actor.email if e.actor else None, e.changes) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cycle_report_date").order_by(AuditEvent.id))]


def test_an_imported_year_prints_the_end_of_its_fiscal_year_not_the_day_of_the_import(fy2023_app):
    # Every FY2023 sheet was approved by the import, "today" (December 2026).
    assert _cover() == (dt.date(2024, 3, 31), "２０２４年３月")


def test_a_person_s_approval_dates_the_cover(fy2023_app, fy):
    sheet = fy.sheet_of(3)
    sheet.approved_by = fy.secretariat()
    sheet.approved_at = dt.datetime(2024, 5, 9, 16, 0, tzinfo=dt.timezone.utc)   # 10 May in Japan
    db.session.commit()
    assert _cover() == (dt.date(2024, 5, 10), "２０２４年５月")


def test_set_report_date_from_the_command_line_is_printed_and_audited(fy2023_app, fy):
    runner = fy2023_app.test_cli_runner()
    jimu = fy.secretariat()
    result = runner.invoke(args=["set-report-date", "--year", "2023", "--date", "2024-03-29",
                                 "--by", jimu.email])
    assert result.exit_code == 0, result.output
    assert "2023年度の表紙の日付を 2024年3月29日 にしました。" in result.output
    assert _cover() == (dt.date(2024, 3, 29), "２０２４年３月")
    assert _date_events() == [(jimu.email, {"report_date": [None, "2024-03-29"]})]


def test_set_report_date_refuses_a_bad_date_in_japanese_and_changes_nothing(fy2023_app):
    runner = fy2023_app.test_cli_runner()
    for raw, message in [("29/03/2024", "日付は YYYY-MM-DD の形で入力してください"),
                         ("2024-02-30", "日付は YYYY-MM-DD の形で入力してください"),
                         ("2031-03-29", "表紙の日付は2023年から2025年の間で指定してください。")]:
        result = runner.invoke(args=["set-report-date", "--year", "2023", "--date", raw])
        assert result.exit_code != 0
        assert message in result.output
    result = runner.invoke(args=["set-report-date", "--year", "1999", "--date", "1999-05-01"])
    assert result.exit_code != 0 and "1999年度はまだ開始されていません。" in result.output
    assert get_cycle(2023).report_date is None and _date_events() == []


def test_the_page_s_change_goes_through_the_same_audited_operation(fy2023_app, fy):
    client = fy2023_app.test_client()
    jimu = fy.secretariat()
    login(client, jimu)
    client.post("/reports/2023/date", data={"report_date": "2024-03-29"})
    client.post("/reports/2023/date", data={"report_date": ""})
    assert _date_events() == [(jimu.email, {"report_date": [None, "2024-03-29"]}),
                              (jimu.email, {"report_date": ["2024-03-29", None]})]


def test_the_report_file_may_carry_the_cover_date_and_the_export_writes_it_back(fy2023_app):
    data = load_report_file(FY2023)
    assert "report_date" not in data
    data["report_date"] = "2024-03-29"
    summary = import_report(data)
    db.session.commit()
    assert summary.updated == ["2023年度の表紙の日付"]
    assert _cover() == (dt.date(2024, 3, 29), "２０２４年３月")
    exported = json.loads(fy2023_app.test_cli_runner().invoke(
        args=["export-report", "--year", "2023", "-"]).output)
    assert exported["report_date"] == "2024-03-29"
    again = import_report(exported)
    db.session.commit()
    assert not again.changed
    # A file without the key leaves the date the secretariat set.
    import_report(load_report_file(FY2023))
    db.session.commit()
    assert get_cycle(2023).report_date == dt.date(2024, 3, 29)


def test_a_bad_cover_date_in_the_report_file_is_refused():
    data = load_report_file(FY2023)
    for raw, message in [("2024/03/29", "report_date: 表紙の日付として読めません：日付は YYYY-MM-DD の形で"),
                         ("2019-03-29", "report_date: 表紙の日付として読めません：表紙の日付は2023年から2025年の間")]:
        data["report_date"] = raw
        with pytest.raises(ReportFileError) as refused:
            validate_report(data)
        assert any(e.startswith(message) for e in refused.value.errors), refused.value.errors
