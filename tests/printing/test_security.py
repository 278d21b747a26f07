"""User text is printed, never interpreted; WeasyPrint reads only what we allow."""
import copy
import io
import os
import pickle

import pytest
from PIL import Image
from pypdf import PdfReader

from webapp.printing import ForbiddenResourceError, SafeURLFetcher, build_report, fit_sheet, sheet_pdf
from webapp.printing.fonts import find_fonts
from webapp.printing.render import TEMPLATES_DIR

from .conftest import nows

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel=attachment href="/etc/hostname">'


class RecordingFetcher(SafeURLFetcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = []

    def fetch(self, url, headers=None):
        self.urls.append(url)
        return super().fetch(url, headers)


def recording_fetcher(uploads=None):
    roots = [TEMPLATES_DIR] + ([str(uploads)] if uploads else [])
    return RecordingFetcher(roots=roots, files=find_fonts().paths)


@pytest.fixture
def hostile_sheet(fy2023_data):
    sheet = copy.deepcopy(fy2023_data["projects"][0])
    sheet["purpose"] = f"{IMG}\n{LINK}\n" + sheet["purpose"]
    sheet["results"]["actions"] += f"\n・<script>alert(1)</script>{IMG}"
    sheet["title"] = "<b>太字</b>プロジェクト"
    return sheet


def test_markup_in_text_is_printed_literally_and_never_fetched(tmp_path, hostile_sheet):
    fetcher = recording_fetcher()
    pdf = sheet_pdf(hostile_sheet, 2023, str(tmp_path), fetcher=fetcher)
    text = nows(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert nows(IMG) in text
    assert nows(LINK) in text
    assert nows("<script>alert(1)</script>") in text
    assert nows("<b>太字</b>プロジェクト") in text
    assert fetcher.urls, "the fonts at least go through the fetcher"
    fonts = {os.path.realpath(p) for p in find_fonts().paths}
    for url in fetcher.urls:
        assert "passwd" not in url and "hostname" not in url
        assert url.startswith("file://") and os.path.realpath(url[len("file://"):]) in fonts, url
    # and no attachment made it into the PDF
    assert b"/EmbeddedFiles" not in pdf


def test_figure_outside_uploads_is_refused(tmp_path, fy2023_data):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    outside = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(outside)
    sheet = copy.deepcopy(fy2023_data["projects"][1])
    sheet["figures"][0]["image_path"] = str(outside)
    with pytest.raises(ForbiddenResourceError):
        sheet_pdf(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(uploads))
    with pytest.raises(ForbiddenResourceError):
        fit_sheet(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(uploads))
    sheet["figures"][0]["image_path"] = "/etc/passwd"
    with pytest.raises(ForbiddenResourceError):
        sheet_pdf(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(uploads))
    # no uploads folder configured: nothing may be read
    sheet["figures"][0]["image_path"] = str(outside)
    with pytest.raises(ForbiddenResourceError):
        sheet_pdf(sheet, 2023, str(tmp_path / "cache"))


def test_symlink_and_dotdot_out_of_uploads_are_refused(tmp_path, fy2023_data):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    outside = tmp_path / "outside.png"
    Image.new("RGB", (20, 20), "red").save(outside)
    (uploads / "link.png").symlink_to(outside)
    sheet = copy.deepcopy(fy2023_data["projects"][1])
    for path in (uploads / "link.png", uploads / ".." / "outside.png"):
        sheet["figures"][0]["image_path"] = str(path)
        with pytest.raises(ForbiddenResourceError):
            sheet_pdf(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(uploads))


def test_refusal_crosses_the_process_pool(tmp_path, fy2023_data, report_meta):
    sheets = copy.deepcopy(fy2023_data["projects"][:3])
    sheets[1]["figures"][0]["image_path"] = "/etc/passwd"
    with pytest.raises(ForbiddenResourceError) as info:
        build_report(report_meta, 2023, sheets, str(tmp_path), workers=2,
                     uploads_dir=str(tmp_path / "uploads"))
    assert "/etc/passwd" in str(info.value)
    error = pickle.loads(pickle.dumps(info.value))
    assert str(error) == str(info.value)


def test_uploaded_figure_is_printed(tmp_path, fy2023_data):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    image = uploads / "robot.png"
    Image.new("RGB", (320, 200), (40, 120, 200)).save(image)
    sheet = copy.deepcopy(fy2023_data["projects"][11])    # ⑫ has two figures
    sheet["figures"][1]["image_path"] = str(image)
    fetcher = recording_fetcher(uploads)
    pdf = sheet_pdf(sheet, 2023, str(tmp_path / "cache"), uploads_dir=str(uploads), fetcher=fetcher)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    assert any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    text = nows(page.extract_text())
    assert "ピーマン自動収穫ロボット" in text
    assert any(url.endswith("robot.png") for url in fetcher.urls)


def test_fetcher_rules(tmp_path):
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "ok.txt").write_text("ok")
    evil = tmp_path / "uploads-evil"
    evil.mkdir()
    (evil / "x.txt").write_text("x")
    fetcher = SafeURLFetcher(roots=[str(root)])
    assert fetcher.fetch((root / "ok.txt").as_uri()).read() == b"ok"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ((evil / "x.txt").as_uri(),            # prefix of the root, not inside it
                "file:///etc/passwd",
                "file://otherhost/etc/passwd",
                (root / ".." / "uploads-evil" / "x.txt").as_uri(),
                "http://127.0.0.1/",
                "https://example.com/a.png",
                "ftp://example.com/a",
                "file://" + str(root / "missing.txt")):
        with pytest.raises(ForbiddenResourceError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8
