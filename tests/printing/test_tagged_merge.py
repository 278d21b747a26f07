"""The published report is merged from the cached tagged sheets: after the
secretariat changes one sheet only that sheet is laid out again, and the
merged file carries every sheet's tags under one Document, each at its own
page, as one layout of the whole report did.  (veraPDF's verdicts on the
merged files: test_verapdf.py.)"""
from __future__ import annotations

import copy
import io
import os
import shutil

import pikepdf
from pypdf import PdfReader

from .conftest import nows


def _frames(cache: str) -> list[str]:
    return sorted(os.listdir(os.path.join(cache, "printing-v1", "frame")))


def _contents(page) -> list[bytes]:
    contents = page.obj.Contents
    parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return [part.read_bytes() for part in parts]


def test_after_one_sheet_changes_only_that_sheet_is_laid_out_again(
        built_report, published, fy2023_data, report_meta, tmp_path):
    from webapp.printing import publish_report
    cache = str(tmp_path / "cache")
    shutil.copytree(built_report.cache, cache)
    frames = _frames(cache)
    projects = copy.deepcopy(fy2023_data["projects"])
    projects[4]["results"]["actions"] += "\n・公表後に追記した一行。"
    fits = {}
    pdfs = publish_report(report_meta, 2023, projects, cache, fits=fits)
    assert {number for number, fit in fits.items() if fit.renders} == {5}
    # the cover and the contents did not change: the frame is not laid out again
    assert _frames(cache) == frames
    assert pdfs["pdf/ua-1"] != published["pdf/ua-1"]
    assert "公表後に追記した一行。" in nows(PdfReader(io.BytesIO(pdfs["pdf/ua-1"])).pages[6].extract_text())


def test_publishing_again_with_nothing_changed_gives_the_same_bytes(
        built_report, published, fy2023_data, report_meta):
    from webapp.printing import publish_report
    assert publish_report(report_meta, 2023, fy2023_data["projects"], built_report.cache) == published


def test_the_archival_copy_is_the_published_document_with_an_archival_catalog(published):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as ua, \
            pikepdf.open(io.BytesIO(published["pdf/a-2b"])) as archival:
        assert len(ua.pages) == len(archival.pages) == 23
        assert [_contents(page) for page in ua.pages] == [_contents(page) for page in archival.pages]
        assert "/OutputIntents" not in ua.Root
        assert len(archival.Root.OutputIntents) == 1
        assert ua.open_metadata().get("pdfuaid:part") == "1"
        assert archival.open_metadata().get("pdfaid:part") == "2"


def test_every_sheet_s_tags_hang_under_the_one_document_at_its_own_page(published):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        assert document.S == "/Document"
        sections = list(document.K)
        # the cover, the contents, then one section per sheet, in page order
        assert [str(s.S) for s in sections] == ["/Sect"] * 23
        assert [pages[s.Pg.objgen] for s in sections] == list(range(23))
        assert all(s.P.objgen == document.objgen for s in sections)
        # each sheet's own heading, from its tagged page
        headings = [[k for k in s.K if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/H1"]
                    for s in sections[2:]]
        assert all(len(h) == 1 and pages[h[0].Pg.objgen] == i + 2 for i, h in enumerate(headings))
        # the sheets' named destinations join the frame's, at the sheets' pages
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        assert pages[dests["sheet-1"][0].objgen] == 2
        assert pages[dests["sec-1-purpose"][0].objgen] == 2
        assert pages[dests["sec-21-purpose"][0].objgen] == 22
        with pdf.open_outline() as outline:
            assert [pages[item.destination[0].objgen] for item in outline.root] == list(range(2, 23))


def test_a_report_with_sheets_stamped_unapproved_is_laid_out_whole_with_its_stamps(
        built_report, fy2023_data, report_meta):
    from webapp.printing import publish_report
    pdfs = publish_report(report_meta, 2023, fy2023_data["projects"], built_report.cache,
                          variants=("pdf/ua-1",), marks={3: "提出済"})
    pages = PdfReader(io.BytesIO(pdfs["pdf/ua-1"])).pages
    assert "未承認（提出済）" in nows(pages[4].extract_text())
    assert "未承認" not in nows(pages[5].extract_text())


def test_a_report_without_sheets_is_published_with_its_cover_and_contents(report_meta, tmp_path):
    from webapp.printing import publish_report
    pdfs = publish_report(report_meta, 2023, [], str(tmp_path / "cache"))
    assert [len(PdfReader(io.BytesIO(pdfs[v])).pages) for v in ("pdf/ua-1", "pdf/a-2b")] == [2, 2]
