"""`flask build-report --year 2023` prints the FY2023 report; read back from the PDF."""
import io
import json

from pypdf import PdfReader

from tests.conftest import FY2023
from tests.reports.conftest import pdf_pages_text, squash


def _fonts(reader):
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for desc in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                fd = desc.get("/FontDescriptor")
                if fd is not None:
                    fd = fd.get_object()
                    found[str(fd["/FontName"])] = any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        # sheets are drawn in as form XObjects: look inside them too
        for xobj in (resources.get("/XObject") or {}).values():
            x = xobj.get_object()
            for ref in ((x.get("/Resources") or {}).get("/Font") or {}).values():
                font = ref.get_object()
                for desc in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                    fd = desc.get("/FontDescriptor")
                    if fd is not None:
                        fd = fd.get_object()
                        found[str(fd["/FontName"])] = any(
                            k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_build_report_prints_every_sheet_on_one_page_with_its_text(fy2023_app, tmp_path):
    out = tmp_path / "report.pdf"
    html = tmp_path / "report.html"
    result = fy2023_app.test_cli_runner().invoke(
        args=["build-report", "--year", "2023", "--out", str(out), "--html", str(html)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    pages = pdf_pages_text(data)
    front = len(pages) - 21
    assert 1 <= front <= 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)

    report = json.load(open(FY2023, encoding="utf-8"))
    for project, page in zip(report["projects"], pages[front:]):
        assert squash(project["title"]) in page
        # every non-empty line of the sheet's main texts is on its page
        for text in (project["purpose"], project["results"]["actions"],
                     project["results"]["evaluation"], project["challenges"]):
            for line in text.splitlines():
                body = squash(line).lstrip("・○〇※■①②③④⑤⑥⑦⑧⑨⑩")
                if body:
                    assert body[:12] in page, (project["number"], line)
    contents = "".join(pages[:front])
    assert squash("九州水素エネルギー社会実現プロジェクト") in contents

    fonts = _fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert all("IPAex" in name for name in fonts), fonts
    assert len(reader.outline) == 21
    # the default is the published variant: tagged, Japanese
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "ja"
    meta = reader.metadata
    assert meta.author == "九州地域戦略会議"
    assert "２０２３年度" in meta.title          # the year written one way, full-width
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_build_report_refuses_an_unknown_year(fy2023_app, tmp_path):
    result = fy2023_app.test_cli_runner().invoke(
        args=["build-report", "--year", "1999", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "1999年度のデータがありません" in result.output
    assert not (tmp_path / "x.pdf").exists()
