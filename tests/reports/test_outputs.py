"""The three outputs of a build: published (tagged), archival (PDF/A), 確認用 draft;
the cover date set by the secretariat."""
import io

import pikepdf

from tests.factories import login
from tests.reports.conftest import pdf_pages_text
from webapp.extensions import db
from webapp.models import ReportBuild, ReportingCycle


def _post_build(client, **data):
    response = client.post("/reports/2023/build", data=data)
    assert response.status_code == 302
    return db.session.get(ReportBuild, int(response.location.rstrip("/").split("/")[-1]))


def test_a_build_gives_the_tagged_report_and_its_archival_copy(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    build = _post_build(client)
    assert build.status == "done" and not build.draft
    published = client.get(f"/reports/builds/{build.id}/download")
    with pikepdf.open(io.BytesIO(published.data)) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) and str(pdf.Root.Lang) == "ja"
    archive = client.get(f"/reports/builds/{build.id}/archive")
    assert archive.status_code == 200
    assert "%E4%BF%9D%E5%AD%98%E7%94%A8" in archive.headers["Content-Disposition"]   # 保存用
    with pikepdf.open(io.BytesIO(archive.data)) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"
        assert "/OutputIntents" in pdf.Root
    page = client.get(f"/reports/builds/{build.id}").get_data(as_text=True)
    assert "保存用PDF（PDF/A）" in page
    assert "保存用PDF（PDF/A）" in client.get("/reports/2023").get_data(as_text=True)


def test_the_draft_includes_unapproved_sheets_marked_and_says_so(fy2023_app, fy, secretariat):
    from webapp.workflow import State
    sheet = fy.sheet_of(3)
    sheet.state, sheet.approved_at, sheet.approved_by_id = State.SUBMITTED.value, None, None
    db.session.commit()
    client = fy2023_app.test_client()
    login(client, secretariat)
    build = _post_build(client, draft="1")
    assert build.status == "done" and build.draft and build.archive_file_name is None
    response = client.get(f"/reports/builds/{build.id}/download")
    assert "%E7%A2%BA%E8%AA%8D%E7%94%A8" in response.headers["Content-Disposition"]   # 確認用
    pages = pdf_pages_text(response.data)
    front = len(pages) - 21
    assert "確認用" in pages[0]
    assert "未承認（提出済）" in pages[front + 2]
    assert all("未承認" not in page for i, page in enumerate(pages[front:]) if i != 2)
    assert client.get(f"/reports/builds/{build.id}/archive").status_code == 404
    # the final report still leaves the submitted sheet out, once that is confirmed
    final = _post_build(client, confirm_left_out="1")
    assert [v["project"] for v in final.sheet_versions] == [n for n in range(1, 22) if n != 3]


def test_the_secretariat_sets_the_cover_date(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    page = client.post("/reports/2023/date", data={"report_date": "2024-03-31"},
                       follow_redirects=True).get_data(as_text=True)
    assert "表紙の日付を 2024年3月31日 にしました" in page
    cycle = db.session.query(ReportingCycle).filter_by(year=2023).one()
    assert cycle.report_date.isoformat() == "2024-03-31"
    page = client.post("/reports/2023/date", data={"report_date": "31/03/2024"},
                       follow_redirects=True).get_data(as_text=True)
    assert "YYYY-MM-DD" in page
    page = client.post("/reports/2023/date", data={"report_date": "1999-01-01"},
                       follow_redirects=True).get_data(as_text=True)
    assert "2023年から2025年の間" in page
    db.session.refresh(cycle)
    assert cycle.report_date.isoformat() == "2024-03-31"
    client.post("/reports/2023/date", data={"report_date": ""})
    db.session.refresh(cycle)
    assert cycle.report_date is None


def test_cli_writes_the_archival_variant(fy2023_app, tmp_path):
    out = tmp_path / "report-a.pdf"
    result = fy2023_app.test_cli_runner().invoke(
        args=["build-report", "--year", "2023", "--out", str(out), "--pdf-variant", "pdf/a-2b"])
    assert result.exit_code == 0, result.output
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"


def test_cli_draft_needs_kakuninyou_in_the_file_name(fy2023_app, tmp_path):
    result = fy2023_app.test_cli_runner().invoke(
        args=["build-report", "--year", "2023", "--out", str(tmp_path / "report.pdf"), "--draft"])
    assert result.exit_code != 0
    assert "確認用" in result.output
    assert not (tmp_path / "report.pdf").exists()
