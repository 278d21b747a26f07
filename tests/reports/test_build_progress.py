"""The build page offers the published PDF as soon as it is written, and says what is under way."""
from __future__ import annotations

import pytest

from tests.factories import login
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import ReportBuild
from webapp.reports import builds, printer


@pytest.fixture
def desk(fy2023_app, fy, secretariat, monkeypatch):
    """A queued build of FY2023 (not run yet) and the secretariat's browser."""
    monkeypatch.setattr(builds.jobs, "enqueue", lambda *a, **kw: None)
    client = fy2023_app.test_client()
    login(client, secretariat)
    client.post("/reports/2023/build")
    return client, db.session.query(ReportBuild).one().id


def test_the_published_pdf_is_offered_while_the_archival_copy_is_still_written(desk, monkeypatch):
    client, build_id = desk
    seen = {}

    def fake_pdfs(meta, year, sheets, progress=None, written=None):
        for done in range(1, len(sheets) + 1):
            progress(done, len(sheets), f"sheet {done}")
        seen["assembling"] = client.get(f"/reports/builds/{build_id}/progress").get_json()
        written("pdf/ua-1", b"%PDF-1.7 published")
        seen["published"] = client.get(f"/reports/builds/{build_id}/progress").get_json()
        seen["page"] = Page(client.get(f"/reports/builds/{build_id}"))
        seen["download"] = client.get(f"/reports/builds/{build_id}/download")
        written("pdf/a-2b", b"%PDF-1.7 archive")
        return {"pdf/ua-1": b"%PDF-1.7 published", "pdf/a-2b": b"%PDF-1.7 archive"}

    monkeypatch.setattr(printer, "report_pdfs", fake_pdfs)
    builds.run_build(build_id)

    assert seen["assembling"] == {
        "status": "running", "done": 21, "total": 21, "error": "", "download": None, "archive": None,
        "label": "21件の個票を組み終えました。1冊のPDFにまとめています"}
    assert seen["published"] == {
        "status": "running", "done": 21, "total": 21, "error": "",
        "download": f"/reports/builds/{build_id}/download", "archive": None,
        "label": "公表用PDFができました。保存用PDF（PDF/A）を作成しています"}
    assert seen["page"].by_id("build-download").get("hidden") is None
    assert seen["page"].by_id("archive-link").get("hidden") is not None
    assert seen["download"].status_code == 200 and seen["download"].data == b"%PDF-1.7 published"

    done = client.get(f"/reports/builds/{build_id}/progress").get_json()
    assert done["status"] == "done" and done["archive"] == f"/reports/builds/{build_id}/archive"
    assert client.get(f"/reports/builds/{build_id}/archive").data == b"%PDF-1.7 archive"


def test_nothing_is_offered_before_the_published_pdf_is_written(desk):
    client, build_id = desk
    status = client.get(f"/reports/builds/{build_id}/progress").get_json()
    assert status["status"] == "queued" and status["download"] is None
    assert client.get(f"/reports/builds/{build_id}/download").status_code == 404
    assert Page(client.get(f"/reports/builds/{build_id}")).by_id("build-download").get("hidden") is not None
