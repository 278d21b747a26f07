"""The compiled FY2023 report, read back with pypdf."""
import io
import tempfile

from pypdf import PdfReader

from webapp.printing import SIZES, build_report
from webapp.jptext import circled, fullwidth
from webapp.printing.textblocks import parse

from .conftest import nows

A4_LANDSCAPE = (842, 595)


def sheet_page(built, number_index):
    return built.front_pages + number_index


def first_line(text: str) -> str:
    """A snippet of a field that the sheet must show: its first item's body,
    at most 20 characters."""
    blocks = parse(text)
    return blocks[0].body[:20] if blocks else ""


def test_front_matter_at_most_three_pages(built_report, fy2023_data):
    assert 1 <= built_report.front_pages <= 3
    assert len(built_report.reader.pages) == built_report.front_pages + len(fy2023_data["projects"])


def test_every_sheet_fits_one_page_at_7pt_or_more(built_report, fy2023_data):
    assert set(built_report.fits) == {p["number"] for p in fy2023_data["projects"]}
    for number, fit in built_report.fits.items():
        assert fit.fits, (number, fit)
        assert SIZES[-1] <= fit.size_pt <= SIZES[0]
        assert fit.size_pt >= 7.0


def test_each_sheet_is_one_a4_landscape_page_with_its_text(built_report, page_texts, fy2023_data):
    for i, project in enumerate(fy2023_data["projects"]):
        page = built_report.reader.pages[sheet_page(built_report, i)]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_LANDSCAPE[0]) <= 1 and abs(height - A4_LANDSCAPE[1]) <= 1
        text = nows(page_texts[sheet_page(built_report, i)])
        expected = [
            circled(project["number"]) + project["title"],
            "【幹事：" + project["lead_label"] + "】",
            "目的", first_line(project["purpose"]),
            "２０２３年度の活動実績（主要な取組）と評価",
            "○具体的取組", first_line(project["results"]["actions"]),
            "○２０２３年度の評価", first_line(project["results"]["evaluation"]),
            "プロジェクトを推進する上での課題", first_line(project["challenges"]),
            project["targets"]["label"], first_line(project["targets"]["text"]),
            "２０２４年度以降の取組（計画）",
            first_line(project["plans"]["actions"]), first_line(project["plans"]["outlook"]),
        ]
        if project["results"]["perspectives"].strip():
            expected += ["○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組",
                         first_line(project["results"]["perspectives"])]
        for kpi in project["targets"]["kpis"]:
            expected.append(kpi["name"][:15])
        for row in (project["roadmap"] or {}).get("rows", []):
            expected.append(row["detail"][:12])
        for fig in project["figures"]:
            expected.append(fig["caption"])
        for snippet in expected:
            assert nows(snippet) in text, (project["number"], snippet)


def test_empty_subsections_are_left_out(built_report, page_texts, fy2023_data):
    for i, project in enumerate(fy2023_data["projects"]):
        text = nows(page_texts[sheet_page(built_report, i)])
        has_heading = "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組" in text
        assert has_heading == bool(project["results"]["perspectives"].strip()), project["number"]
        if not project["plans"]["outlook"].strip():
            assert "○今後の目標、達成見込み" not in text


def test_page_numbers_in_footer_and_contents(built_report, page_texts, fy2023_data):
    contents = nows("".join(page_texts[1:built_report.front_pages]))
    for i, project in enumerate(fy2023_data["projects"]):
        number = sheet_page(built_report, i) + 1
        assert nows(page_texts[number - 1]).endswith(f"－{number}－")
        row = circled(project["number"]) + project["title"] + project["lead_label"] + str(number)
        assert nows(row) in contents


def test_cover(built_report, page_texts, report_meta):
    cover = nows(page_texts[0])
    # the year is written one way throughout: full-width, as the headings
    assert "成長産業戦略プロジェクト２０２３年度活動実績と評価" in cover
    assert "2023" not in cover
    assert "九州地域戦略会議" in cover
    assert "２０２３年度" in cover
    assert "２０２４年３月" in cover


def test_bookmarks(built_report, fy2023_data):
    reader = built_report.reader
    outline = reader.outline
    assert len(outline) == len(fy2023_data["projects"]) == 21
    for i, (item, project) in enumerate(zip(outline, fy2023_data["projects"])):
        assert item.title == f"{circled(project['number'])} {project['title']}"
        assert reader.get_destination_page_number(item) == sheet_page(built_report, i)
    assert outline[0].title == "① 九州水素エネルギー社会実現プロジェクト"


def test_metadata(built_report, report_meta):
    reader = built_report.reader
    info = reader.metadata
    assert info["/Title"] == "成長産業戦略プロジェクト ２０２３年度 活動実績と評価"
    assert info["/Author"] == "九州地域戦略会議"
    assert info["/Subject"]
    assert info["/CreationDate"].startswith("D:20240331")
    assert info["/ModDate"].startswith("D:20240331")
    assert reader.trailer["/Root"]["/Lang"] == "ja"


def _fonts(resources, seen):
    """Every font dictionary reachable from a resource dictionary,
    including those of form XObjects (the sheets are drawn as forms)."""
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        key = id(font)
        if key not in seen:
            seen.add(key)
            yield font
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"), seen)


def test_every_font_is_embedded_ipaex(built_report):
    seen = set()
    fonts = [f for page in built_report.reader.pages for f in _fonts(page.get("/Resources"), seen)]
    assert fonts
    for font in fonts:
        assert "IPAex" in font["/BaseFont"], font["/BaseFont"]
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]


def test_japanese_symbols_come_out_as_text(built_report, page_texts):
    # ToUnicode maps of the subsets: symbols print and extract as themselves
    everything = "".join(page_texts)
    for char in "①⑨⑳㉑・～※≒㈱０１２３４５６７８９":
        assert char in everything, char


def test_same_input_gives_identical_bytes(built_report, fy2023_data, report_meta):
    # warm: everything from the cache
    again = build_report(report_meta, 2023, fy2023_data["projects"], built_report.cache)
    assert again == built_report.pdf
    # cold, in this process only (no pool), from a new cache
    with tempfile.TemporaryDirectory() as cache:
        cold = build_report(report_meta, 2023, fy2023_data["projects"][:3], cache, workers=1)
        again = build_report(report_meta, 2023, fy2023_data["projects"][:3], cache, workers=1)
    with tempfile.TemporaryDirectory() as cache:
        fresh = build_report(report_meta, 2023, fy2023_data["projects"][:3], cache, workers=1)
    assert cold == again == fresh


def test_sheet_order_follows_project_numbers(fy2023_data, report_meta, built_report):
    shuffled = list(reversed(fy2023_data["projects"]))
    pdf = build_report(report_meta, 2023, shuffled, built_report.cache)
    assert pdf == built_report.pdf


def test_progress_reported_per_sheet(fy2023_data, report_meta, built_report):
    calls = []
    build_report(report_meta, 2023, fy2023_data["projects"], built_report.cache,
                 progress=lambda done, total, label: calls.append((done, total, label)))
    assert [c[0] for c in calls] == list(range(1, 22))
    assert all(c[1] == 21 for c in calls)
    assert {c[2] for c in calls} == {f"{circled(p['number'])} {p['title']}"
                                    for p in fy2023_data["projects"]}


def test_year_headings_follow_the_year(tmp_path, fy2023_data):
    from webapp.printing import sheet_pdf
    pdf = sheet_pdf(fy2023_data["projects"][0], 2030, str(tmp_path))
    text = nows(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert f"{fullwidth(2030)}年度の活動実績（主要な取組）と評価" in text
    assert f"{fullwidth(2031)}年度以降の取組（計画）" in text
    assert f"○{fullwidth(2030)}年度の評価" in text
