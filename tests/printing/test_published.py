"""The published report is tagged (PDF/UA-1), the archival copy is PDF/A-2b,
and both are read back: structure tree, XMP, output intent, character sizes."""
import io

import pikepdf
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer
from pypdf import PdfReader


def _struct_elements(pdf):
    """Every structure element of the tree, depth first."""
    out = []

    def walk(element):
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            out.append(element)
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids)
    for kid in pdf.Root.StructTreeRoot.K:
        walk(kid)
    return out


def _chars(data: bytes):
    def walk(item):
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            for child in item:
                yield from walk(child)
    for page in extract_pages(io.BytesIO(data)):
        yield from (c for c in walk(page) if c.get_text().strip())


def test_published_report_is_tagged_japanese_with_its_title_shown(published):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "ja"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.open_metadata().get("dc:title")) == "成長産業戦略プロジェクト ２０２３年度 活動実績と評価"
        assert len(pdf.pages) == 23


def test_every_page_of_the_published_report_has_tagged_content(published):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as pdf:
        parents = pdf.Root.StructTreeRoot.ParentTree.Nums
        mapped = {int(parents[i]) for i in range(0, len(parents), 2)}
        for number, page in enumerate(pdf.pages):
            assert int(page.obj.StructParents) in mapped, number
            depth, untagged, tagged = 0, 0, 0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    depth += 1
                elif op == "EMC":
                    depth -= 1
                elif op in ("Tj", "TJ", "'", '"', "Do"):
                    if depth:
                        tagged += 1
                    else:
                        untagged += 1
            assert tagged > 0 and untagged == 0, (number, tagged, untagged)


_DRAWS = ("Tj", "TJ", "'", '"', "Do")


def _texts(data: bytes, pagination: bool) -> list[str]:
    """Each page's text, drawn only inside pagination artifacts
    (``pagination``) or only outside them."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            kept, inside = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BDC":
                    inside.append(str(operands[0]) == "/Artifact"
                                  and isinstance(operands[1], pikepdf.Dictionary)
                                  and operands[1].get("/Type") == "/Pagination")
                elif op == "BMC":
                    inside.append(False)
                elif op == "EMC":
                    inside.pop()
                elif op in _DRAWS and any(inside) != pagination:
                    continue
                kept.append(pikepdf.ContentStreamInstruction(operands, operator))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        out = io.BytesIO()
        pdf.save(out)
    return [page.extract_text() for page in PdfReader(out).pages]


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-2b"])
def test_page_numbers_are_pagination_artifacts_outside_the_structure(published, variant):
    data = published[variant]
    # the cover and the contents carry no number; the sheets －３－ to －２３－
    assert _texts(data, pagination=True) == ["", ""] + [f"－ {n} －" for n in range(3, 24)]
    others = _texts(data, pagination=False)
    assert not any(f"－ {n} －" in others[n - 1] for n in range(3, 24))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        in_tree = {e.objgen for e in _struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        marked = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages):
            elements = marked[int(page.obj.StructParents)]
            assert all(e.objgen in in_tree for e in elements), number
            # every MCID drawn names an element of the tree, in the page's order
            mcids = [int(operands[1].MCID)
                     for operands, operator in pikepdf.parse_content_stream(page)
                     if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                     and "/MCID" in operands[1]]
            assert sorted(mcids) == list(range(len(elements))), number


def test_a_running_head_drawn_before_the_text_is_a_header_and_the_text_keeps_its_tags():
    import weasyprint

    from webapp.printing.pdffix import mend
    # z-index -1 draws the head first, so the page's text is renumbered
    html = """<html lang="en"><head><title>t</title><style>
      @page { size: A5;
              @top-center { content: "Running head"; z-index: -1; position: relative }
              @bottom-center { content: counter(page) } }
      </style></head><body><p>First</p><p>Second</p></body></html>"""
    data = mend(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    assert _texts(data, pagination=True) == ["Running head\n1"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        marks = [(str(operands[0]), {str(k): str(v) for k, v in operands[1].items()})
                 for operands, operator in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(operator) == "BDC"]
        assert marks == [
            ("/Artifact", {"/Type": "/Pagination", "/Subtype": "/Header"}),
            ("/Span", {"/MCID": "0"}),
            ("/Span", {"/MCID": "1"}),
            ("/Artifact", {"/Type": "/Pagination", "/Subtype": "/Footer"}),
        ]
        paragraphs = [e for e in _struct_elements(pdf) if e.S == "/P"]
        # each paragraph holds its text itself: WeasyPrint's plain Span
        # between them is handed to the paragraph (pdffix)
        assert [list(p.K) for p in paragraphs] == [[0], [1]]
        assert not [e for e in _struct_elements(pdf) if e.S == "/Span"]
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        assert [e.objgen for e in nums[1]] == [p.objgen for p in paragraphs]
        written = [o for o in pdf.objects
                   if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem"]
        assert len(written) == len(_struct_elements(pdf))


def test_headings_tables_and_figures_are_in_the_structure(published):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as pdf:
        elements = _struct_elements(pdf)
        kinds = [str(e.S) for e in elements]
        # the cover title, 目次, and each of the 21 sheet titles
        assert kinds.count("/H1") == 23
        assert kinds.count("/H2") >= 21 * 4          # section headings of every sheet
        assert "/TH" in kinds and "/TD" in kinds and "/Table" in kinds
        figures = [e for e in elements if e.S == "/Figure"]
        assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)
        alts = {str(e.Alt) for e in figures}
        assert ("エネルギーの地産地消につながる水素利活用プロジェクト件数：2023年度 実績28件、"
                "目標（2030年）40件") in alts


def test_published_report_has_one_bookmark_per_sheet(published, fy2023_data):
    with pikepdf.open(io.BytesIO(published["pdf/ua-1"])) as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert len(titles) == 21
    assert titles[0] == "① 九州水素エネルギー社会実現プロジェクト"


def test_archival_copy_is_pdf_a_2b_with_xmp_and_an_output_intent(published):
    with pikepdf.open(io.BytesIO(published["pdf/a-2b"])) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert str(meta.get("dc:title")) == "成長産業戦略プロジェクト ２０２３年度 活動実績と評価"
        assert list(meta.get("dc:creator")) == ["九州地域戦略会議"]
        assert set(meta.get("dc:language")) == {"ja"}
        assert meta.get("xmp:CreateDate") == "2024-03-31"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert str(intents[0].S) == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]


@pytest.mark.parametrize("which", ["assembled", "published"])
def test_no_glyph_on_a_sheet_is_below_the_legibility_floor(which, built_report, published):
    data = built_report.pdf if which == "assembled" else published["pdf/ua-1"]
    smallest = min(round(c.size, 2) for c in _chars(data))
    assert smallest >= 5.5


@pytest.mark.parametrize("which", ["assembled", "pdf/ua-1", "pdf/a-2b"])
def test_the_assembled_report_embeds_one_subset_per_font(which, built_report, published):
    data = built_report.pdf if which == "assembled" else published[which]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        files = {}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                family = str(obj.FontFamily)
                files.setdefault(family, set()).add(obj.FontFile2.objgen)
    assert {family: len(refs) for family, refs in files.items()} == {
        "IPAexGothic": 1, "IPAexMincho": 1}


def test_the_year_is_written_one_way_on_the_cover(published):
    cover = "".join(c.get_text() for c in _chars_of_page(published["pdf/ua-1"], 0))
    assert "２０２３年度" in cover and "2023" not in cover


def _chars_of_page(data, index):
    def walk(item):
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            for child in item:
                yield from walk(child)
    for number, page in enumerate(extract_pages(io.BytesIO(data), page_numbers=[index])):
        yield from walk(page)


def test_kpis_print_in_their_numbered_order_whatever_their_kind(fy2023_data):
    # ⑮: ① target only, ② with a yearly figure, ③④⑤ target only; they used
    # to print ①③④⑤ (one table) then ②
    from webapp.printing.render import sheet_html
    from webapp.printing.sheetview import sheet_view
    sheet = next(p for p in fy2023_data["projects"] if p["number"] == 15)
    html = sheet_html(sheet_view(sheet, 2023))
    kpis = html[html.index('data-section="kpis"'):]
    names = [kpi["name"] for kpi in sheet["targets"]["kpis"]]
    positions = [kpis.index(mark + name) for mark, name in zip("①②③④⑤", names)]
    assert positions == sorted(positions)


def test_the_archival_copy_written_beside_the_published_one_is_the_one_written_alone(
        published, built_report, fy2023_data, report_meta, tmp_path):
    # the archival copy is written by a forked process while the published
    # one is written here; written alone (only that variant asked for) it is
    # the same file, byte for byte
    from webapp.printing import publish_report
    alone = publish_report(report_meta, 2023, fy2023_data["projects"], built_report.cache,
                           variants=("pdf/a-2b",))
    assert alone["pdf/a-2b"] == published["pdf/a-2b"]


def test_a_failed_archival_write_fails_the_build_with_its_cause(
        built_report, fy2023_data, report_meta, monkeypatch):
    from webapp.printing import assemble, publish_report

    def broken(out, frame):
        raise OSError("disk full")

    monkeypatch.setattr(assemble, "_archival", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        publish_report(report_meta, 2023, fy2023_data["projects"], built_report.cache)
