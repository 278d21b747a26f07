"""The buttons and links that lead to this area: where they appear, and that they work when clicked."""
from tests.factories import login
from tests.htmlpage import Page
from webapp.extensions import db
from webapp.models import ReportBuild


def _links(page: Page) -> dict[str, str]:
    return {" ".join((a.text or "").split()): a.get("href") for a in page.all("a")}


def test_the_reviewers_home_page_builds_the_report_and_links_builds_and_workbook(fy2023_app, fy, secretariat):
    client = fy2023_app.test_client()
    login(client, secretariat)
    home = Page(client.get("/"))
    form = next(f for f in home.all("form")
                if any("報告書PDFを作成" in (b.text or "") for b in f.iter() if b.tag.endswith("button")))
    assert form.get("action") == "/reports/2023/build" and form.get("method") == "post"
    links = _links(home)
    assert links["作成履歴"] == "/reports/2023" and links["報告書"] == "/reports"

    started = client.post(form.get("action"))
    assert started.status_code == 302
    build = db.session.get(ReportBuild, int(started.location.rstrip("/").split("/")[-1]))
    assert build.status == "done" and build.requested_by_id == secretariat.id
    assert build.sha256[:12] in client.get(links["作成履歴"]).get_data(as_text=True)
    workbook = client.get(links["KPI一覧（Excel）"])
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"


def test_a_coordinators_home_page_offers_no_build(fy2023_app, fy):
    client = fy2023_app.test_client()
    login(client, fy.coordinator("大分県"))
    home = client.get("/").get_data(as_text=True)
    assert "報告書PDFを作成" not in home and "/reports/" not in home and "kpis.xlsx" not in home


def test_the_sheet_page_opens_its_pdf_for_a_reader(fy2023_app, fy):
    sheet = fy.sheet_of(2)
    client = fy2023_app.test_client()
    login(client, fy.coordinator("大分県"))
    href = _links(Page(client.get(f"/sheets/{sheet.id}")))["PDFで表示"]
    assert href == f"/sheets/{sheet.id}/pdf"
    pdf = client.get(href)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
