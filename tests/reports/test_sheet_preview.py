"""「PDFで表示」 on a sheet not printed yet waits for the fit queue; one person's expensive jobs are few.

Four coordinators opening the preview of just-edited sheets each waited 19 s
while the request laid the sheet out, and an unrelated log-in waited behind
them. Now the request only looks in the print cache: on a miss it asks the
fit queue for a check that prints and answers a page that waits. The fit
queue's thread pool is held here (HeldPool) so that a test sees the request
as it answers, before any job ran; the layout itself is printing's real one.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.editing.conftest import _app
from tests.factories import Factory, login
from tests.htmlpage import Page
from tests.jobs.test_fit_queue import HeldPool
from webapp import expensive, jobs
from webapp.extensions import db
from webapp.models import ReportBuild
from webapp.printing import report as printing_report

BUSY = "処理中の作業が 3 件あります。終わってからもう一度お試しください。"


@pytest.fixture
def app(databases, tmp_path, monkeypatch):
    app, ctx = _app(databases, tmp_path, True, JOBS_EAGER=False)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def pools(monkeypatch):
    held = {jobs.FIT: HeldPool(), jobs.REPORT: HeldPool()}
    monkeypatch.setattr(jobs, "_local_pool", held.__getitem__)
    return held


@pytest.fixture
def layouts(monkeypatch):
    """Every layout printing makes of a sheet (its fit search and print), in order."""
    calls = []
    real = printing_report.fit_and_print

    def recorded(sheet, *args, **kwargs):
        calls.append(sheet["number"])
        return real(sheet, *args, **kwargs)
    monkeypatch.setattr(printing_report, "fit_and_print", recorded)
    return calls


def _edit(client, f: Factory, number: int, text: str):
    from tests.editing.conftest import form_fields
    sheet = f.sheet_of(number, 2024)
    fields = form_fields(client, sheet.id)
    fields["challenges"] = text
    answer = client.post(f"/sheets/{sheet.id}/autosave", data=fields).json
    assert answer["ok"] is True, answer
    return sheet


def test_the_preview_of_a_just_edited_sheet_waits_for_the_fit_queue_then_opens_the_pdf(
        app, pools, layouts):
    client, f = app.test_client(), Factory()
    oita = f.coordinator("大分県")
    login(client, oita)
    sheet = _edit(client, f, 2, "・地熱発電の担い手が不足している")

    waiting = client.get(f"/sheets/{sheet.id}/pdf")
    assert waiting.status_code == 202
    page = Page(waiting)
    assert "PDFを作成しています…" in page.text
    again = page.by_id("pdf-again")
    assert (again.text, again.get("href")) == ("もう一度開く", f"/sheets/{sheet.id}/pdf")
    assert page.by_id("pdf-wait").get("data-progress-url") == f"/sheets/{sheet.id}/pdf/progress"
    assert layouts == []                       # nothing was laid out in the request
    assert len(pools[jobs.FIT].held) == 1      # one check that prints, on the fit queue
    assert expensive.under_way(oita.id) == 1

    progress = client.get(f"/sheets/{sheet.id}/pdf/progress").json
    assert progress == {"state": "pending", "message": "PDFを作成しています…",
                        "url": f"/sheets/{sheet.id}/pdf"}
    assert len(pools[jobs.FIT].held) == 1      # polling does not queue a second check

    pools[jobs.FIT].run()
    assert layouts == [2]
    assert client.get(f"/sheets/{sheet.id}/pdf/progress").json["state"] == "ready"
    assert expensive.under_way(oita.id) == 0   # the job gave its place back
    response = client.get(f"/sheets/{sheet.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "地熱発電の担い手が不足している" in "".join(text.split())
    assert layouts == [2]                      # served from the cache


def test_a_preview_asked_while_the_editors_check_is_pending_shares_that_check(app, pools, layouts,
                                                                             monkeypatch):
    from tests.editing.test_fit import no_estimate
    from webapp.editing import fit
    monkeypatch.setattr(fit, "estimate_function", lambda: no_estimate)  # a sheet near the page's end
    client, f = app.test_client(), Factory()
    login(client, f.coordinator("大分県"))
    app.config["EDITING_FIT_JOBS"] = True
    sheet = _edit(client, f, 7, "・販路の開拓")
    client.get(f"/sheets/{sheet.id}/fit")     # the editor asks for its fit check as the typing pauses
    assert len(pools[jobs.FIT].held) == 1
    assert client.get(f"/sheets/{sheet.id}/pdf").status_code == 202
    assert len(pools[jobs.FIT].held) == 1      # coalesced: still one check for the sheet
    pools[jobs.FIT].run()                      # the last check prints the sheet
    assert client.get(f"/sheets/{sheet.id}/pdf").mimetype == "application/pdf"
    assert layouts == [7]


def test_a_fourth_expensive_job_of_one_person_is_refused_with_how_many_are_under_way(app, pools):
    client, f = app.test_client(), Factory()
    login(client, f.coordinator("大分県"))     # leads ②⑦⑱⑲
    ids = [f.sheet_of(n, 2024).id for n in (2, 7, 18, 19)]
    for sheet_id in ids[:3]:
        assert client.get(f"/sheets/{sheet_id}/pdf").status_code == 202

    refused = client.get(f"/sheets/{ids[3]}/pdf")
    assert refused.status_code == 429
    assert BUSY in Page(refused).text
    assert len(pools[jobs.FIT].held) == 3
    # Opening a preview that is already being made again takes no second place.
    assert client.get(f"/sheets/{ids[0]}/pdf").status_code == 202
    # A workbook import counts as well: refused before the file is read.
    upload = client.post(f"/sheets/{ids[3]}/workbook/import",
                         data={"file": (io.BytesIO(b"not read"), "個票.xlsx")},
                         content_type="multipart/form-data")
    assert upload.status_code == 429 and BUSY in Page(upload).text

    # Someone else is not held up by this person's previews.
    other = app.test_client()
    login(other, f.coordinator("福岡県"))
    assert other.get(f"/sheets/{f.sheet_of(1, 2024).id}/pdf").status_code == 202

    pools[jobs.FIT].run()
    assert client.get(f"/sheets/{ids[3]}/pdf").status_code == 202


def test_a_report_build_counts_among_the_reviewers_expensive_jobs(app, pools):
    client, f = app.test_client(), Factory()
    reviewer = f.secretariat()
    login(client, reviewer)
    for number in (1, 2):
        assert client.get(f"/sheets/{f.sheet_of(number, 2024).id}/pdf").status_code == 202
    started = client.post("/reports/2023/build")
    assert started.status_code == 302 and "/reports/builds/" in started.location
    assert client.get(f"/sheets/{f.sheet_of(3, 2024).id}/pdf").status_code == 429

    # At the limit, a new build is refused and nothing of it is kept.
    pools[jobs.FIT].run()                      # the previews are done: two places back
    for number in (3, 4):
        assert client.get(f"/sheets/{f.sheet_of(number, 2024).id}/pdf").status_code == 202
    refused = client.post("/reports/2023/build", data={"draft": "1"})
    assert refused.status_code == 429 and BUSY in Page(refused).text
    assert db.session.query(ReportBuild).count() == 1
    assert len(pools[jobs.REPORT].held) == 1


def test_a_finished_build_gives_its_place_back(app, pools, monkeypatch):
    """The build job, however it ends, gives the place back (here it fails at once)."""
    client, f = app.test_client(), Factory()
    reviewer = f.secretariat()
    login(client, reviewer)
    client.post("/reports/2023/build")
    assert expensive.under_way(reviewer.id) == 1

    def no_printing(*args, **kwargs):
        raise RuntimeError("printing is not available")
    monkeypatch.setattr("webapp.reports.printer.report_pdfs", no_printing)
    pools[jobs.REPORT].run()
    build = db.session.query(ReportBuild).one()
    db.session.refresh(build)
    assert build.status == "failed"
    assert expensive.under_way(reviewer.id) == 0
