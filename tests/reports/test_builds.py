"""The secretariat builds the FY2023 report; it is kept, reused when nothing changed."""
import hashlib
import io

from pypdf import PdfReader

from tests.factories import login
from tests.reports.conftest import pdf_pages_text, squash
from webapp.extensions import db
from webapp.operations import snapshot
from webapp.models import ReportBuild


def _build(client):
    response = client.post("/reports/2023/build")
    assert response.status_code == 302
    return db.session.get(ReportBuild, int(response.location.rstrip("/").split("/")[-1]))


def test_secretariat_builds_the_report_and_downloads_it(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    build = _build(client)
    assert build.status == "done"
    assert build.requested_by_id == secretariat.id
    assert build.progress_done == build.progress_total == 21
    assert [v["project"] for v in build.sheet_versions] == list(range(1, 22))

    pdf = client.get(f"/reports/builds/{build.id}/download").data
    assert hashlib.sha256(pdf).hexdigest() == build.sha256
    pages = pdf_pages_text(pdf)
    assert len(pages) <= 3 + 21
    sheet_pages = pages[-21:]
    for number, page in enumerate(sheet_pages, start=1):
        assert squash(fy.sheet_of(number).project.title) in page

    history = client.get("/reports/2023").get_data(as_text=True)
    assert secretariat.display_name in history and build.sha256[:12] in history
    status = client.get(f"/reports/builds/{build.id}/progress").get_json()
    assert status["status"] == "done" and status["done"] == 21


def test_rebuilding_with_nothing_changed_returns_the_stored_build(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    first = _build(client)
    again = client.post("/reports/2023/build", follow_redirects=True)
    assert "保存済みの報告書" in again.get_data(as_text=True)
    assert db.session.query(ReportBuild).count() == 1
    assert first.status == "done"


def test_a_changed_sheet_makes_a_new_build_with_its_new_version(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    first = _build(client)
    sheet = fy.sheet_of(5)
    sheet.texts = {**sheet.texts, "challenges": sheet.text("challenges") + "\n・追加の課題（確認用）"}
    sheet.version += 1
    # as an approval does: the approved content kept as a numbered version (第N版)
    approved_as = snapshot(sheet, secretariat, reason="approve").number
    db.session.commit()
    second = _build(client)
    assert second.id != first.id and second.sha256 != first.sha256
    # the build records the numbered version it printed, not the save counter
    assert {"project": 5, "sheet_id": sheet.id, "version": approved_as} in second.sheet_versions
    text = pdf_pages_text(client.get(f"/reports/builds/{second.id}/download").data)
    assert any("追加の課題（確認用）" in page for page in text)
    # The earlier build stays downloadable.
    assert client.get(f"/reports/builds/{first.id}/download").status_code == 200


def test_a_year_without_approved_sheets_is_refused_with_a_message(fy2023_app, fy, secretariat):
    fy.cycle(2024)
    client = fy2023_app.test_client()
    login(client, secretariat)
    page = client.post("/reports/2024/build", follow_redirects=True).get_data(as_text=True)
    assert "承認済の個票がありません" in page
    assert db.session.query(ReportBuild).count() == 0


def test_a_failed_build_is_recorded_with_a_message(fy2023_app, fy, secretariat, monkeypatch):
    from webapp.reports import printer

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(printer, "report_pdf", broken)
    monkeypatch.setattr(printer, "report_pdfs", broken)
    client = fy2023_app.test_client()
    login(client, secretariat)
    build = _build(client)
    assert build.status == "failed"
    assert "エラーが発生しました" in build.error and "disk on fire" not in build.error
    page = client.get(f"/reports/builds/{build.id}").get_data(as_text=True)
    assert "作成できませんでした" in page


def test_the_sheet_pdf_is_one_landscape_page(fy2023_app, fy):
    client = fy2023_app.test_client()
    login(client, fy.coordinator("大分県"))
    pdf = client.get(f"/sheets/{fy.sheet_of(2).id}/pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595
    assert squash("地熱・温泉熱エネルギー産業拠点化推進プロジェクト") in pdf_pages_text(pdf)[0]
