"""The 「ＫＰＩ達成状況一覧」 appendix, printed after the sheets in the report
document itself, read back from the PDF."""
from __future__ import annotations

import io

import pikepdf
from pypdf import PdfReader

from tests.reports.conftest import pdf_pages_text
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.printing import build_report
from webapp.printing.appendix import TITLE
from webapp.reports import inputs, printer


def _row(i, status="順調", kpi=None):
    return {"mark": "①", "project": "九州水素エネルギー社会実現プロジェクト", "lead": "福岡県",
            "kpi": kpi or f"指標{i:02d}", "unit": "件", "baseline": "19（2014）", "latest": "297",
            "latest_year": "2023", "target": "357", "target_year": 2025, "rate": "83.2％",
            "change": "+5", "status": status, "qualitative": False}


def _two_sheets(fy2023_app):
    collected = inputs.collect(get_cycle(2023))
    return collected.meta, collected.sheets[:2]          # two sheets keep the build short


def test_many_rows_run_onto_a4_landscape_pages_with_the_header_repeated(fy2023_app, fy, tmp_path):
    meta, sheets = _two_sheets(fy2023_app)
    meta = {**meta, "appendix": {"rule": "規則の説明", "rows": [_row(i) for i in range(90)]}}
    pdf = build_report(meta, 2023, sheets, tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    appendix = reader.pages[4:]              # cover, contents, two sheets, then the appendix
    assert len(appendix) >= 2
    for page in appendix:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    texts = ["".join(p.extract_text().split()) for p in appendix]
    assert all("No.プロジェクトＫＰＩ単位基準値最新実績" in t for t in texts)
    assert texts[0].startswith(TITLE + "２０２３年度の個票に記載されたＫＰＩ（90件）")
    assert all(f"指標{i:02d}" in "".join(texts) for i in range(90))


def test_text_is_escaped(fy2023_app, fy):
    meta, sheets = _two_sheets(fy2023_app)
    meta = {**meta, "appendix": {"rule": "", "rows": [_row(0, kpi="<b>太字</b>&")]}}
    html = printer.report_html(meta, 2023, sheets)
    assert "&lt;b&gt;太字&lt;/b&gt;&amp;" in html


def test_the_report_gets_the_appendix_with_bookmark_and_contents_line(fy2023_app, fy):
    cycle = get_cycle(2023)
    off = inputs.collect(cycle)
    assert "appendix" not in off.meta                      # off by default
    cycle.kpi_appendix = True
    db.session.commit()
    collected = inputs.collect(cycle)
    sheets = collected.sheets[:2]
    pdf = printer.report_pdf(collected.meta, 2023, sheets, variant=None)
    reader = PdfReader(io.BytesIO(pdf))
    pages = pdf_pages_text(pdf)
    appendix = pages[4:]
    assert appendix and appendix[0].startswith(TITLE)
    text = "".join(appendix)
    # The same rows as /kpis/2023: all 39 KPIs with their status.
    assert "九州内における地熱・温泉熱活用プロジェクト" in text
    assert "商用水素ステーション整備箇所数" in text
    assert text.count("遅れ") >= 5
    # Page numbers continue the report's; the bookmark and the contents line lead there.
    assert appendix[0].endswith("－5－")
    outline = [(item["/Title"], reader.get_destination_page_number(item)) for item in reader.outline]
    assert outline[-1] == (TITLE, 4)
    contents = next(p for p in pages if p.startswith("目次"))
    assert contents.endswith(f"{TITLE}5")
    # the sheets are still drawn on their own pages, before the appendix
    assert pages[2].startswith("①九州水素エネルギー社会実現プロジェクト")
    assert pages[3].startswith("②地熱・温泉熱エネルギー産業拠点化推進プロジェクト")


def test_the_published_report_tags_the_appendix_as_a_heading_and_a_table(fy2023_app, fy):
    cycle = get_cycle(2023)
    cycle.kpi_appendix = True
    db.session.commit()
    collected = inputs.collect(cycle)
    pdf = printer.report_pdf(collected.meta, 2023, collected.sheets[:2], variant="pdf/ua-1")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        found = []

        def walk(element):
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Dictionary):
                kids = [kids]
            for kid in kids if isinstance(kids, pikepdf.Array) or isinstance(kids, list) else []:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    found.append(str(kid["/S"]))
                    walk(kid)
        walk(doc.Root.StructTreeRoot)
        last_page = doc.pages[-1]
        assert "/StructParents" in last_page.obj
    assert "/TH" in found and "/Table" in found
    assert found.count("/H1") >= 1
    assert TITLE in "".join(pdf_pages_text(pdf)[4:])


def test_the_switch_changes_the_build_key(fy2023_app, fy):
    cycle = get_cycle(2023)
    before = inputs.collect(cycle).key
    cycle.kpi_appendix = True
    assert inputs.collect(cycle).key != before



def _switch(client, url) -> tuple[str, list[str], dict[str, str]]:
    """The appendix switch on a page: its words, its buttons and its hidden fields."""
    from tests.htmlpage import NS, Page, text_of
    form = Page(client.get(url)).by_id("appendix-switch")
    assert form is not None, url
    buttons = [text_of(b) for b in form.iter(NS + "button")]
    fields = {i.get("name"): i.get("value") for i in form.iter(NS + "input")}
    return text_of(form), buttons, fields


def test_the_switch_says_its_state_and_its_button_says_what_it_does(fy2023_app, fy):
    """Not 「付けるにする」: the state beside the switch, and a button named for its action."""
    from tests.factories import login
    client = fy2023_app.test_client()
    login(client, fy.secretariat())
    for url in ("/reports/2023", "/kpis/2023"):
        text, buttons, fields = _switch(client, url)
        assert text.endswith("：報告書に付けません 付録を付ける") and buttons == ["付録を付ける"], url
        answer = client.post("/kpis/2023/appendix", data={"on": fields["on"], "next": fields["next"]})
        assert answer.location.endswith(url)
        text, buttons, fields = _switch(client, url)
        assert text.endswith("：報告書に付けます 付録を外す") and buttons == ["付録を外す"], url
        client.post("/kpis/2023/appendix", data={"on": fields["on"], "next": fields["next"]})
    # The reports page links to the list it would print; the KPI page is that list.
    assert _switch(client, "/reports/2023")[0].startswith("付録「ＫＰＩ達成状況一覧」（内容を見る）：")
    assert _switch(client, "/kpis/2023")[0].startswith("付録「ＫＰＩ達成状況一覧」：")


def _glyphs_too_near_the_edge(pdf: bytes) -> dict[int, list[str]]:
    """Page number -> glyphs less than 5 mm (14.17 pt) from an edge of the paper."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    def walk(item):
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            for child in item:
                yield from walk(child)
    found = {}
    for number, page in enumerate(extract_pages(io.BytesIO(pdf)), start=1):
        near = [c.get_text() for c in walk(page) if c.get_text().strip() and (
            c.x0 < 14.17 or c.y0 < 14.17 or c.x1 > page.width - 14.17 or c.y1 > page.height - 14.17)]
        if near:
            found[number] = near
    return found


def test_every_word_of_the_fy2023_report_with_its_appendix_stays_5mm_inside_the_paper(fy2023_app, fy):
    cycle = get_cycle(2023)
    cycle.kpi_appendix = True
    db.session.commit()
    collected = inputs.collect(cycle)
    pdf = printer.report_pdf(collected.meta, 2023, collected.sheets, variant="pdf/ua-1")
    pages = pdf_pages_text(pdf)
    appendix = [p for p in pages[23:]]
    assert appendix[0].startswith(TITLE)
    text = "".join(appendix)
    for status in ("順調", "遅れ", "達成"):
        assert status in text
    assert _glyphs_too_near_the_edge(pdf) == {}


def test_two_hundred_kpis_take_several_pages_each_inside_the_paper_with_the_header_row(fy2023_app, fy,
                                                                                       tmp_path):
    meta, sheets = _two_sheets(fy2023_app)
    statuses = ["順調", "遅れ", "達成", "未入力"]
    rows = [_row(i, status=statuses[i % 4], kpi=f"指標{i:03d}　長い名前の指標で二行に折り返すことのある例")
            for i in range(200)]
    meta = {**meta, "appendix": {"rule": "規則の説明", "rows": rows}}
    pdf = build_report(meta, 2023, sheets, tmp_path)
    texts = pdf_pages_text(pdf)[4:]
    assert len(texts) >= 5
    header = "No.プロジェクトＫＰＩ単位基準値最新実績実績の年度最終目標目標年度進捗率前年差状況"
    assert all(t.startswith(header) for t in texts[1:])
    assert header in texts[0]
    assert all(f"指標{i:03d}" in "".join(texts) for i in range(200))
    assert "".join(texts).count("未入力") == 50
    assert _glyphs_too_near_the_edge(pdf) == {}
